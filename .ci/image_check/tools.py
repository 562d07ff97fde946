"""checkov and podman-compose, in a virtualenv of their own.

They come from PyPI, every package pinned by
``.ci/image-check-requirements.txt`` (checkov's own pins conflict with
goldthread's, so they cannot share its virtualenv). The virtualenv is kept
and made again only when that file changed; on a fresh machine it is
installed while the stand-in base is made.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from image_check.steps import ROOT, CheckError, run

TOOLS = ROOT / ".venv" / "image-check"
BIN = TOOLS / "bin"
REQUIREMENTS = ROOT / ".ci" / "image-check-requirements.txt"
STAMP = TOOLS / "requirements.txt"
LOG = TOOLS / "install.log"


class Tools:
    """The tools' virtualenv, installed in the background if it is not current."""

    def __init__(self) -> None:
        self._install: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if STAMP.is_file() and STAMP.read_text() == REQUIREMENTS.read_text():
            return
        shutil.rmtree(TOOLS, ignore_errors=True)
        run([sys.executable, "-m", "venv", str(TOOLS)])
        with LOG.open("wb") as log:
            self._install = subprocess.Popen(
                [str(BIN / "python"), "-m", "pip", "install", "--quiet",
                 "--disable-pip-version-check", "--requirement", str(REQUIREMENTS)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip

    def ready(self) -> None:
        """Wait for the install, if one runs; fail if it failed."""
        if self._install is None:
            return
        if self._install.wait(timeout=900) != 0:
            raise CheckError(f"installing the tools failed:\n{LOG.read_text()[-3000:]}")
        shutil.copyfile(REQUIREMENTS, STAMP)
        self._install = None

    def stop(self) -> None:
        """End an install still running (the check failed before it was needed)."""
        if self._install is not None and self._install.poll() is None:
            self._install.terminate()
            self._install.wait(timeout=30)
