"""The service's two HTTP listeners, served by uvicorn in one event loop.

The webhook listener (``server.host:port``) takes deliveries and answers the
probes; the admin listener (``server.admin_host:admin_port``) serves the
dashboard and ``/metrics``. The first handles SIGTERM and SIGINT for both:
a signal stops intake at once (each closes its listening socket and finishes
the requests in flight) and asks the service's threads to stop.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

import uvicorn

from goldthread.logs import get_logger

log = get_logger("goldthread.service")

MAX_CONNECTIONS = 512
"""Connections (and requests in flight) a listener serves at once; more are
answered 503 at once, so idle or slow clients cannot use up file descriptors."""


class _Server(uvicorn.Server):
    """uvicorn, with goldthread's signal handling: a signal asks for a graceful
    stop (and stops the worker and poller from starting new work); it is not
    raised again after the server stopped, so the process exits 0."""

    def __init__(
        self,
        config: uvicorn.Config,
        stop: threading.Event,
        companions: Sequence[uvicorn.Server] = (),
    ) -> None:
        super().__init__(config)
        self._stop_event = stop
        self._companions = tuple(companions)

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handle(sig: int, _frame: FrameType | None) -> None:
            log.info("service.stopping", signal=signal.Signals(sig).name)
            self._stop_event.set()
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True
            for companion in self._companions:
                companion.should_exit = True

        originals = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, original in originals.items():
                signal.signal(sig, original)


class _Companion(uvicorn.Server):
    """A second listener in the same event loop: the first one's signal
    handling stops it (it installs none of its own)."""

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _stop_early_on_signals(servers: Sequence[uvicorn.Server], stop: threading.Event) -> None:
    """A signal before uvicorn has taken over still stops cleanly (exit 0)."""

    def handle(_sig: int, _frame: FrameType | None) -> None:
        stop.set()
        for server in servers:
            server.should_exit = True

    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handle)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket (``port`` 0 picks a free one).

    Made with an explicit ``IPPROTO_TCP`` so that asyncio turns Nagle's
    algorithm off on every accepted connection; without it a response sent in
    two writes waits for the client's delayed ACK (40 ms) on keep-alive.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Listeners:
    """The webhook and admin listeners, each an ASGI app on a bound socket."""

    def __init__(
        self,
        *,
        webhooks: tuple[Any, socket.socket],
        admin: tuple[Any, socket.socket],
        stop: threading.Event,
        grace_seconds: float,
    ) -> None:
        self._sockets = {"webhooks": webhooks[1], "admin": admin[1]}
        graceful = max(1, int(grace_seconds))
        self._admin = _Companion(_config(admin[0], graceful))
        self._main = _Server(_config(webhooks[0], graceful), stop, companions=[self._admin])
        _stop_early_on_signals([self._main, self._admin], stop)

    def url(self, name: str) -> str:
        host, port = self._sockets[name].getsockname()[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def run(self) -> None:
        """Serve both until a signal stops them."""
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        await asyncio.gather(
            self._main.serve(sockets=[self._sockets["webhooks"]]),
            self._admin.serve(sockets=[self._sockets["admin"]]),
        )


def _config(app: Any, graceful: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=graceful,
        limit_concurrency=MAX_CONNECTIONS,
        server_header=False,
    )
