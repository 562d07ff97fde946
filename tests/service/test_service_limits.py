"""Intake within bounds: a huge, slow or crowding delivery costs bounded
memory and time; a replayed body is not queued again; odd signed payloads
are refused or ignored, never a crash."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from service_harness import SECRET, Harness, app, body_of, sign
from service_helpers import fixture
from starlette.requests import Request

from goldthread.errors import IntakeBusyError
from goldthread.service.app import WebhookSecrets, read_body
from goldthread.store import InboxStatus

__all__ = ["app"]  # the fixture


def _harness(tmp_path: Path, **limits: float) -> Harness:
    return Harness(tmp_path, WebhookSecrets(github=(SECRET,)), **limits)  # type: ignore[arg-type]


@contextmanager
def slow_upload(harness: Harness, declared: int, first: bytes = b"{") -> Iterator[socket.socket]:
    """A signed-looking delivery whose body stops after ``first``, held open."""
    host, port = harness.served.base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    head = (
        f"POST /webhooks/github HTTP/1.1\r\nHost: {host}\r\nX-GitHub-Event: issues\r\n"
        f"X-Hub-Signature-256: sha256=00\r\nContent-Length: {declared}\r\n\r\n"
    )
    sock.sendall(head.encode() + first)
    try:
        yield sock
    finally:
        sock.close()


def _status_line(sock: socket.socket, timeout: float) -> str:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode()


def test_a_declared_size_over_the_limit_is_refused_before_the_body_is_sent(app: Harness) -> None:
    with slow_upload(app, declared=23 * 1024 * 1024, first=b"") as sock:
        assert _status_line(sock, timeout=5) == "HTTP/1.1 413 Request Entity Too Large"
    assert app.outcome("github", "too-large") == 1


def test_a_body_still_arriving_at_the_deadline_is_dropped_with_408(tmp_path: Path) -> None:
    with _harness(tmp_path, body_timeout=0.5) as harness:
        started = time.monotonic()
        with slow_upload(harness, declared=1000) as sock:
            status = _status_line(sock, timeout=5)
        waited = time.monotonic() - started

        assert status == "HTTP/1.1 408 Request Timeout"
        assert waited < 4
        assert harness.store.inbox() == []
        assert harness.outcome("github", "too-slow") == 1


def test_slow_uploads_holding_every_slot_delay_a_genuine_delivery_but_do_not_stop_it(
    tmp_path: Path,
) -> None:
    with _harness(tmp_path, body_timeout=1.0, max_concurrent=1) as harness:
        with slow_upload(harness, declared=1000) as sock:
            time.sleep(0.2)  # the slow upload holds the only slot
            genuine = harness.github(body_of(), delivery="genuine")
            slow = _status_line(sock, timeout=5)

        assert slow == "HTTP/1.1 408 Request Timeout"
        assert genuine.status_code == 202
        assert [e.delivery_key for e in harness.store.inbox()] == ["genuine"]


def test_a_delivery_still_waiting_for_a_slot_at_its_deadline_is_turned_away_with_503() -> None:
    async def scenario() -> None:
        slots = asyncio.Semaphore(1)
        await slots.acquire()  # held by a delivery that is not done yet

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"{}", "more_body": False}

        request = Request({"type": "http", "method": "POST", "headers": []}, receive)
        with pytest.raises(IntakeBusyError):
            await read_body(request, slots, limit=1024, timeout=0.2)
        slots.release()
        assert await read_body(request, slots, limit=1024, timeout=0.2) == b"{}"

    asyncio.run(scenario())


def test_a_delivery_waits_for_a_slot_freed_within_the_deadline(tmp_path: Path) -> None:
    body = body_of()
    signature = sign(SECRET, body)
    with _harness(tmp_path, body_timeout=5.0, max_concurrent=1) as harness:
        host, port = harness.served.base.removeprefix("http://").split(":")
        sock = socket.create_connection((host, int(port)))
        head = (
            f"POST /webhooks/github HTTP/1.1\r\nHost: {host}\r\nX-GitHub-Event: issues\r\n"
            f"X-GitHub-Delivery: first\r\nX-Hub-Signature-256: {signature}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        sock.sendall(head.encode() + body[:10])

        def finish() -> None:
            time.sleep(0.5)
            sock.sendall(body[10:])

        finisher = threading.Thread(target=finish)
        finisher.start()
        time.sleep(0.1)
        second = harness.client.post(
            "/webhooks/github",
            content=body.replace(b'"opened"', b'"reopened"'),
            headers={
                "X-GitHub-Event": "issues",
                "X-GitHub-Delivery": "second",
                "X-Hub-Signature-256": sign(SECRET, body.replace(b'"opened"', b'"reopened"')),
            },
        )
        finisher.join()
        first = _status_line(sock, timeout=5)
        sock.close()

        assert first == "HTTP/1.1 202 Accepted"
        assert second.status_code == 202
        assert {e.delivery_key for e in harness.store.inbox()} == {"first", "second"}


def test_a_signed_body_replayed_under_a_new_delivery_id_is_not_queued_again(app: Harness) -> None:
    body = body_of()
    first = app.github(body, delivery="d-1")
    replays = [app.github(body, delivery=f"replay-{n}") for n in range(10)]

    assert first.status_code == 202
    assert {(r.status_code, r.json()["status"]) for r in replays} == {(200, "duplicate")}
    assert len(app.store.inbox()) == 1
    assert app.outcome("github", "duplicate") == 10


def test_a_replay_after_the_first_delivery_was_worked_is_still_recognised(app: Harness) -> None:
    body = body_of()
    app.github(body, delivery="d-1")
    [entry] = app.store.claim(app.clock.now(), 10)
    app.store.complete(entry.id)

    assert app.github(body, delivery="d-2").json() == {"status": "duplicate"}
    assert [e.status for e in app.store.inbox()] == [InboxStatus.DONE]


def test_signed_json_nested_too_deeply_is_refused_with_400_not_a_crash(app: Harness) -> None:
    nested = app.github(b"[" * 8000 + b"]" * 8000)  # within max_body_bytes

    assert nested.status_code == 400
    assert "nested too deeply" in nested.json()["error"]
    assert app.store.inbox() == []


def test_a_signed_issue_numbered_true_is_ignored_not_retried(app: Harness) -> None:
    payload = fixture("github", "issues.opened.json")
    payload["issue"]["number"] = True

    answer = app.github(json.dumps(payload).encode())

    assert (answer.status_code, answer.json()) == (200, {"status": "unknown-source"})
    assert app.store.inbox() == []
