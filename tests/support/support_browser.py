"""Headless Chromium for the tests that look at a page as a person would."""

from __future__ import annotations

import os
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
    """The browser binary; a missing one fails the run in CI, and only skips elsewhere."""
    found = next((path for name in _BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        message = "headless Chromium is needed: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
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
