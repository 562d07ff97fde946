"""Reading the config file and turning every problem into one clear line.

A config error stops goldthread before it touches a tracker, so the lines
must say exactly which key is wrong and why, all of them at once.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError

from goldthread.config.settings import TOML_FILE, Settings
from goldthread.errors import ConfigError

DEFAULT_FILE = Path("goldthread.toml")
CONFIG_ENV = "GOLDTHREAD_CONFIG"
_TAGS = {"sources": ("github", "jira"), "notify": ("slack", "teams", "email")}
"""The ``type`` values of each list of tagged tables."""
_BOUNDS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def config_file(explicit: str | Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """``--config PATH``, else ``$GOLDTHREAD_CONFIG``, else ``goldthread.toml`` here."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        return Path(explicit)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    return DEFAULT_FILE


def load_settings(explicit: str | Path | None = None) -> Settings:
    """Load and validate the config; raise :class:`ConfigError` listing every problem.

    A file that was named (by ``--config`` or ``GOLDTHREAD_CONFIG``) must
    exist; the default ``goldthread.toml`` may be absent, leaving defaults and
    the environment (a container configured by variables alone).
    """
    path = config_file(explicit)
    named = explicit is not None or bool(os.environ.get(CONFIG_ENV))
    _check_file(path, must_exist=named)
    token = TOML_FILE.set(path if path.is_file() else None)
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError([describe(error) for error in exc.errors()]) from None
    except SettingsError as exc:
        hint = 'lists and tables from the environment are JSON, e.g. ["a", "b"]'
        raise ConfigError([f"environment: {exc} ({hint})"]) from None
    finally:
        TOML_FILE.reset(token)


INIT_HINT = (
    "write one with `goldthread init` (`goldthread init --online` discovers your "
    "repositories and projects), or name it with --config PATH or GOLDTHREAD_CONFIG"
)


def where_looked(explicit: str | Path | None, environ: Mapping[str, str] | None = None) -> str:
    """Where the config came from, for a person: the file read, or where none was found."""
    env = os.environ if environ is None else environ
    path = config_file(explicit, env)
    if explicit is not None:
        how = "--config"
    elif env.get(CONFIG_ENV):
        how = CONFIG_ENV
    else:
        how = "the default"
    if path.is_file():
        return f"read {path.resolve()} ({how})"
    return f"looked for {path.resolve()} ({how}): not found"


def require_sources(
    settings: Settings, explicit: str | Path | None, environ: Mapping[str, str] | None = None
) -> None:
    """A command that reads trackers needs a source: say where goldthread looked, and
    how to make a config, rather than finish having done nothing."""
    if settings.sources:
        return
    env = os.environ if environ is None else environ
    from_env = (
        "GOLDTHREAD_SOURCES is set but names none"
        if env.get("GOLDTHREAD_SOURCES")
        else ("GOLDTHREAD_SOURCES is not set")
    )
    raise ConfigError(
        [f"sources: none configured; {where_looked(explicit, env)}; {from_env}"],
        hint=INIT_HINT,
    )


def _check_file(path: Path, *, must_exist: bool) -> None:
    """Fail early and plainly on a missing, unreadable or malformed file."""
    if not path.exists():
        if must_exist:
            raise ConfigError([f"{path}: config file not found"])
        return
    try:
        with path.open("rb") as handle:
            tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror or exc}"]) from None


def describe(error: ErrorDetails) -> str:
    """One pydantic error as ``dotted.key: plain message``."""
    loc = list(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx", {})
    message = error["msg"]
    if kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "missing":
        message = "required"
    elif kind == "union_tag_not_found":
        loc, message = [*loc, "type"], f"required ({_kinds(loc)})"
    elif kind == "union_tag_invalid":
        what = "a source type" if loc[:1] == ["sources"] else "a target type"
        loc, message = [*loc, "type"], f"{ctx.get('tag')!r} is not {what} ({_kinds(loc)})"
    elif kind == "literal_error":
        message = f"{error['input']!r} is not one of {ctx.get('expected')}"
    elif kind == "too_short":
        message = "must not be empty"
    elif kind.endswith(("_type", "_parsing")) or kind in _BOUNDS:
        message = f"{message.replace('Input should be', 'must be')} (got {error['input']!r})"
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return f"{dotted(loc)}: {message}"


def _kinds(loc: list[int | str]) -> str:
    return " or ".join(_TAGS.get(str(loc[0]), ("github", "jira"))) if loc else "github or jira"


def dotted(loc: list[int | str]) -> str:
    """``('sources', 1, 'github', 'token_env')`` -> ``sources[1].token_env``."""
    text = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not (
            isinstance(previous, int)
            and any(text.startswith(group) and part in tags for group, tags in _TAGS.items())
        ):
            text += f".{part}" if text else part
        previous = part
    return text or "(config)"
