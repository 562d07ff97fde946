"""One object that owns a whole sandbox: both stand-ins, their organisation,
and the goldthread config that points at them.

``Sandbox`` starts the GitHub and Jira stand-ins (and the control API, see
:mod:`goldthread.sandbox.control_api`) on loopback ports, loads a seeded
:class:`~goldthread.sandbox.seeds.Organisation`, and writes a config whose
sources are those stand-ins, so every ``goldthread`` command runs against it
unchanged::

    with Sandbox() as sandbox:
        sandbox.load(generate(200, seed=7))
        Path("goldthread.toml").write_text(sandbox.config_toml("sqlite:///sandbox.db"))
        os.environ.update(sandbox.env())
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from goldthread.sandbox.control_api import ControlApi
from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.github import GitHubStandIn
from goldthread.sandbox.http import LoggedRequest
from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.seeds import Organisation

# Names of environment variables, not secrets.
GITHUB_TOKEN_ENV = "GOLDTHREAD_SANDBOX_GITHUB_TOKEN"  # noqa: S105
JIRA_TOKEN_ENV = "GOLDTHREAD_SANDBOX_JIRA_TOKEN"  # noqa: S105
GITHUB_WEBHOOK_SECRET_ENV = "GOLDTHREAD_SANDBOX_GITHUB_WEBHOOK_SECRET"  # noqa: S105
JIRA_WEBHOOK_SECRET_ENV = "GOLDTHREAD_SANDBOX_JIRA_WEBHOOK_SECRET"  # noqa: S105
CHAT_WEBHOOK_ENV = "GOLDTHREAD_SANDBOX_CHAT_WEBHOOK"
"""Where the sandbox's chat receiver is (the Slack-style target of its digests)."""
DEFAULT_GITHUB_TOKEN = "sandbox-github-token"  # noqa: S105 - the sandbox's well-known token
DEFAULT_JIRA_TOKEN = "sandbox-jira-token"  # noqa: S105 - the sandbox's well-known token
DEFAULT_JIRA_EMAIL = "goldthread-bot@acme.example"
DEFAULT_CHAT_TOKEN = "T0SANDBOX/B0CHAT/sandboxchatwebhook"  # noqa: S105 - the sandbox's own
REFERENCE_PATTERN = r"(?im)^\s*(?:parent|part of|epic)\s*:?\s*(?P<ref>\S+)"


