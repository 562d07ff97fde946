"""Annotated field types shared by the config groups.

Each validator raises a ``PydanticCustomError`` with a plain message; the
loader prefixes it with the dotted key, so messages never repeat the key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from pydantic_settings import NoDecode

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SECRET_LOOKING = re.compile(r"(?=.*[a-z])(?=.*[0-9]).{24,}")


def _env_name(value: str) -> str:
    """A variable *name*. A value that looks like a token pasted in its place
    is refused without echoing it, so the error line cannot leak it."""
    if _SECRET_LOOKING.fullmatch(value) and not value.isupper():
        raise PydanticCustomError(
            "env_name",
            "looks like a secret value, not an environment variable name (value not shown)",
        )
    if not _ENV_NAME.fullmatch(value):
        raise PydanticCustomError("env_name", f"{value!r} is not an environment variable name")
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PydanticCustomError("url", f"{value!r} is not an http(s) URL")
    if parts.password:
        raise PydanticCustomError("url", "must not carry credentials (use the *_env / *_file keys)")
    return value.rstrip("/")


def _as_list(value: object) -> object:
    """One value or a list of them (secret rotation); ``None`` is none.

    From the environment a value arrives as one string; names there may be
    comma-separated (``GOLDTHREAD_SERVER__GITHUB_WEBHOOK_SECRET_ENV=NEW,OLD``).
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")]
    return value


def _as_path_list(value: object) -> object:
    if value is None:
        return []
    return [value] if isinstance(value, str | Path) else value


_ENV_NAME_SCHEMA = {"type": "string", "pattern": f"^{_ENV_NAME.pattern}$"}

EnvName = Annotated[str, AfterValidator(_env_name), WithJsonSchema(_ENV_NAME_SCHEMA)]
"""The name of an environment variable holding a secret."""

HttpUrl = Annotated[
    str,
    AfterValidator(_http_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://[^/@]+"}),
]
"""An http(s) URL without credentials, trailing slash removed."""

EnvNames = Annotated[
    list[EnvName],
    NoDecode,
    BeforeValidator(_as_list),
    WithJsonSchema({"anyOf": [_ENV_NAME_SCHEMA, {"type": "array", "items": _ENV_NAME_SCHEMA}]}),
]
"""Names of environment variables, one or several (secret rotation)."""

SecretFiles = Annotated[
    list[Path],
    NoDecode,
    BeforeValidator(_as_path_list),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
]
"""Paths of mounted secret files, one or several (secret rotation)."""
