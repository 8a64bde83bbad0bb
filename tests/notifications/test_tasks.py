"""The worker's schedule: each worker that starts queues the reminder scan and the delivery unless they are
queued already; each run queues the next; what a run does is what the scan and the delivery do."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.workflow.conftest import plain_working_day
from vanphong.core.worker import worker_started
from vanphong.notifications import tasks
from vanphong.notifications.models import OutgoingEmail
from vanphong.workflow import handling

pytestmark = pytest.mark.django_db

SCAN, DELIVERY = "vanphong.notifications.tasks.scan_reminders", "vanphong.notifications.tasks.deliver_emails"


def queued(path):
    return DBTaskResult.objects.filter(task_path=path, status="READY")


def test_workers_that_start_queue_each_recurring_task_once():
    worker_started.send(sender=None)
    worker_started.send(sender=None)  # a second worker, or a restart
    assert queued(SCAN).count() == 1 and queued(DELIVERY).count() == 1


def test_each_run_queues_the_next_and_sends(smtp, emails, settings):
    org = emails
    handling.assign(org.leader, org.register(), lead=org.head, deadline=plain_working_day(10))
    assert tasks.deliver_emails.call() == {"sent": 1, "failed": 0, "cancelled": 0}
    assert OutgoingEmail.objects.get().status == "sent" and len(smtp.mailbox.messages) == 1
    (following,) = queued(DELIVERY)
    assert following.run_after > timezone.now() + dt.timedelta(seconds=settings.VANPHONG_MAIL_DELIVERY_SECONDS - 5)
    assert tasks.scan_reminders.call() == 0
    (following,) = queued(SCAN)
    assert following.run_after > timezone.now() + dt.timedelta(seconds=settings.VANPHONG_REMINDER_SCAN_SECONDS - 5)
