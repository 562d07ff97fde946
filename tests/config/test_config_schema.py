"""The JSON Schema editors check goldthread.toml with: generated from the settings
model, draft 4 (what Taplo reads), describing every key, agreeing with the loader."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator

from goldthread.cli import cli
from goldthread.config.schema import DIRECTIVE, config_schema, schema_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.toml"
COMMITTED = ROOT / "goldthread.schema.json"


def validator() -> Draft4Validator:
    schema = config_schema()
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def problems(document: dict[str, object]) -> list[str]:
    return sorted(
        "/".join(map(str, error.absolute_path)) for error in validator().iter_errors(document)
    )


def test_config_schema_prints_the_schema_as_json() -> None:
    result = CliRunner().invoke(cli, ["config", "schema"], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == config_schema()
    assert json.loads(result.stdout)["$schema"] == "http://json-schema.org/draft-04/schema#"


def test_the_committed_schema_is_the_generated_one() -> None:
    """config.example.toml points at it; regenerate with `make schema` when keys change."""
    assert COMMITTED.read_text(encoding="utf-8") == schema_text()


def test_the_example_names_the_schema_and_passes_it() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.splitlines()[0] == DIRECTIVE
    assert problems(tomllib.loads(text)) == []


def test_every_key_has_a_description_and_durations_show_as_written() -> None:
    schema = config_schema()
    undescribed = [
        f"{name}.{key}"
        for name, definition in schema["definitions"].items()
        for key, field in definition.get("properties", {}).items()
        if not field.get("description")
    ]
    undescribed += [k for k, v in schema["properties"].items() if not v.get("description")]
    assert undescribed == []
    daemon = schema["definitions"]["DaemonSettings"]["properties"]
    assert daemon["poll_interval"]["default"] == "5m"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"daemon": {"poll_interval": "5 minutes"}}, "daemon/poll_interval"),
        ({"writeback": {"speed": 3}}, "writeback"),
        ({"speed": 3}, ""),
        ({"rules": [{"layer": "mission"}]}, "rules/0/layer"),
        ({"sources": [{"name": "GH", "type": "github", "repos": ["a/b"]}]}, "sources/0"),
        ({"sources": [{"name": "j", "type": "jira", "url": "x", "projects": ["P"]}]}, "sources/0"),
        ({"server": {"port": 0}}, "server/port"),
    ],
)
def test_what_the_loader_refuses_the_schema_flags_at_the_same_key(
    change: dict[str, object], where: str
) -> None:
    assert problems(change) == [where]


def test_one_secret_name_or_a_list_of_them_both_pass() -> None:
    assert problems({"server": {"github_webhook_secret_env": "HOOK"}}) == []
    assert problems({"server": {"github_webhook_secret_env": ["NEW", "OLD"]}}) == []
