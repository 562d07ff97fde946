"""What the root command hands to every subcommand: where the config is,
how to log, and the settings and secrets, each loaded only when asked for."""

from __future__ import annotations

from dataclasses import dataclass, field

from goldthread.config import (
    ResolvedSecrets,
    Settings,
    known_secret_values,
    load_settings,
    require_sources,
    resolve_secrets,
)
from goldthread.logs import LogFormat, add_secret


@dataclass
class CliContext:
    """``click``'s ``ctx.obj`` for goldthread commands.

    Commands that need no config (``demo``, ``--help``) never load it; the
    others call :meth:`settings` and, before contacting a tracker or serving
    webhooks, :meth:`secrets`.
    """

    config_path: str | None = None
    log_format: LogFormat | None = None
    log_level: str = "info"
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self, *, sources: bool = False) -> Settings:
        """The validated settings; raises ``ConfigError`` listing every problem.

        ``sources``: the command reads trackers, so a config naming none is an
        error too (exit 2, before any store is created), not a silent no-op.
        """
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        if sources:
            require_sources(self._settings, self.config_path)
        return self._settings

    def secrets(self, *, sources: bool, webhooks: bool, notify: bool = False) -> ResolvedSecrets:
        """Read the secrets a command uses and teach the log redactor their values."""
        resolved = resolve_secrets(
            self.settings(), sources=sources, webhooks=webhooks, notify=notify
        )
        for value in known_secret_values(resolved):
            add_secret(value)
        return resolved
