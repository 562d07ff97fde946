"""Running commands and timing the steps of the check."""

from __future__ import annotations

import shlex
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


class CheckError(Exception):
    """A check that does not hold; the message says what was seen."""


def ensure(condition: object, message: str) -> None:
    if not condition:
        raise CheckError(message)


def run(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """``command`` at the repository's root; a failure shows its output."""
    done = subprocess.run(
        list(command),
        cwd=ROOT,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise CheckError(
            f"{shlex.join(command)} exited {done.returncode}:\n"
            f"{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    return done


def wait_until(check: Callable[[], T | None], timeout: float, what: str) -> T:
    """``check()`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise CheckError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def http_status(url: str, timeout: float = 5.0) -> int:
    """The status ``url`` answers with (0: no answer)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


def http_text(url: str, timeout: float = 5.0) -> tuple[int, str, str]:
    """Status, content type and body of ``url``."""
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        body = answer.read().decode("utf-8", errors="replace")
        return int(answer.status), str(answer.headers.get("content-type", "")), body


class Timings:
    """Each step's wall time, printed as it ends and summed at the end."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []
        self.facts: list[str] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        print(f"image-check: {name} ...", flush=True)
        started = time.monotonic()
        yield
        seconds = time.monotonic() - started
        self.steps.append((name, seconds))
        print(f"image-check: {name}: ok ({seconds:.1f} s)", flush=True)

    def fact(self, text: str) -> None:
        """A figure for the summary (image size, stop time)."""
        self.facts.append(text)
        print(f"image-check:   {text}", flush=True)

    def summary(self) -> str:
        lines = [f"  {seconds:6.1f} s  {name}" for name, seconds in self.steps]
        total = sum(seconds for _, seconds in self.steps)
        return "\n".join(
            ["image-check: passed", *lines, f"  {total:6.1f} s  in all (these steps)"]
            + [f"  {fact}" for fact in self.facts]
        )
