"""`vanphong worker`: the django-tasks database worker, plus a heartbeat that `vanphong check` reads."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid

from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.dispatch import Signal
from django.utils import timezone

from vanphong.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Sent when a worker starts, before it takes tasks: apps schedule their recurring tasks here.
worker_started = Signal()


def enqueue_unless_waiting(task, delay: dt.timedelta = dt.timedelta(0)) -> None:
    """Queue `task` to run after `delay`, unless a run of it is already waiting (several workers, a restart,
    or a recurring task that re-queued itself): django-tasks has no calendar."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=task.module_path).exists():
        task.using(run_after=timezone.now() + delay).enqueue()


def _beat(worker_id: str, started_at) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname()[:200], "pid": os.getpid(), "started_at": started_at, "last_seen": timezone.now()},
    )


def _heartbeat_loop(worker_id: str, started_at, stop: threading.Event) -> None:
    while not stop.wait(settings.VANPHONG_WORKER_HEARTBEAT_SECONDS):
        try:
            close_old_connections()
            _beat(worker_id, started_at)
        except Exception:  # a missed beat is reported by `check`; the worker keeps working
            pass
        finally:
            connection.close()


def run(*, interval: float = 1.0, batch: bool = False) -> None:
    worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"[:100]
    started_at = timezone.now()
    _beat(worker_id, started_at)
    for receiver, error in worker_started.send_robust(sender=run):
        if error is not None:  # one app's scheduling must not keep the worker from its work
            logger.error("worker_started receiver %s failed: %s", receiver, error, exc_info=error)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat_loop, args=(worker_id, started_at, stop), daemon=True)
    beat.start()
    try:
        call_command("db_worker", queue_name="*", interval=interval, batch=batch, reload=False, worker_id=worker_id)
    finally:
        stop.set()
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
