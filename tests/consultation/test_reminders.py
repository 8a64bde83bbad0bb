"""The worker's reminders of invitations not yet answered: once before the deadline (the drafting agency's notifications
policy, in working days), once after it, never to those who answered, never twice; scheduled by every worker that starts."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.workflow.conftest import plain_working_day
from vanphong.consultation import reminders, services, tasks
from vanphong.consultation.models import Invitation
from vanphong.core.worker import worker_started
from vanphong.notifications.models import Notification
from vanphong.workflow import calendar

pytestmark = pytest.mark.django_db


def _due(person):
    return list(Notification.objects.filter(recipient=person, kind="consultation_due").values_list("params", flat=True))


def test_before_and_after_the_deadline_once_each(consultation, invited, organiser, propagandist, clerk_b):
    services.answer_on_web(propagandist, invited["prop"], agreed=True)
    deadline = plain_working_day(10)
    Invitation.objects.filter(consultation=consultation).update(deadline=deadline, invited_at=timezone.now() - dt.timedelta(days=20))
    assert reminders.scan(today=deadline - dt.timedelta(days=20)) == 0  # far from the deadline
    day_before = deadline - dt.timedelta(days=1)
    while not calendar.is_working_day(consultation.agency_id, day_before):
        day_before -= dt.timedelta(days=1)
    assert reminders.scan(today=day_before) == 2  # Ban Tổ chức's member and agency B's clerk; Ban Tuyên giáo answered
    assert reminders.scan(today=day_before) == 0
    assert [p["overdue"] for p in _due(organiser)] == [False] and _due(propagandist) == []
    assert reminders.scan(today=deadline + dt.timedelta(days=1)) == 2
    assert sorted(p["overdue"] for p in _due(clerk_b)) == [False, True]
    assert reminders.scan(today=deadline + dt.timedelta(days=40)) == 0  # long past: no flood


def test_a_closed_consultation_reminds_nobody(consultation, invited, drafter):
    services.close_consultation(drafter, consultation)
    Invitation.objects.update(deadline=timezone.localdate() - dt.timedelta(days=1))
    assert reminders.scan() == 0


def test_workers_that_start_queue_the_scan_once_and_each_run_queues_the_next():
    path = "vanphong.consultation.tasks.scan_reminders"
    worker_started.send(sender=None)
    worker_started.send(sender=None)
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
    DBTaskResult.objects.filter(task_path=path).delete()
    assert tasks.scan_reminders.call() == 0
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
