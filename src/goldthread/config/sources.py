"""``[[sources]]``: one GitHub host or one Jira site each, told apart by ``type``.

Secrets are never values here, only where to find them: ``*_env`` names an
environment variable, ``*_file`` a mounted secret file. They are read by
:func:`goldthread.config.secrets.resolve_secrets`, only by the commands that
need them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from goldthread.config.durations import PositiveDuration
from goldthread.config.fields import EnvName, HttpUrl
from goldthread.core.keys import GITHUB_COM_API

_NAME = re.compile(r"[a-z0-9_-]+")
_REPO = re.compile(r"[A-Za-z0-9_.-]+/(?:[A-Za-z0-9_.-]+|\*)")
_PROJECT = re.compile(r"[A-Z][A-Z0-9_]*")


def _source_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise PydanticCustomError(
            "source_name", f"{value!r} is not a source name (use lowercase a-z, 0-9, _ and -)"
        )
    return value


def _repo(value: str) -> str:
    if not _REPO.fullmatch(value):
        raise PydanticCustomError(
            "repo", f"{value!r} is not a repository (use owner/name or owner/*)"
        )
    return value


def _project(value: str) -> str:
    if not _PROJECT.fullmatch(value):
        raise PydanticCustomError("project", f"{value!r} is not a Jira project key (like PLAT)")
    return value


def _pattern_schema(pattern: re.Pattern[str]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": f"^{pattern.pattern}$"})


SourceName = Annotated[str, AfterValidator(_source_name), _pattern_schema(_NAME)]
Repo = Annotated[str, AfterValidator(_repo), _pattern_schema(_REPO)]
ProjectKey = Annotated[str, AfterValidator(_project), _pattern_schema(_PROJECT)]


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: SourceName


class GitHubSource(_Source):
    """A GitHub host (github.com or Enterprise Server) and the repositories to read."""

    type: Literal["github"]
    base_url: HttpUrl = GITHUB_COM_API
    token_env: EnvName | None = None
    token_file: Path | None = None
    app_id: PositiveInt | None = None
    private_key_env: EnvName | None = None
    private_key_file: Path | None = None
    installation_id: PositiveInt | None = None
    repos: Annotated[list[Repo], Field(min_length=1)]
    include_pull_requests: bool = False
    timeout: PositiveDuration = timedelta(seconds=30)

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> GitHubSource:
        raise_problems(self, _github_auth_problems(self))
        return self

    @property
    def web_host(self) -> str:
        """Where people see the issues: ``api.github.com`` -> ``github.com``;
        ``https://ghe.example.com/api/v3`` -> ``ghe.example.com``."""
        host = urlsplit(self.base_url).netloc.lower()
        return "github.com" if host == "api.github.com" else host


class JiraSource(_Source):
    """A Jira site (Cloud or Data Center) and the projects to read."""

    type: Literal["jira"]
    url: HttpUrl
    auth: Literal["basic", "bearer"] = "basic"
    email: str | None = None
    token_env: EnvName | None = None
    token_file: Path | None = None
    projects: Annotated[list[ProjectKey], Field(min_length=1)]
    jql: str = ""
    parent_link_types: list[str] = Field(default_factory=list)
    timeout: PositiveDuration = timedelta(seconds=30)

    @model_validator(mode="after")
    def _credentials(self) -> JiraSource:
        problems = _token_problems(
            self.token_env, self.token_file, missing="required: token_env or token_file"
        )
        if self.auth == "basic" and not self.email:
            problems.append(("email", "required with auth = 'basic' (or use auth = 'bearer')"))
        raise_problems(self, problems)
        return self

    @property
    def web_host(self) -> str:
        """The host in browse URLs (``acme.atlassian.net``)."""
        return urlsplit(self.url).netloc.lower()


def _github_auth_problems(source: GitHubSource) -> list[tuple[str, str]]:
    """A token or an app, exactly one way each."""
    token = source.token_env is not None or source.token_file is not None
    key = source.private_key_env is not None or source.private_key_file is not None
    app = source.app_id is not None or key or source.installation_id is not None
    if token and app:
        return [("app_id", "give a token (token_env/token_file) or an app (app_id ...), not both")]
    if not app:
        return _token_problems(
            source.token_env,
            source.token_file,
            missing="required: token_env or token_file (or a GitHub App: app_id, private_key_*)",
        )
    problems = _key_problems(source)
    if source.app_id is None:
        problems.append(("app_id", "required for a GitHub App (private_key_* is given)"))
    return problems


def _key_problems(source: GitHubSource) -> list[tuple[str, str]]:
    if source.private_key_env is not None and source.private_key_file is not None:
        return [("private_key_file", "give private_key_env or private_key_file, not both")]
    if source.private_key_env is None and source.private_key_file is None:
        return [("private_key_env", "a GitHub App needs private_key_env or private_key_file")]
    return []


def _token_problems(env: str | None, file: Path | None, *, missing: str) -> list[tuple[str, str]]:
    if env is not None and file is not None:
        return [("token_file", "give token_env or token_file, not both")]
    if env is None and file is None:
        return [("token_env", missing)]
    return []


def raise_problems(model: BaseModel, problems: list[tuple[str, str]]) -> None:
    """Raise every ``(key, message)`` at once, each located at its key, so
    the report says ``sources[1].token_env: ...`` rather than ``sources[1]``."""
    if problems:
        raise ValidationError.from_exception_data(
            type(model).__name__,
            [
                InitErrorDetails(
                    type=PydanticCustomError("config", message), loc=(key,), input=None
                )
                for key, message in problems
            ],
        )


Source = Annotated[GitHubSource | JiraSource, Field(discriminator="type")]
