"""The worker's part (`vanphong worker`, django-tasks): the reminder scan every few minutes and the e-mail
delivery every minute. Each run queues the next one in its `finally`, and every worker that starts queues
both unless they are queued already (core.worker.enqueue_unless_waiting), so that a restart, or several
workers, neither loses nor multiplies them. Both are safe to run at once on several workers: the scan writes
each reminder once (notifications.outbox) and delivery claims rows before it sends (notifications.delivery)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from vanphong.core.worker import enqueue_unless_waiting
from vanphong.notifications import delivery, reminders


@task()
def scan_reminders() -> int:
    try:
        return reminders.scan()
    finally:
        schedule_scan(dt.timedelta(seconds=settings.VANPHONG_REMINDER_SCAN_SECONDS))


@task()
def deliver_emails() -> dict[str, int]:
    try:
        outcome = delivery.deliver_all()
        return {"sent": outcome.sent, "failed": outcome.failed, "cancelled": outcome.cancelled}
    finally:
        schedule_delivery(dt.timedelta(seconds=settings.VANPHONG_MAIL_DELIVERY_SECONDS))


def schedule_scan(delay: dt.timedelta = dt.timedelta(0)) -> None:
    enqueue_unless_waiting(scan_reminders, delay)


def schedule_delivery(delay: dt.timedelta = dt.timedelta(0)) -> None:
    enqueue_unless_waiting(deliver_emails, delay)


def on_worker_started(**signal_kwargs) -> None:
    schedule_scan()
    schedule_delivery()
