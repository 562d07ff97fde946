"""The dashboard at ``/`` of a running service, as a person sees it: headless
Chromium loads it from the live store, with no console errors, and a
screenshot is kept with the test output."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from service_helpers import LABEL, T0, ServiceProcess, wait_for
from support_browser import browse, chromium

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.seeds import GitHubIssueSeed


@pytest.mark.browser
def test_the_live_dashboard_renders_in_chromium_without_console_errors(
    service: ServiceProcess,
    sandbox: Sandbox,
    tmp_path: Path,
    record_property: pytest.RecordProperty,
) -> None:
    browser = chromium()
    service.start()
    service.wait_polled()
    service.hook_github()
    sandbox.github.create_issue(
        GitHubIssueSeed(
            repo="acme/web",
            number=20,
            title="Work nobody asked for",
            body="",
            labels=[],
            created_at=T0,
            updated_at=T0,
        )
    )
    wait_for(lambda: LABEL in sandbox.github.labels("acme/web", 20), 10, "the orphan flagged")
    url = f"{service.admin_base}/"
    wait_for(lambda: "acme/web#20" in service.admin.get("/").text, 20, "the page rendered after it")

    dumped = browse(
        browser, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom", url
    )

    console = [line for line in dumped.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    assert "<title>Golden thread report</title>" in dumped.stdout
    assert "acme/web#20" in dumped.stdout
    assert 'http-equiv="refresh"' in dumped.stdout

    screenshot = tmp_path / "dashboard.png"
    browse(
        browser, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1280,1600", url
    )
    header = screenshot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1280, 1600)
    assert screenshot.stat().st_size > 30_000  # a blank page compresses to a few kilobytes
    record_property("screenshot", str(screenshot))
    print(f"screenshot: {screenshot}")
