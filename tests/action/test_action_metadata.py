"""action.yml is a valid action by the published metadata schema (SchemaStore's
github-action.json, pinned and checksummed), installs the released version,
and hands every input to the entry script."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / ".venv" / "share" / "api-descriptions" / "github-actions.json"
SCHEMA_SHA256 = "224326cc5a334bdb97b56b6fc320cd4381ba7d61b477b425ed506e6a420b52ba"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def action() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_schema_is_the_pinned_schemastore_one() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert (
        json.loads(SCHEMA.read_text())["$id"] == "https://json.schemastore.org/github-action.json"
    )


def test_action_yml_is_valid_by_the_published_action_metadata_schema() -> None:
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))
    assert [error.message for error in validator.iter_errors(action())] == []


def test_the_schema_catches_what_github_would_refuse() -> None:
    broken = action()
    broken["runs"]["using"] = "docker-compose"
    del broken["description"]
    assert len(list(Draft7Validator(json.loads(SCHEMA.read_text())).iter_errors(broken))) >= 2


def test_the_install_is_pinned_to_the_released_version_and_actions_to_commits() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    steps = action()["runs"]["steps"]
    installs = [step["run"] for step in steps if "pip install" in step.get("run", "")]
    assert installs == [
        f'python -m pip install --disable-pip-version-check --quiet "goldthread=={version}"'
    ]
    assert all(PINNED.match(step["uses"]) for step in steps if "uses" in step)


def test_every_input_reaches_the_entry_script_as_an_input_variable() -> None:
    metadata = action()
    [run] = [step for step in metadata["runs"]["steps"] if step.get("id") == "goldthread"]
    handed = {
        value.removeprefix("${{ inputs.").removesuffix(" }}")
        for value in run["env"].values()
        if value.startswith("${{ inputs.")
    }
    assert handed == set(metadata["inputs"]) - {"python-version"}
    for name in handed:
        assert run["env"][f"INPUT_{name.upper().replace('-', '_')}"] == f"${{{{ inputs.{name} }}}}"
