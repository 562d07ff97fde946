"""A store that can be taken down or made to hang, at goldthread's own seam.

``Outage(store)`` behaves as ``store`` until told otherwise: while ``down``
is set, every call raises :class:`StoreError` (a server that refuses
connections); while ``stuck`` is set, every call blocks until it is cleared
(a server that stopped answering). ``trip`` takes the store down the moment a
given method is called, to start an outage in the middle of a round.
:meth:`bounded` views share the switches, as a real store's views share
its connections.
"""

from __future__ import annotations

import threading
from typing import Any, cast

from goldthread.errors import StoreError
from goldthread.store import Store

STUCK_LIMIT_S = 30.0


class Outage:
    def __init__(self, store: Store, *, switches: Outage | None = None) -> None:
        self._store = store
        self.down: threading.Event = switches.down if switches else threading.Event()
        self.stuck: threading.Event = switches.stuck if switches else threading.Event()
        self.unstuck: threading.Event = switches.unstuck if switches else threading.Event()
        self.trips: set[str] = switches.trips if switches else set()
        self.calls: list[str] = switches.calls if switches else []

    def as_store(self) -> Store:
        return cast(Store, self)

    def trip(self, method: str) -> None:
        """Go down as soon as ``method`` is called (that call fails too)."""
        self.trips.add(method)

    def hang(self) -> None:
        self.unstuck.clear()
        self.stuck.set()

    def release(self) -> None:
        self.stuck.clear()
        self.unstuck.set()

    def bounded(self, seconds: float) -> Store:
        return Outage(self._store.bounded(seconds), switches=self).as_store()

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if not callable(found):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            if name in self.trips:
                self.trips.discard(name)
                self.down.set()
            if self.stuck.is_set():
                self.unstuck.wait(STUCK_LIMIT_S)
            if self.down.is_set():
                raise StoreError(f"store (test outage): {name} failed: the server is down")
            return found(*args, **kwargs)

        return call
