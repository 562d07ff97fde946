"""``goldthread run``: the long-running service (docs/behaviour.md#service-endpoints).

Data flow: a webhook arrives at :mod:`~goldthread.service.app`, is verified,
classified and stored in the inbox by the pure rules of
:mod:`~goldthread.service.intake`, and answered 202. The
:mod:`~goldthread.service.worker` drains the inbox and hands each batch to
:mod:`~goldthread.service.refreshing`, which re-reads the named items, judges
the whole graph again and writes back the items beneath them with the sync
planner and applier. The :mod:`~goldthread.service.polling` thread repairs
what webhooks missed with ordinary sync cycles. Both take one lock, so an
item is never worked on twice at once in a process; replicas on a shared
store coordinate through it (:mod:`~goldthread.service.leasing` and
:mod:`~goldthread.service.coordinating`). :mod:`~goldthread.service.health` and
:mod:`~goldthread.service.metrics` answer the operator;
:mod:`~goldthread.service.running` owns the process's life and its signals.
"""
