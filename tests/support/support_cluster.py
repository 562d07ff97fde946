"""A PostgreSQL cluster of a test's own, to restart, kill and bring back at will.

The shared server on 5432 serves every other test, so the database-outage
cases make their own cluster with the server's ``initdb`` and ``pg_ctl``
(``/usr/lib/postgresql/<version>/bin``, or ``$GOLDTHREAD_TEST_PG_BIN``), on a
free loopback port, with its socket and data in a temporary directory.
``initdb`` refuses to run as root, so as root the cluster runs as the
``postgres`` user.

"Kill" is SIGKILL to the postmaster and every server process beneath it, as
when a machine or container dies: no checkpoint, crash recovery on the next
start. ``fsync`` is off: a killed server loses nothing the kernel already
has, and the tests spare the shared disk.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Self

import psycopg

OWNER = "postgres"
START_TIMEOUT_S = 60


def server_bin() -> Path:
    """The directory of the newest installed server's programs."""
    chosen = os.environ.get("GOLDTHREAD_TEST_PG_BIN")
    if chosen:
        return Path(chosen)
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if not found:
        raise RuntimeError(
            "no PostgreSQL server programs (initdb, pg_ctl) found under /usr/lib/postgresql;"
            " install the server or set GOLDTHREAD_TEST_PG_BIN"
        )
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateCluster:
    """``initdb`` and ``postgres`` in a temporary directory; one database, ``goldthread``.

    The postmaster is this process's own child (not daemonised by
    ``pg_ctl``), so a killed one is reaped here at once and never lingers as
    a zombie that a new postmaster would take for a live one.
    """

    def __init__(self) -> None:
        self.bin = server_bin()
        self.directory = Path(tempfile.mkdtemp(prefix="goldthread-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._owner: dict[str, Any] = {}
        if os.geteuid() == 0:  # the server runs as its own user, who must own the directory
            owner = pwd.getpwnam(OWNER)
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
            self._owner = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/goldthread"

    def create(self) -> Self:
        """Make the cluster, start it, and create the empty database."""
        command = [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
        command += ["-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
            check=False,
            cwd=self.directory,
            **self._owner,
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        self.start()
        with psycopg.connect(self._admin_url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE goldthread")
        return self

    def _admin_url(self) -> str:
        return self.url.replace("/goldthread", "/postgres")

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        command = [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port)]
        command += ["-h", "127.0.0.1", "-k", str(self.directory)]
        command += ["-c", "fsync=off", "-c", "max_connections=60", "-c", "shared_buffers=16MB"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=log, cwd=self.directory, **self._owner
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited ({self.process.returncode}):\n{self.tail()}")
            try:
                psycopg.connect(self._admin_url(), connect_timeout=2).close()
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            else:
                return

    def restart(self) -> None:
        """A clean restart: sessions are ended, the server stops (fast
        shutdown, with a checkpoint) and starts again."""
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=START_TIMEOUT_S)
        self.start()

    def kill(self) -> None:
        """SIGKILL the postmaster and every server process beneath it."""
        if self.process is None or self.process.poll() is not None:
            return
        postmaster = self.process.pid
        victims = _children(postmaster)
        _signal(postmaster, signal.SIGKILL)
        self.process.wait(timeout=10)
        for pid in victims:
            _signal(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in victims) and time.monotonic() < deadline:
            time.sleep(0.02)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self, size: int = 3000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-size:]
        except OSError:
            return ""

    def destroy(self) -> None:
        """Stop the server, whatever state it is in, and remove everything."""
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Self:
        try:
            return self.create()
        except BaseException:
            self.destroy()
            raise

    def __exit__(self, *exc: object) -> None:
        self.destroy()


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _alive(pid: int) -> bool:
    """Running (a zombie awaiting its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
