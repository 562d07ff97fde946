"""goldthread's configuration: one settings root, loaded and validated at start-up.

``load_settings`` reads ``goldthread.toml`` (or ``--config``/``GOLDTHREAD_CONFIG``)
and the ``GOLDTHREAD_*`` environment, raising :class:`~goldthread.errors.ConfigError`
with every problem at once; ``resolve_secrets`` reads the secrets a command
needs. The result is passed down explicitly, never read from a global.
"""

from goldthread.config.durations import Duration, PositiveDuration, format_duration, parse_duration
from goldthread.config.groups import (
    DaemonSettings,
    PolicySettings,
    RuleSettings,
    ServerSettings,
    StoreSettings,
    TraceSettings,
    WritebackSettings,
)
from goldthread.config.loading import (
    CONFIG_ENV,
    DEFAULT_FILE,
    INIT_HINT,
    config_file,
    load_settings,
    require_sources,
    where_looked,
)
from goldthread.config.notifying import (
    DigestSettings,
    EmailTarget,
    NotifyTarget,
    OwnerSettings,
    WebhookTarget,
)
from goldthread.config.secrets import ResolvedSecrets, known_secret_values, resolve_secrets
from goldthread.config.settings import Settings
from goldthread.config.sources import GitHubSource, JiraSource, Source

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_FILE",
    "INIT_HINT",
    "DaemonSettings",
    "DigestSettings",
    "Duration",
    "EmailTarget",
    "GitHubSource",
    "JiraSource",
    "NotifyTarget",
    "OwnerSettings",
    "PolicySettings",
    "PositiveDuration",
    "ResolvedSecrets",
    "RuleSettings",
    "ServerSettings",
    "Settings",
    "Source",
    "StoreSettings",
    "TraceSettings",
    "WebhookTarget",
    "WritebackSettings",
    "config_file",
    "format_duration",
    "known_secret_values",
    "load_settings",
    "parse_duration",
    "require_sources",
    "resolve_secrets",
    "where_looked",
]
