"""Checking what ``goldthread init`` wrote: the schema, then the real loader."""

from __future__ import annotations

import tomllib
from pathlib import Path

from jsonschema import Draft4Validator

from goldthread.config import Settings, load_settings
from goldthread.config.schema import DIRECTIVE, SCHEMA_FILE, config_schema


def written(path: Path) -> Settings:
    """The config at ``path``, checked as an editor and as goldthread would check it."""
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == DIRECTIVE
    assert (path.parent / SCHEMA_FILE).is_file()
    errors = [e.message for e in Draft4Validator(config_schema()).iter_errors(tomllib.loads(text))]
    assert errors == []
    return load_settings(path)
