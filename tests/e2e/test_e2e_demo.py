"""``goldthread demo`` from an empty directory: sandbox, backfill, report, page, next steps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_runs_end_to_end_without_any_config(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOLDTHREAD_")}
    done = subprocess.run(
        [sys.executable, "-m", "goldthread", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = tmp_path / "goldthread-demo.html"
    assert "<html" in page.read_text(encoding="utf-8").lower()
    assert "Coverage" in done.stdout
    assert "The comment goldthread posted on gh:" in done.stdout
    assert "Likely parents" in done.stdout  # the comment shown names its likely parents
    assert '"level": "error"' not in done.stderr
    for step in ("goldthread check --online", "--dry-run", "goldthread run", "goldthread fix"):
        assert step in done.stdout
    assert list(tmp_path.iterdir()) == [page]
