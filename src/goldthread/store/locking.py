"""One goldthread process per store file.

Two services pointed at one SQLite file would each poll, evaluate and write
back, and race on the inbox. An exclusive, non-blocking ``flock`` on a
``<db>.lock`` file next to the database makes the second one refuse to start
instead. The kernel drops the lock when the process dies, so a crash never
leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from goldthread.errors import StoreError, StoreLockedError


class ProcessLock:
    """An exclusive lock on ``path``, held from :meth:`acquire` to :meth:`release`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`StoreLockedError` at once; never waits."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(
                f"cannot create the store lock file {self.path}: {exc.strerror or exc}"
                " (is the directory there and writable?)"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise StoreLockedError(
                f"another goldthread process is using the store (lock {self.path} is held);"
                " stop it first, or point this one at another store"
            ) from exc
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"cannot lock {self.path}: {exc.strerror or exc}") from exc
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock; safe to call twice."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
