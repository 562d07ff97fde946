"""The doctor's look at a GitHub source: what its credentials may read and write.

A classic token says its scopes in ``X-OAuth-Scopes`` (``repo`` writes
everywhere, ``public_repo`` only to public repositories); a fine-grained
token says nothing there, so each repository's ``permissions`` (as GitHub
reports them for the account) decide: labels need *triage* or better,
comments only *read*. A GitHub App's installation token lists what it was
granted: goldthread needs ``issues: write``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from goldthread.connectors.health import Finding, Health, Severity, budget_finding
from goldthread.errors import SkippableError

if TYPE_CHECKING:
    from goldthread.connectors.github.connector import GitHubConnector

CLASSIC_FIX = "give the token the repo scope (classic), or use a fine-grained token with Issues: Read and write"
APP_FIX = (
    "grant the App Issues: Read and write (its settings, Permissions), then accept the "
    "new permissions on each installation"
)


def examine(connector: GitHubConnector, *, writes: bool) -> Health:
    who = connector.check().split("; ")[0]
    findings = [_reading(connector), *_writing(connector, writes=writes)]
    kinds = connector.link_kinds()
    links = Finding("links", kinds.describe())
    if kinds.missing:
        links = Finding(
            "links",
            kinds.describe(),
            Severity.WARNING,
            "upgrade the server, or link work by references in the body (trace.reference_patterns)",
        )
    findings.append(links)
    findings += [
        Finding(
            "scope",
            f"repository {old} is now {new}; put the new name in repos",
            Severity.WARNING,
            f"replace {old!r} by {new!r} in repos",
        )
        for old, new in connector.scope().renamed
    ]
    findings.append(budget_finding(connector.budget(), unknown="not announced"))
    return Health(who=who, findings=tuple(findings))


def _reading(connector: GitHubConnector) -> Finding:
    try:
        repos = connector.scopes()
    except SkippableError as error:
        return Finding("read", str(error), Severity.PROBLEM, "check repos and the credentials")
    unreadable = sorted(connector.unreadable)
    if unreadable:
        return Finding(
            "read",
            f"cannot read {', '.join(unreadable)}",
            Severity.PROBLEM,
            "fix the name in repos, or give goldthread's account read access to it",
        )
    shown = ", ".join(repos[:5]) + (f" and {len(repos) - 5} more" if len(repos) > 5 else "")
    return Finding("read", f"{len(repos)} repositories: {shown}")


def _writing(connector: GitHubConnector, *, writes: bool) -> list[Finding]:
    severity = Severity.PROBLEM if writes else Severity.WARNING
    http = connector.http
    if http.is_app:
        issues = http.granted.get("issues")
        if issues == "write":
            return [Finding("write", "labels and comments (the App is granted issues: write)")]
        return [
            Finding(
                "write",
                f"the App is granted issues: {issues or 'none'}; it cannot label or comment",
                severity,
                APP_FIX,
            )
        ]
    found: list[Finding] = []
    scopes = http.oauth_scopes
    if scopes is not None:
        listed = ", ".join(scopes) or "none"
        if "repo" in scopes:
            found.append(Finding("write", f"labels and comments (token scopes: {listed})"))
        elif "public_repo" in scopes:
            found.append(
                Finding(
                    "write",
                    f"public repositories only (token scopes: {listed})",
                    Severity.WARNING,
                    CLASSIC_FIX,
                )
            )
        else:
            found.append(
                Finding(
                    "write",
                    f"nothing: the token's scopes ({listed}) allow no issue writes",
                    severity,
                    CLASSIC_FIX,
                )
            )
    read_only = sorted(
        repo
        for repo, granted in connector.permissions.items()
        if not (granted.get("triage") or granted.get("push") or granted.get("admin"))
    )
    if read_only:
        found.append(
            Finding(
                "write",
                f"cannot label issues in {', '.join(read_only)} (read access only)",
                severity,
                "give goldthread's account Triage (or Write) access to those repositories",
            )
        )
    if not found:
        found.append(
            Finding(
                "write",
                "labels and comments, by the repositories' permissions (a fine-grained "
                "token does not announce its own: it needs Issues: Read and write)",
            )
        )
    return found