class Sandbox:
    """Both stand-ins, one organisation, one config; a context manager."""

    def __init__(
        self,
        jira_mode: str = "cloud",
        time_zone: str = "Europe/Berlin",
        *,
        github_enterprise: bool = False,
        github_version: str = "3.19",
        github_token: str = DEFAULT_GITHUB_TOKEN,
        jira_email: str = DEFAULT_JIRA_EMAIL,
        jira_token: str = DEFAULT_JIRA_TOKEN,
        chat_token: str = DEFAULT_CHAT_TOKEN,
    ) -> None:
        self._github = GitHubStandIn(
            token=github_token, enterprise=github_enterprise, enterprise_version=github_version
        )
        self._jira = JiraStandIn(
            mode=jira_mode, email=jira_email, token=jira_token, time_zone=time_zone
        )
        self.github_token = github_token
        self.jira_token = jira_token
        self.jira_email = jira_email
        self.chat_token = chat_token
        self.org: Organisation | None = None
        self.control = ControlApi(self)
        self._webhook_secrets: dict[str, str] = {}

    # ------------------------------------------------------------ lifecycle

    @property
    def github(self) -> GitHubStandIn:
        return self._github

    @property
    def jira(self) -> JiraStandIn:
        return self._jira

    @property
    def github_url(self) -> str:
        """The GitHub API base URL clients use (``.../api/v3`` on Enterprise)."""
        return self._github.api_url

    @property
    def jira_url(self) -> str:
        return self._jira.base_url

    @property
    def control_url(self) -> str:
        return self.control.base_url

    def start(
        self,
        github_port: int = 0,
        jira_port: int = 0,
        host: str = "127.0.0.1",
        control_port: int = 0,
    ) -> Sandbox:
        """Serve the stand-ins and the control API; port 0 picks a free one."""
        try:
            self._github.start(host, github_port)
            self._jira.start(host, jira_port)
            self.control.start(host, control_port)
        except OSError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in (self.control, self._jira, self._github):
            server.stop()

    def __enter__(self) -> Sandbox:
        if not self._github.base_url:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ data and behaviour

    def load(self, org: Organisation) -> None:
        """Serve ``org``: its repositories (even empty ones), issues and links."""
        for repo in org.repos:
            self._github.add_repo(repo)
        self._github.load(org.github)
        self._jira.load(org.jira, org.jira_links)
        self.org = org

    def expected(self) -> dict[str, tuple[str, str]]:
        """The loaded organisation's ``ref -> (verdict, reason)`` as goldthread should judge."""
        return dict(self.org.expected) if self.org is not None else {}

    def set_faults(self, github: FaultPlan | None = None, jira: FaultPlan | None = None) -> None:
        """Replace both trackers' fault plans (``None``: behave)."""
        self._github.faults = github
        self._jira.faults = jira

    def set_webhooks(
        self,
        github_url: str | None = None,
        github_secret: str | None = None,
        jira_url: str | None = None,
        jira_secret: str | None = None,
    ) -> None:
        """Send every later change as a signed webhook (``None`` URL: stop sending)."""
        self._github.set_webhook(github_url, github_secret)
        self._jira.set_webhook(jira_url, jira_secret)
        for name, secret in (
            (GITHUB_WEBHOOK_SECRET_ENV, github_secret),
            (JIRA_WEBHOOK_SECRET_ENV, jira_secret),
        ):
            if secret:
                self._webhook_secrets[name] = secret
            else:
                self._webhook_secrets.pop(name, None)

    def flush_webhooks(self, timeout: float = 5.0) -> dict[str, bool]:
        """Wait for queued deliveries; per tracker, whether all were attempted in time."""
        return {
            "github": self._github.flush_webhooks(timeout),
            "jira": self._jira.flush_webhooks(timeout),
        }

    def request_log(self) -> dict[str, list[LoggedRequest]]:
        """Every request each stand-in answered, in order."""
        return {"github": self._github.requests(), "jira": self._jira.requests()}

    def clear_request_log(self) -> None:
        self._github.clear_log()
        self._jira.clear_log()

    # ------------------------------------------------------------ goldthread's view

    def env(self) -> dict[str, str]:
        """The environment a goldthread process needs for :meth:`config_toml`."""
        return {
            GITHUB_TOKEN_ENV: self.github_token,
            JIRA_TOKEN_ENV: self.jira_token,
            CHAT_WEBHOOK_ENV: f"{self.control_url}/control/chat/{self.chat_token}",
            **self._webhook_secrets,
        }

    def config_toml(
        self,
        store_url: str,
        *,
        writeback: bool = True,
        github_webhook_secret_env: str | None = None,
        jira_webhook_secret_env: str | None = None,
    ) -> str:
        """A goldthread config (README.md#configuration) whose sources are this sandbox."""
        org = self.org
        return sandbox_config(
            store_url=store_url,
            github_url=self.github_url,
            jira_url=self.jira_url,
            jira_mode=self._jira.mode,
            jira_email=self.jira_email,
            repos=org.repos if org is not None else ["acme/web", "acme/api"],
            projects=org.projects if org is not None else ["PLAT", "WEB"],
            github_source=org.github_source if org is not None else "gh",
            jira_source=org.jira_source if org is not None else "jira",
            writeback=writeback,
            github_webhook_secret_env=github_webhook_secret_env,
            jira_webhook_secret_env=jira_webhook_secret_env,
        )

    def ready_info(self) -> dict[str, Any]:
        """What a parent process needs to use this sandbox: URLs and credentials."""
        return {
            "github_url": self.github_url,
            "jira_url": self.jira_url,
            "control_url": self.control_url,
            "jira_mode": self._jira.mode,
            "jira_email": self.jira_email,
            "env": self.env(),
        }


# ---------------------------------------------------------------- config text


def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _strings(values: Sequence[str]) -> str:
    return "[" + ", ".join(_string(v) for v in values) + "]"


