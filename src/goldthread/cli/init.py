"""``goldthread init``: a first, commented, valid ``goldthread.toml``.

It asks a few questions (its flags, docs/behaviour.md#commands, answer them for scripts, and
``--yes`` asks nothing), or with ``--online`` reads the trackers to propose
the repositories, projects and layer rules, and shows what goldthread would
say about them before anything is written (:mod:`goldthread.cli.init_online`).
The text is loaded back with the real loader before it is written, next to
``goldthread.schema.json`` for editors.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import click

from goldthread.cli.exits import EXIT_USAGE
from goldthread.config import load_settings
from goldthread.config.schema import SCHEMA_FILE, schema_text
from goldthread.config.starter import OFFLINE_RULES, Starter, StarterSource, render_starter
from goldthread.core.keys import GITHUB_COM_API


@dataclass(frozen=True, slots=True)
class Flags:
    github_url: str | None
    github_token_env: str | None
    repos: str | None
    jira_url: str | None
    jira_auth: str | None
    jira_email: str | None
    jira_token_env: str | None
    projects: str | None


@click.command()
@click.option(
    "--online",
    is_flag=True,
    help="Read the trackers: propose repositories, projects and rules, and try them.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("goldthread.toml"),
    show_default=True,
    help="Where to write the config (goldthread.schema.json goes beside it).",
)
@click.option(
    "--yes", is_flag=True, help="Ask nothing: take the flags and the defaults (for scripts)."
)
@click.option("--force", is_flag=True, help="Replace a file already at --output.")
@click.option(
    "--github-url",
    metavar="URL",
    help=f"GitHub API URL [{GITHUB_COM_API}; GHES: https://HOST/api/v3].",
)
@click.option(
    "--github-token-env", metavar="VAR", help="Variable holding the GitHub token [GITHUB_TOKEN]."
)
@click.option("--repos", metavar="OWNER/NAME|OWNER/*,...", help="Repositories to read.")
@click.option("--jira-url", metavar="URL", help="Jira Cloud site or Data Center base URL.")
@click.option(
    "--jira-auth",
    type=click.Choice(["basic", "bearer"]),
    help="basic: email + API token (Cloud); bearer: PAT (DC).",
)
@click.option("--jira-email", metavar="EMAIL", help="The account of the API token (basic).")
@click.option(
    "--jira-token-env", metavar="VAR", help="Variable holding the Jira token [JIRA_TOKEN]."
)
@click.option("--projects", metavar="KEY,...", help="Jira project keys to read.")
def init(
    *,
    online: bool,
    output: Path,
    yes: bool,
    force: bool,
    **flags: str | None,
) -> None:
    """Write a starter config (asks for what the flags do not give, unless --yes)."""
    replace = force or (
        output.exists() and not yes and click.confirm(f"{output} exists. Replace it?")
    )
    if output.exists() and not replace:
        raise click.UsageError(f"{output} exists: choose another --output, or add --force")
    sources = gather(Flags(**flags), ask=not yes, online=online)
    if online:
        from goldthread.cli.init_online import discover_and_try

        starter = discover_and_try(sources)
    else:
        starter = Starter(sources=sources, rules=OFFLINE_RULES, origin="goldthread init")
    text = render_starter(starter)
    validate(text, output)
    if online and not yes and not click.confirm(f"Write {output}?", default=True):
        raise click.exceptions.Exit(EXIT_USAGE)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    schema = output.parent / SCHEMA_FILE
    schema.write_text(schema_text(), encoding="utf-8")
    click.echo(f"Wrote {output} (and {schema} for your editor).")
    names = ", ".join(f"${source.token_env}" for source in sources)
    click.echo(
        f"Next: set {names}, then `goldthread check --online` and `goldthread backfill --dry-run`."
    )


def validate(text: str, output: Path) -> None:
    """Load ``text`` with the real loader (a problem exits 2 naming the key)."""
    directory = output.parent if output.parent.is_dir() else Path.cwd()
    handle, name = tempfile.mkstemp(prefix=".goldthread-init-", suffix=".toml", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        load_settings(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def gather(flags: Flags, *, ask: bool, online: bool) -> tuple[StarterSource, ...]:
    """The sources to write, from the flags and (unless ``ask`` is off) questions."""
    github = bool(flags.github_url or flags.github_token_env or flags.repos)
    jira = bool(
        flags.jira_url
        or flags.jira_auth
        or flags.jira_email
        or flags.jira_token_env
        or flags.projects
    )
    if not github and not jira:
        if not ask:
            raise click.UsageError(
                "say which trackers: --github-url/--repos and/or --jira-url/--projects"
            )
        chosen = click.prompt(
            "Trackers", type=click.Choice(["github", "jira", "both"]), default="both"
        )
        github, jira = chosen in ("github", "both"), chosen in ("jira", "both")
    found: list[StarterSource] = []
    if github:
        found.append(_github(flags, ask=ask, online=online))
    if jira:
        found.append(_jira(flags, ask=ask, online=online))
    return tuple(found)


def _ask(value: str | None, question: str, default: str | None, *, ask: bool, flag: str) -> str:
    if value:
        return value
    if ask:
        return str(click.prompt(question, default=default))
    if default is None:
        raise click.UsageError(f"{flag} is needed with --yes")
    return default


def _github(flags: Flags, *, ask: bool, online: bool) -> StarterSource:
    url = _ask(
        flags.github_url,
        "GitHub API URL (Enterprise Server: https://HOST/api/v3)",
        GITHUB_COM_API,
        ask=ask,
        flag="--github-url",
    )
    token_env = _ask(
        flags.github_token_env,
        "Environment variable holding the GitHub token",
        "GITHUB_TOKEN",
        ask=ask,
        flag="--github-token-env",
    )
    repos = _split(flags.repos)
    if not repos and ask:
        hint = " (blank: propose every one the token can read)" if online else ""
        repos = _split(
            click.prompt(
                f"Repositories, owner/name or owner/*, comma-separated{hint}",
                default="",
                show_default=False,
            )
            if online
            else click.prompt("Repositories, owner/name or owner/*, comma-separated")
        )
    if not repos and not online:
        raise click.UsageError("--repos is needed (or --online, to list what the token can read)")
    return StarterSource("github", "gh", url, token_env, repos=repos)


def _jira(flags: Flags, *, ask: bool, online: bool) -> StarterSource:
    url = _ask(
        flags.jira_url,
        "Jira URL (Cloud: https://SITE.atlassian.net, or your Data Center)",
        None,
        ask=ask,
        flag="--jira-url",
    )
    cloud = (urlsplit(url).hostname or "").endswith(".atlassian.net")
    auth = _ask(
        flags.jira_auth,
        "Authentication: basic (email + API token, Cloud) or bearer (personal access token, DC)",
        "basic" if cloud else "bearer",
        ask=ask,
        flag="--jira-auth",
    )
    if auth not in ("basic", "bearer"):
        raise click.UsageError(f"--jira-auth: {auth!r} is not basic or bearer")
    email = flags.jira_email
    if auth == "basic" and not email:
        email = _ask(None, "Email of the Jira account", None, ask=ask, flag="--jira-email")
    token_env = _ask(
        flags.jira_token_env,
        "Environment variable holding the Jira token",
        "JIRA_TOKEN",
        ask=ask,
        flag="--jira-token-env",
    )
    projects = tuple(key.upper() for key in _split(flags.projects))
    if not projects and ask:
        hint = " (blank: propose every one the account can see)" if online else ""
        answer = click.prompt(
            f"Project keys, comma-separated{hint}",
            default="" if online else None,
            show_default=False,
        )
        projects = tuple(key.upper() for key in _split(answer))
    if not projects and not online:
        raise click.UsageError(
            "--projects is needed (or --online, to list what the account can see)"
        )
    return StarterSource(
        "jira",
        "jira",
        url,
        token_env,
        projects=projects,
        auth="basic" if auth == "basic" else "bearer",
        email=email if auth == "basic" else None,
    )
