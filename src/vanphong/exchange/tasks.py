"""The worker's part (`vanphong worker`, django-tasks): one exchange round every few seconds
(exchange.cycle). Like the notifications' tasks, each run queues the next in its `finally`, and every
worker that starts queues one unless one is waiting already. Safe on several workers at once: the
outbox claims before it sends, and the inbox recognises a package taken in twice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from vanphong.core.worker import enqueue_unless_waiting
from vanphong.exchange import cycle


def interval() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "VANPHONG_EXCHANGE_CYCLE_SECONDS", 10))


@task()
def exchange_round() -> dict[str, int]:
    try:
        return cycle.run_once()
    finally:
        schedule(interval())


def schedule(delay: dt.timedelta = dt.timedelta(0)) -> None:
    enqueue_unless_waiting(exchange_round, delay)


def on_worker_started(**signal_kwargs) -> None:
    schedule()
