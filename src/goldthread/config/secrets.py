"""Reading secrets, only for the commands that need them.

Config names *where* a secret is (``*_env``: a variable, ``*_file``: a
mounted file), never the secret itself. Each command resolves what it uses
(source tokens to contact a tracker, webhook secrets to serve), and a secret
that was named but cannot be read is a config error naming its key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

from goldthread.config.notifying import EmailTarget
from goldthread.config.settings import Settings
from goldthread.config.sources import GitHubSource
from goldthread.config.storeurl import store_url_passwords
from goldthread.errors import ConfigError


@dataclass(frozen=True)
class ResolvedSecrets:
    """Secret values, wrapped so that ``repr`` and logs never show them."""

    tokens: Mapping[str, SecretStr] = field(default_factory=dict)
    """Source name -> API token (GitHub token, Jira API token or PAT)."""
    app_keys: Mapping[str, SecretStr] = field(default_factory=dict)
    """GitHub source name -> App private key (PEM)."""
    github_webhook_secrets: tuple[SecretStr, ...] = ()
    jira_webhook_secrets: tuple[SecretStr, ...] = ()
    jira_webhook_tokens: tuple[SecretStr, ...] = ()
    dashboard_token: SecretStr | None = None
    """The Bearer token the admin listener asks for (``None``: none asked)."""
    store_passwords: tuple[SecretStr, ...] = ()
    """The store URL's password(s), as written and percent-decoded."""
    notify: Mapping[str, SecretStr] = field(default_factory=dict)
    """Notify target name -> its webhook URL (Slack, Teams) or SMTP password."""


def resolve_secrets(
    settings: Settings,
    *,
    sources: bool,
    webhooks: bool,
    environ: Mapping[str, str] | None = None,
    notify: bool = False,
) -> ResolvedSecrets:
    """Read the secrets of the sources, the service's listeners (``webhooks``:
    the webhook secrets and the dashboard token) and/or the notify targets.

    Raises :class:`ConfigError` with one line per secret that was named but
    did not resolve (unset or empty variable, unreadable or empty file).
    """
    reader = _Reader(os.environ if environ is None else environ)
    tokens: dict[str, SecretStr] = {}
    app_keys: dict[str, SecretStr] = {}
    for index, source in enumerate(settings.sources if sources else []):
        key = f"sources[{index}]"
        token = reader.one(key, "token", source.token_env, source.token_file)
        if token is not None:
            tokens[source.name] = token
        if isinstance(source, GitHubSource):
            pem = reader.one(key, "private_key", source.private_key_env, source.private_key_file)
            if pem is not None:
                app_keys[source.name] = pem
    server = settings.server
    resolved = ResolvedSecrets(
        tokens=tokens,
        app_keys=app_keys,
        github_webhook_secrets=reader.many(
            "github_webhook_secret",
            server.github_webhook_secret_env,
            server.github_webhook_secret_file,
            webhooks,
        ),
        jira_webhook_secrets=reader.many(
            "jira_webhook_secret",
            server.jira_webhook_secret_env,
            server.jira_webhook_secret_file,
            webhooks,
        ),
        jira_webhook_tokens=reader.many(
            "jira_webhook_token",
            server.jira_webhook_token_env,
            server.jira_webhook_token_file,
            webhooks,
        ),
        dashboard_token=(
            reader.one(
                "server", "dashboard_token", server.dashboard_token_env, server.dashboard_token_file
            )
            if webhooks
            else None
        ),
        store_passwords=tuple(SecretStr(p) for p in store_url_passwords(settings.store.url)),
        notify=_notify_secrets(settings, reader) if notify else {},
    )
    if reader.problems:
        raise ConfigError(reader.problems)
    return resolved


def known_secret_values(resolved: ResolvedSecrets) -> list[str]:
    """Every secret value, for the log redactor; a PEM also line by line."""
    values = [*resolved.tokens.values(), *resolved.app_keys.values()]
    values += [
        *resolved.github_webhook_secrets,
        *resolved.jira_webhook_secrets,
        *resolved.jira_webhook_tokens,
    ]
    values += resolved.store_passwords
    if resolved.dashboard_token is not None:
        values.append(resolved.dashboard_token)
    values += list(resolved.notify.values())
    plain = [value.get_secret_value() for value in values]
    plain += [_url_tail(value.get_secret_value()) for value in resolved.notify.values()]
    pem_lines = [
        line.strip()
        for pem in resolved.app_keys.values()
        for line in pem.get_secret_value().splitlines()
        if len(line.strip()) >= 16 and not line.startswith("-----")
    ]
    return sorted({value for value in plain + pem_lines if value}, key=len, reverse=True)


def _notify_secrets(settings: Settings, reader: _Reader) -> dict[str, SecretStr]:
    """Each target's webhook URL or SMTP password, by target name."""
    found: dict[str, SecretStr] = {}
    for index, target in enumerate(settings.notify):
        key = f"notify[{index}]"
        if isinstance(target, EmailTarget):
            value = reader.one(key, "password", target.password_env, target.password_file)
        else:
            value = reader.one(key, "url", target.url_env, target.url_file)
        if value is not None:
            found[target.name] = value
    return found


def _url_tail(value: str) -> str:
    """A webhook URL's path and query (its secret part), when it is long enough
    to be one; else ``""``."""
    parts = urlsplit(value)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    return tail if parts.scheme and len(tail) >= 16 else ""


class _Reader:
    """Reads variables and files, collecting every problem instead of stopping."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []

    def one(self, prefix: str, stem: str, env: str | None, file: Path | None) -> SecretStr | None:
        if env is not None:
            return self.env(f"{prefix}.{stem}_env", env)
        if file is not None:
            return self.file(f"{prefix}.{stem}_file", file)
        return None

    def many(
        self, stem: str, envs: Sequence[str], files: Sequence[Path], wanted: bool
    ) -> tuple[SecretStr, ...]:
        if not wanted:
            return ()
        values = [self.env(_key(stem, "env", i, len(envs)), name) for i, name in enumerate(envs)]
        values += [self.file(_key(stem, "file", i, len(files)), p) for i, p in enumerate(files)]
        return tuple(value for value in values if value is not None)

    def env(self, key: str, name: str) -> SecretStr | None:
        value = self.environ.get(name)
        if value is None:
            self.problems.append(f"{key}: environment variable {name} is not set")
            return None
        if not value.strip():
            self.problems.append(f"{key}: environment variable {name} is empty")
            return None
        return SecretStr(value.strip())

    def file(self, key: str, path: Path) -> SecretStr | None:
        try:
            value = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            self.problems.append(f"{key}: cannot read {path}: {reason or exc}")
            return None
        if not value:
            self.problems.append(f"{key}: {path} is empty")
            return None
        return SecretStr(value)


def _key(stem: str, form: str, index: int, count: int) -> str:
    suffix = f"[{index}]" if count > 1 else ""
    return f"server.{stem}_{form}{suffix}"
