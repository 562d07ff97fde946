"""A fresh sandbox with the seeded ~200-item organisation, and a config pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_helpers import Workspace

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    with Sandbox() as sandbox:
        sandbox.load(generate(200, seed=7))
        space = Workspace(sandbox, tmp_path)
        space.config.write_text(sandbox.config_toml(f"sqlite:///{space.store}"))
        yield space
