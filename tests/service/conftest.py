"""Fixtures: the sandbox serving a small organisation, and a ``goldthread run``
subprocess pointed at it (stopped, with SIGKILL if need be, after each test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import ServiceProcess, small_org

from goldthread.sandbox.control import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        running.load(small_org())
        yield running


@pytest.fixture
def service(sandbox: Sandbox, tmp_path: Path) -> Iterator[ServiceProcess]:
    running = ServiceProcess(sandbox, tmp_path)
    try:
        yield running
    finally:
        running.close()
        sandbox.set_webhooks()
