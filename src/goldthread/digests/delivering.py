"""Sending one queued digest message, and what to do when a target fails.

A message is rendered from its stored document for its target's kind and
handed to a sender of :mod:`goldthread.notify`. A target that fails with a
retriable error is tried again later, the wait doubling from a minute to an
hour (or what the target asked for, if longer), up to :data:`MAX_ATTEMPTS`
attempts; one that refuses the message for good is given up at once. Either
way the queue moves on: one target's trouble delays no other target, and the
service's write-back runs in loops of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import SecretStr

from goldthread.clock import Clock
from goldthread.config import EmailTarget, Settings, WebhookTarget
from goldthread.core.digest import Digest
from goldthread.digests.document import loads
from goldthread.digests.mail import email_message
from goldthread.digests.slack import slack_body
from goldthread.digests.teams import teams_body
from goldthread.errors import NotifyError
from goldthread.logs import get_logger
from goldthread.notify import post_json, send_mail
from goldthread.store.base import Delivery, DigestStore

log = get_logger("goldthread.digests")

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=1)
WEBHOOK_TIMEOUT = 30.0


def target_of(settings: Settings, name: str) -> WebhookTarget | EmailTarget:
    """The ``[[notify]]`` target called ``name``; :class:`NotifyError` if none is."""
    for target in settings.notify:
        if target.name == name:
            return target
    raise NotifyError(f"target {name!r} is no longer configured", retriable=False)


def send(settings: Settings, secrets: Mapping[str, SecretStr], name: str, digest: Digest) -> None:
    """Render ``digest`` for the target ``name`` and send it; raises :class:`NotifyError`."""
    target = target_of(settings, name)
    secret = secrets.get(name)
    if isinstance(target, EmailTarget):
        password = secret.get_secret_value() if secret is not None else None
        send_mail(target, password, email_message(digest, target.sender, list(target.to)))
        return
    if secret is None:
        raise NotifyError(f"target {name!r} has no webhook URL", retriable=False)
    body = slack_body(digest) if target.type == "slack" else teams_body(digest)
    post_json(secret.get_secret_value(), body, timeout=WEBHOOK_TIMEOUT)


def retry_at(attempts: int, now: datetime, error: NotifyError) -> datetime | None:
    """When to try again after the ``attempts``-th failed attempt; ``None``: give up."""
    if not error.retriable or attempts >= MAX_ATTEMPTS:
        return None
    wait: timedelta = min(LAST_RETRY, FIRST_RETRY * (2 ** (attempts - 1)))
    asked = timedelta(seconds=error.retry_after or 0)
    later: datetime = now + max(wait, asked)
    return later


@dataclass
class QueueOutcome:
    """What one pass over the queue did, by target: sent, retried, given up."""

    sent: list[Delivery] = field(default_factory=list)
    retried: list[Delivery] = field(default_factory=list)
    dead: list[Delivery] = field(default_factory=list)


def work_queue(
    settings: Settings,
    store: DigestStore,
    secrets: Mapping[str, SecretStr],
    clock: Clock,
    *,
    fence: Callable[[], None] = lambda: None,
) -> QueueOutcome:
    """Send every due message once; ``fence`` raises when this process may no
    longer send (another replica took over), before each message."""
    outcome = QueueOutcome()
    for delivery in store.due_deliveries(clock.now()):
        fence()
        try:
            send(settings, secrets, delivery.target, loads(delivery.document))
        except NotifyError as error:
            _failed(store, clock, delivery, error, outcome)
            continue
        store.finish_delivery(delivery.id, clock.now())
        outcome.sent.append(delivery)
        log.info(
            "digest.sent",
            team=delivery.team,
            target=delivery.target,
            attempts=delivery.attempts + 1,
        )
    return outcome


def _failed(
    store: DigestStore, clock: Clock, delivery: Delivery, error: NotifyError, outcome: QueueOutcome
) -> None:
    now = clock.now()
    attempts = delivery.attempts + 1
    again = retry_at(attempts, now, error)
    store.finish_delivery(delivery.id, now, error=str(error), retry_at=again)
    if again is None:
        outcome.dead.append(delivery)
        log.error(
            "digest.given_up",
            team=delivery.team,
            target=delivery.target,
            attempts=attempts,
            error=str(error),
        )
    else:
        outcome.retried.append(delivery)
        log.warning(
            "digest.failed",
            team=delivery.team,
            target=delivery.target,
            attempts=attempts,
            error=str(error),
            retry_at=again.isoformat(),
        )