def sandbox_config(
    *,
    store_url: str,
    github_url: str,
    jira_url: str,
    jira_mode: str,
    jira_email: str,
    repos: Sequence[str],
    projects: Sequence[str],
    github_source: str = "gh",
    jira_source: str = "jira",
    writeback: bool = True,
    github_webhook_secret_env: str | None = None,
    jira_webhook_secret_env: str | None = None,
) -> str:
    """The sandbox's goldthread.toml: the defaults (README.md#configuration), sources at the stand-ins.

    The Epic/Initiative rule applies to every source, so GitHub issue types
    count too (the seeded organisation relies on it).
    """
    lines = [
        "# goldthread config for the sandbox (python -m goldthread.sandbox).",
        f"# Tokens come from {GITHUB_TOKEN_ENV} and {JIRA_TOKEN_ENV}.",
        "",
        "[store]",
        f"url = {_string(store_url)}",
        "",
        "[[sources]]",
        f"name = {_string(github_source)}",
        'type = "github"',
        f"base_url = {_string(github_url)}",
        f"token_env = {_string(GITHUB_TOKEN_ENV)}",
        f"repos = {_strings(repos)}",
        "include_pull_requests = false",
        "",
        "[[sources]]",
        f"name = {_string(jira_source)}",
        'type = "jira"',
        f"url = {_string(jira_url)}",
        f"auth = {_string('basic' if jira_mode == 'cloud' else 'bearer')}",
    ]
    if jira_mode == "cloud":
        lines.append(f"email = {_string(jira_email)}")
    lines += [
        f"token_env = {_string(JIRA_TOKEN_ENV)}",
        f"projects = {_strings(projects)}",
        'jql = ""',
        'parent_link_types = ["implements"]',
        "",
        "[[rules]]",
        'layer = "vision"',
        'labels = ["vision", "okr-*"]',
        "",
        "[[rules]]",
        'layer = "strategy"',
        'labels = ["strategy"]',
        "",
        "[[rules]]",
        'layer = "strategy"',
        'types = ["Epic", "Initiative"]',
        "",
        "[trace]",
        'default_layer = "execution"',
        "allow_layer_skip = false",
        f"reference_patterns = ['{REFERENCE_PATTERN}']",
        "",
        "[policy]",
        'exempt_labels = ["no-trace"]',
        "exempt_types = []",
        "skip_closed = true",
        'grace_period = "0s"',
        "",
        "[writeback]",
        f"enabled = {'true' if writeback else 'false'}",
        "dry_run = false",
        'label = "goldthread:untraced"',
        "comment = true",
        'on_resolve = "update"',
        "max_writes_per_run = 500",
        # The stand-ins are local: pacing them like production would only slow
        # the try-out down. Use the default (60) against real trackers.
        "writes_per_minute = 1200",
        "confirm_large = true",
        "",
        "[daemon]",
        'poll_interval = "5m"',
        'full_resync_interval = "24h"',
        "",
        "[server]",
        'host = "127.0.0.1"',
        "port = 8080",
    ]
    if github_webhook_secret_env:
        lines.append(f"github_webhook_secret_env = {_string(github_webhook_secret_env)}")
    if jira_webhook_secret_env:
        lines.append(f"jira_webhook_secret_env = {_string(jira_webhook_secret_env)}")
    lines.append("max_body_bytes = 2097152")
    lines += owners_config(github_source, jira_source)
    return "\n".join(lines) + "\n"


def owners_config(github_source: str, jira_source: str) -> list[str]:
    """Owners and a weekly digest for the sandbox: each team's digest goes to
    the sandbox's chat receiver (a Slack-style incoming webhook)."""
    teams = (
        ("payments", [f"components = {_strings(['Payments'])}"]),
        ("platform", [f"projects = {_strings(['PLAT'])}"]),
        ("web", [f"repos = {_strings(['acme/web'])}", f"projects = {_strings(['WEB'])}"]),
        ("services", [f"sources = {_strings([github_source])}"]),
    )
    del jira_source  # every Jira rule above is by project or component
    lines: list[str] = []
    for team, conditions in teams:
        lines += ["", "[[owners]]", f"team = {_string(team)}", *conditions]
        lines.append('notify = ["sandbox-chat"]')
    return [
        *lines,
        "",
        "[[notify]]",
        'name = "sandbox-chat"',
        'type = "slack"',
        f"url_env = {_string(CHAT_WEBHOOK_ENV)}",
        "",
        "[digest]",
        'every = "7d"',
        'at = "09:00"',
        'timezone = "Europe/Berlin"',
        'weekday = "monday"',
        "oldest = 5",
    ]
