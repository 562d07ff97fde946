"""A fresh sandbox with a seeded organisation and a config pointing at it."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_helpers import FIGURES_ENV, Workspace

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate

ORG_SIZE = 40
ORG_SEED = 11


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    with Sandbox() as sandbox:
        sandbox.load(generate(ORG_SIZE, seed=ORG_SEED))
        space = Workspace(sandbox, tmp_path)
        space.config.write_text(sandbox.config_toml(f"sqlite:///{space.store}"), encoding="utf-8")
        yield space


def pytest_configure(config: pytest.Config) -> None:
    """One figures file per session, shared with xdist workers through the environment."""
    if FIGURES_ENV not in os.environ and not hasattr(config, "workerinput"):
        handle, path = tempfile.mkstemp(prefix="goldthread-reliability-", suffix=".jsonl")
        os.close(handle)
        os.environ[FIGURES_ENV] = path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The suite's figures: fault cases, kills, duplicates, lost deliveries, fuzz inputs."""
    path = os.environ.get(FIGURES_ENV)
    if not path or not Path(path).exists():
        return
    totals: Counter[str] = Counter()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        totals[entry["figure"]] += entry["amount"]
    if totals:
        terminalreporter.write_line(
            "reliability figures: "
            + ", ".join(f"{k}={_shown(v)}" for k, v in sorted(totals.items()))
        )


def _shown(value: float) -> str:
    return str(value) if float(value).is_integer() else f"{value:.2f}"
