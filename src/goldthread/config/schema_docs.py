"""What every config key means, as editors show it (the schema's descriptions).

Keyed by dotted config path; ``sources.*`` covers both source types. The
README's reference table says the same in more words.
"""

from __future__ import annotations

DESCRIPTIONS: dict[str, str] = {
    "store": "Where goldthread keeps its state.",
    "store.url": (
        "sqlite:///PATH (embedded, the default) or postgresql://HOST/DB shared by several "
        "replicas; give a password through GOLDTHREAD_STORE__URL, never here."
    ),
    "sources": "One table per tracker connection: a GitHub host or a Jira site.",
    "sources.name": "The ref prefix (gh -> gh:acme/web#12): unique, lowercase a-z 0-9 _ -.",
    "sources.type": "github or jira.",
    "sources.timeout": "How long one API request may take before it is retried (30s).",
    "sources.base_url": (
        "GitHub API base URL: https://api.github.com, or https://HOST/api/v3 for Enterprise Server."
    ),
    "sources.token_env": "Name of the environment variable holding the token.",
    "sources.token_file": "Path of a mounted file holding the token.",
    "sources.app_id": "A GitHub App instead of a token: the App's id.",
    "sources.private_key_env": "GitHub App: variable holding the App's private key (PEM).",
    "sources.private_key_file": "GitHub App: mounted file holding the App's private key (PEM).",
    "sources.installation_id": "GitHub App: installation id (looked up per owner when absent).",
    "sources.repos": (
        "Repositories: owner/name, or owner/* for every repository of that owner the "
        "credentials can read."
    ),
    "sources.include_pull_requests": "Pull requests count as items only when true.",
    "sources.url": "Jira Cloud site (https://acme.atlassian.net) or Data Center base URL.",
    "sources.auth": "basic = email + API token (Cloud); bearer = personal access token (DC).",
    "sources.email": "The Jira account of the API token (auth = basic).",
    "sources.projects": "Jira project keys to read.",
    "sources.jql": "Optional extra JQL, ANDed with the project filter; part of the scope.",
    "sources.parent_link_types": (
        "Issue link types (name or outward phrase) that point from child to parent."
    ),
    "rules": (
        "Layer rules, first match wins; every condition given in one rule must match. "
        "An item matching none gets trace.default_layer."
    ),
    "rules.layer": "vision, strategy or execution.",
    "rules.labels": "Any of these labels: shell-style globs, case-insensitive.",
    "rules.types": "Any of these Jira issue type / GitHub issue type names, case-insensitive.",
    "rules.sources": "Only items of these sources.",
    "trace": "How parent chains are judged.",
    "trace.default_layer": "Layer of an item no rule matches, or none (it is then exempt).",
    "trace.allow_layer_skip": "true: execution directly under vision counts as traced.",
    "trace.reference_patterns": (
        "Regular expressions with a `ref` group naming a parent in an item's body."
    ),
    "policy": "Which items are never flagged.",
    "policy.exempt_labels": "Items with any of these labels are exempt (globs).",
    "policy.exempt_types": "Items of these types are exempt.",
    "policy.skip_closed": "Closed/done items are reported but never flagged.",
    "policy.grace_period": "Flag only items created longer ago than this (0s).",
    "writeback": "What goldthread writes on untraced items.",
    "writeback.enabled": "false: evaluate and report only, write nothing.",
    "writeback.dry_run": "true: log and report the planned writes, send none.",
    "writeback.label": 'goldthread\'s label on untraced items; "" writes comments only.',
    "writeback.comment": "false: write the label only, no comment.",
    "writeback.on_resolve": "goldthread's comment once the item is traced: update, delete, keep.",
    "writeback.max_writes_per_run": "Safety valve: a run stops writing after this many writes.",
    "writeback.writes_per_minute": "Pacing of mutating requests, per source.",
    "writeback.confirm_large": "A run that would flag over half of all items waits for --yes.",
    "daemon": "The service's polling (goldthread run).",
    "daemon.poll_interval": "How often each source is polled for changes.",
    "daemon.full_resync_interval": "How often everything is read again (deletions).",
    "daemon.lease_ttl": "Replicas on PostgreSQL: how soon a survivor takes over a dead one's work.",
    "daemon.inbox_retention": (
        "How long finished webhook deliveries are kept (and replays of their bodies refused)."
    ),
    "server": "The service's HTTP side (goldthread run).",
    "server.host": "Address of the webhook listener (also /healthz, /readyz).",
    "server.port": "Port of the webhook listener.",
    "server.admin_host": "Address of the admin listener: the dashboard (/) and /metrics.",
    "server.admin_port": "Port of the admin listener.",
    "server.dashboard_token_env": (
        "Optional: variable holding a token the admin listener then requires as "
        "Authorization: Bearer."
    ),
    "server.dashboard_token_file": "Optional: mounted file holding the admin listener's token.",
    "server.body_read_timeout": "A webhook body not received within this is answered 408.",
    "server.max_concurrent_deliveries": (
        "Webhook bodies read at once; the rest wait within the read deadline, else 503."
    ),
    "server.github_webhook_secret_env": (
        "Variable(s) holding the GitHub webhook secret; a list for rotation; unset = route off."
    ),
    "server.github_webhook_secret_file": "Mounted file(s) holding the GitHub webhook secret.",
    "server.jira_webhook_secret_env": "Variable(s) holding the Jira webhook secret (HMAC).",
    "server.jira_webhook_secret_file": "Mounted file(s) holding the Jira webhook secret.",
    "server.jira_webhook_token_env": "Older Data Center: variable(s) holding a ?token= secret.",
    "server.jira_webhook_token_file": "Older Data Center: file(s) holding a ?token= secret.",
    "server.max_body_bytes": "Larger webhook deliveries are refused with 413.",
    "owners": (
        "Owner rules, first match wins: the team an item belongs to. Every condition given "
        "in one rule must match; an item matching none has no owner."
    ),
    "owners.team": "The owning team's name, as reports, --owner and digests show it.",
    "owners.sources": "Only items of these sources.",
    "owners.repos": "GitHub items of these repositories (owner/name globs, case-insensitive).",
    "owners.projects": "Jira items of these projects (key globs, case-insensitive).",
    "owners.components": "Jira items with any of these components (globs, case-insensitive).",
    "owners.labels": "Items with any of these labels (globs, case-insensitive).",
    "owners.notify": "The [[notify]] targets that get this team's digest.",
    "notify": "Where digests go: a Slack incoming webhook, a Teams workflow, or email.",
    "notify.name": "The target's name, as owners.notify lists it: lowercase a-z 0-9 _ -.",
    "notify.type": "slack, teams or email.",
    "notify.url_env": "Slack/Teams: variable holding the webhook URL (a secret).",
    "notify.url_file": "Slack/Teams: mounted file holding the webhook URL (a secret).",
    "notify.smtp_host": "Email: the SMTP server.",
    "notify.smtp_port": "Email: the SMTP port (587, the submission port).",
    "notify.starttls": "Email: upgrade the connection with STARTTLS (required with a username).",
    "notify.username": "Email: the SMTP account, if the server asks for one.",
    "notify.password_env": "Email: variable holding the SMTP password.",
    "notify.password_file": "Email: mounted file holding the SMTP password.",
    "notify.from": "Email: the sender address.",
    "notify.to": "Email: the recipient addresses.",
    "notify.ca_file": "Email: PEM file of the certificate authorities to trust (default: the system's).",
    "notify.timeout": "Email: how long the SMTP conversation may take (30s).",
    "digest": "When the service sends each owner's digest (goldthread run).",
    "digest.every": "How often: 7d (weekly), 1d (daily), or any duration of whole minutes.",
    "digest.at": "Local time of day (HH:MM) the period starts, in digest.timezone.",
    "digest.timezone": "IANA time zone of digest.at (Europe/Berlin); daylight saving time is kept.",
    "digest.weekday": "The day weekly (and longer) periods start: monday ... sunday.",
    "digest.oldest": "How many of the oldest untraced items each digest lists, with their age.",
}
