"""The worker's part (`vanphong worker`, django-tasks): the consultation reminder scan, every few minutes like the
workflow's (notifications.tasks). Each run queues the next in its `finally`; every worker that starts queues it unless
it is queued already, so that restarts and several workers neither lose nor multiply it. The scan writes each reminder
once (notifications.outbox), so two running at once do no harm."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from vanphong.consultation import reminders
from vanphong.core.worker import enqueue_unless_waiting


@task()
def scan_reminders() -> int:
    try:
        return reminders.scan()
    finally:
        schedule_scan(dt.timedelta(seconds=settings.VANPHONG_REMINDER_SCAN_SECONDS))


def schedule_scan(delay: dt.timedelta = dt.timedelta(0)) -> None:
    enqueue_unless_waiting(scan_reminders, delay)


def on_worker_started(**signal_kwargs) -> None:
    schedule_scan()


@task()
def consolidate(run_id: int) -> dict:
    """One consolidation run (consolidation.request_run queues it); its progress is on the run's row."""
    from vanphong.consultation import consolidation

    run = consolidation.run_consolidation(run_id)
    return {"status": run.status if run else "skipped", "comments": run.comments if run else 0}
