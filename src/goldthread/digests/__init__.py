"""Digests (docs/behaviour.md#owners-and-digests): per owner, what changed since the last one, sent to the
owner's targets on the ``[digest]`` schedule or by ``goldthread digest``.

* :mod:`.building` reads the store into each owner's facts and composes the
  digests (the pure part is :mod:`goldthread.core.digest`);
* :mod:`.document` keeps a digest as JSON, so a retry sends the same message;
* :mod:`.text`, :mod:`.slack`, :mod:`.teams` and :mod:`.mail` render it for
  each kind of target;
* :mod:`.delivering` sends one message with the senders of
  :mod:`goldthread.notify` and decides about retries;
* :mod:`.periods` prepares each scheduled period exactly once and works the
  delivery queue.
"""
