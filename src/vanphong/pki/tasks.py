"""Background upkeep of the certificate authority, run by `vanphong worker` (django-tasks).

django-tasks has no calendar, so the refresh re-queues itself to run again after INTERVAL, and
each worker that starts queues it if it is not queued already. CRLs are re-issued at half of
their 24-hour life, so an hourly look is ample."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from vanphong.core.worker import enqueue_unless_waiting
from vanphong.pki import services

INTERVAL = dt.timedelta(hours=1)


@task()
def refresh_status_services() -> dict[str, int]:
    try:
        return services.refresh_status_services()
    finally:
        schedule_refresh()


def schedule_refresh(delay: dt.timedelta = INTERVAL) -> None:
    """Queue the next refresh, unless one is already waiting (several workers, or a restart)."""
    enqueue_unless_waiting(refresh_status_services, delay)


def on_worker_started(**signal_kwargs) -> None:
    schedule_refresh(delay=dt.timedelta(0))
