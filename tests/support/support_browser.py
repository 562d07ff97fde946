"""Headless Chromium for the tests that look at a page as a person would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

_BROWSERS = ("chromium", "chromium-browser", "google-chrome")
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    """The browser binary; without one the check fails (``make test`` installs it)."""
    found = next((path for name in _BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        pytest.fail("headless Chromium is needed: apt-get install -y chromium (make test does)")
    return found


def browse(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One headless run of ``browser`` with its own profile; a failure raises."""
    return subprocess.run(
        [browser, *_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
