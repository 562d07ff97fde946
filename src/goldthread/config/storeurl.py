"""The store URL: checked at load, and never printed with its password.

A PostgreSQL URL can carry a password in two places, the userinfo
(``postgresql://user:pw@host/db``) and the query (``?password=pw``).
:func:`redact_store_url` hides both, and works on any text (a malformed URL
too), so it is safe in error messages. :func:`store_url_problem` finds what
libpq would refuse — a port that is not a number, a broken percent-escape —
so that it is a config error naming ``store.url`` rather than a library error
that echoes the URL. :func:`store_url_passwords` gives the password values, so
that messages from the database driver can be scrubbed of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

REDACTED = "[redacted]"
_SCHEMES = ("sqlite", "postgresql", "postgres")
_USERINFO = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>[^/?#]*)@")
_QUERY_PASSWORD = re.compile(r"(?i)(?P<key>(?:^|[?&;])password=)(?P<value>[^&;#]*)")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PORT = re.compile(r"[0-9]{1,5}")


def redact_store_url(url: str) -> str:
    """``url`` with its password (userinfo and ``password=``) replaced by ``[redacted]``."""

    def userinfo(match: re.Match[str]) -> str:
        user, colon, _password = match["info"].partition(":")
        info = f"{user}:{REDACTED}" if colon else user
        return f"{match['head']}{info}@"

    hidden = _USERINFO.sub(userinfo, url, count=1)
    return _QUERY_PASSWORD.sub(lambda m: f"{m['key']}{REDACTED}", hidden)


def store_url_passwords(url: str) -> list[str]:
    """Every password ``url`` carries, as written and percent-decoded."""
    found: list[str] = []
    if match := _USERINFO.match(url):
        _user, colon, password = match["info"].partition(":")
        if colon and password:
            found.append(password)
    found += [m["value"] for m in _QUERY_PASSWORD.finditer(url) if m["value"]]
    decoded = [unquote(value) for value in found]
    return sorted({value for value in found + decoded if value}, key=len, reverse=True)


def hidden_parts(url: str) -> tuple[str, ...]:
    """What a message about ``url`` must not show: the URL itself and its passwords."""
    return (url, *store_url_passwords(url))


def scrub(text: str, hidden: Iterable[str]) -> str:
    """``text`` (a driver's message) with each of ``hidden`` replaced by ``[redacted]``."""
    for secret in sorted(hidden, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def store_url_problem(url: str) -> str | None:
    """Why ``url`` cannot name a store, or ``None``; never echoes the URL."""
    scheme = url.partition(":")[0].lower()
    if scheme not in _SCHEMES or "://" not in url:
        return "use sqlite:///PATH or postgresql://HOST/DB (password via environment)"
    if scheme == "sqlite":
        return None
    if _BAD_ESCAPE.search(url):
        return "has a '%' that is not followed by two hex digits (percent-encode it as %25)"
    parts = urlsplit(url)
    hosts = parts.netloc.rpartition("@")[2]
    ports = [_port_of(host) for host in hosts.split(",")]
    ports += [value for key, value in parse_qsl(parts.query) if key == "port"]
    for port in ports:
        if port is not None and port != "" and not _valid_port(port):
            return "the port is not a number from 1 to 65535"
    return None


def _port_of(host: str) -> str | None:
    """The port written after ``host`` (``h:5432``, ``[::1]:5432``), if any."""
    if host.startswith("["):
        rest = host.partition("]")[2]
        return rest[1:] if rest.startswith(":") else None
    return host.partition(":")[2] if ":" in host else None


def _valid_port(text: str) -> bool:
    return _PORT.fullmatch(text) is not None and 1 <= int(text) <= 65535
