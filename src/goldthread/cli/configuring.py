"""``goldthread config schema``: the JSON Schema of ``goldthread.toml``, for editors.

Save it beside the config (``goldthread init`` does) and the ``#:schema``
directive at the top of the config lets Taplo / Even Better TOML complete and
check every key.
"""

from __future__ import annotations

import click

from goldthread.config.schema import schema_text


@click.group("config")
def config() -> None:
    """About goldthread.toml itself."""


@config.command("schema")
def schema() -> None:
    """Print the JSON Schema of goldthread.toml (for editors: save it as
    goldthread.schema.json beside the config, which starts with the line
    `#:schema ./goldthread.schema.json`)."""
    click.echo(schema_text(), nl=False)
