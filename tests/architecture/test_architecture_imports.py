"""The import contracts in pyproject.toml catch what they say they forbid.

Each case plants one forbidden import in a copy of the package and runs
import-linter on the copy with the project's own contracts: the contract
that names the rule must report it broken. A contract too loose to notice
(a source list missing a module, a layer left out) fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "goldthread"
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]

PLANTED = [
    ("tracker-clients", "errors.py", "import jira"),
    ("tracker-clients", "logs.py", "import github"),
    ("tracker-clients", "sync/cycle.py", "from github import Github"),
    ("pure-core", "core/model.py", "import goldthread.clock"),
    ("pure-core", "core/rules.py", "import logging"),
    ("pure-core", "core/tracing.py", "import time"),
    ("pure-core", "core/graph.py", "import structlog"),
    ("sandbox-apart", "sync/cycle.py", "import goldthread.sandbox.control"),
    ("sandbox-apart", "cli/run.py", "from goldthread.sandbox.org import generate"),
    ("sandbox-alone", "sandbox/http.py", "from goldthread.connectors.jira import JiraConnector"),
    ("sandbox-alone", "sandbox/github.py", "import goldthread.store.codec"),
    ("layers", "store/codec.py", "import goldthread.sync.cycle"),
    ("layers", "clock.py", "import goldthread.config"),
    ("layers", "errors.py", "import goldthread.core.model"),
]


def _contract(contract_id: str) -> dict[str, object]:
    for contract in CONTRACTS["contracts"]:
        if contract.get("id") == contract_id:
            return dict(contract)
    raise AssertionError(f"no contract with id {contract_id!r} in pyproject.toml")


def _lint(tree: Path) -> str:
    config = tree / "importlinter.toml"
    lines = ["[tool.importlinter]", 'root_package = "goldthread"']
    lines.append("include_external_packages = true")
    config.write_text("\n".join(lines) + "\n")
    # The contracts themselves, exactly as the project declares them.
    with config.open("a") as out:
        for contract in CONTRACTS["contracts"]:
            out.write("\n[[tool.importlinter.contracts]]\n")
            for key, value in contract.items():
                out.write(f"{key} = {_toml(value)}\n")
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(config), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return result.stdout + result.stderr


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(value)


@pytest.mark.parametrize(
    ("contract_id", "module", "line"),
    PLANTED,
    ids=[f"{c}:{m}:{line}" for c, m, line in PLANTED],
)
def test_a_planted_import_breaks_the_contract_that_forbids_it(
    tmp_path: Path, contract_id: str, module: str, line: str
) -> None:
    shutil.copytree(
        PACKAGE, tmp_path / "src" / "goldthread", ignore=shutil.ignore_patterns("__pycache__")
    )
    target = tmp_path / "src" / "goldthread" / module
    target.write_text(target.read_text() + f"\n{line}  # planted\n")

    report = _lint(tmp_path)

    name = _contract(contract_id)["name"]
    assert f"{name} BROKEN" in report, report


def test_the_unchanged_copy_keeps_every_contract(tmp_path: Path) -> None:
    shutil.copytree(
        PACKAGE, tmp_path / "src" / "goldthread", ignore=shutil.ignore_patterns("__pycache__")
    )

    report = _lint(tmp_path)

    assert f"Contracts: {len(CONTRACTS['contracts'])} kept, 0 broken." in report, report


def test_every_top_level_module_is_in_a_layer() -> None:
    layers = _contract("layers")["layers"]
    assert isinstance(layers, list)
    named = {part.strip() for layer in layers for part in str(layer).split("|")}
    modules = {
        f"goldthread.{path.stem}"
        for path in PACKAGE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }

    assert sorted(modules - named) == []


def test_the_layer_diagram_in_the_architecture_guide_is_the_contract() -> None:
    guide = (ROOT / "docs" / "architecture.md").read_text()
    block = guide.split("```layers\n", 1)[1].split("```", 1)[0]
    drawn = [line.strip() for line in block.splitlines() if line.strip()]
    layers = _contract("layers")["layers"]
    assert isinstance(layers, list)

    declared = [str(layer).replace("goldthread.", "") for layer in layers]

    assert drawn == declared
