"""The reminder scan: before a deadline, once it has passed, escalation to the assigning leader; each once,
however often and however concurrently the scan runs; nothing for work that is finished."""

import datetime as dt
import threading

import pytest
from django.db import connection

from tests.workflow.conftest import plain_working_day
from vanphong.notifications import reminders
from vanphong.notifications.models import Notification, OutgoingEmail, ReminderPolicy
from vanphong.workflow import calendar, handling


def previous_working_day(agency, day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not calendar.is_working_day(agency, day):
        day -= dt.timedelta(days=1)
    return day


def reminders_of(person, kind=None):
    rows = Notification.objects.filter(recipient=person, kind__in=["reminder_before", "reminder_overdue", "escalation"])
    return list(rows.filter(kind=kind) if kind else rows)


@pytest.fixture
def assigned(emails):
    """A document whose lead is the head of the Office, with the board's specialist coordinating, due in ten days."""
    org = emails
    deadline = plain_working_day(10)
    assignment = handling.assign(org.leader, org.register(), lead=org.head, coordinators=[org.board_specialist], deadline=deadline)
    return org, assignment, deadline


@pytest.mark.django_db
def test_one_reminder_before_the_deadline_however_often_the_scan_runs(assigned):
    org, _assignment, deadline = assigned
    agency = org.agency
    two_before = previous_working_day(agency, previous_working_day(agency, deadline))
    assert reminders.scan(today=two_before) == 0  # the default is one working day before
    day_before = previous_working_day(agency, deadline)
    assert reminders.scan(today=day_before) == 2
    assert reminders.scan(today=day_before) == 0
    assert reminders.scan(today=deadline) == 0  # the same deadline is reminded once
    (reminder,) = reminders_of(org.head)
    assert reminder.kind == "reminder_before" and reminder.params["days"] == 1
    assert reminder.event_key == f"reminder-before:task:{_lead(_assignment).pk}:{deadline.isoformat()}"
    assert len(reminders_of(org.board_specialist)) == 1 and reminders_of(org.leader) == []
    assert OutgoingEmail.objects.filter(notification__kind="reminder_before").count() == 2


def _lead(assignment):
    return assignment.tasks.get(role="lead")


@pytest.mark.django_db
def test_an_agency_sets_how_many_working_days_before(assigned):
    org, _assignment, deadline = assigned
    ReminderPolicy.objects.create(agency=org.agency, days_before=3)
    three_before = deadline
    for _ in range(3):
        three_before = previous_working_day(org.agency, three_before)
    assert reminders.scan(today=previous_working_day(org.agency, three_before)) == 0
    assert reminders.scan(today=three_before) == 2
    assert reminders_of(org.head)[0].params["days"] == 3


@pytest.mark.django_db
def test_overdue_then_escalation_to_the_assigning_leader_after_the_delay(assigned):
    org, _assignment, deadline = assigned
    agency = org.agency
    assert reminders.scan(today=deadline) == 2  # due today: the reminder before, not yet overdue
    assert reminders_of(org.head, "reminder_overdue") == []
    first_late = calendar.next_working_day(agency, deadline)
    reminders.scan(today=first_late)
    assert len(reminders_of(org.head, "reminder_overdue")) == 1 and len(reminders_of(org.board_specialist, "reminder_overdue")) == 1
    reminders.scan(today=calendar.add_working_days(agency, deadline, 2))
    assert reminders_of(org.leader) == []  # two working days late: not yet
    reminders.scan(today=calendar.add_working_days(agency, deadline, 3))
    reminders.scan(today=calendar.add_working_days(agency, deadline, 4))
    escalations = reminders_of(org.leader, "escalation")
    assert len(escalations) == 2  # one per late task (the lead's and the coordinator's), once each
    assert {e.params["holder"] for e in escalations} == {"Lê Văn Chánh", "Phạm Văn Tổ"}
    assert len(reminders_of(org.head, "reminder_overdue")) == 1


@pytest.mark.django_db
def test_the_escalation_delay_is_the_agencys(assigned):
    org, _assignment, deadline = assigned
    ReminderPolicy.objects.create(agency=org.agency, escalation_days=5)
    reminders.scan(today=calendar.add_working_days(org.agency, deadline, 5))
    assert reminders_of(org.leader) == []
    reminders.scan(today=calendar.add_working_days(org.agency, deadline, 6))
    assert len(reminders_of(org.leader, "escalation")) == 2


@pytest.mark.django_db
def test_nothing_for_a_completed_task(assigned):
    org, assignment, deadline = assigned
    handling.complete(org.head, _lead(assignment), result="Đã báo cáo.")
    for day in (previous_working_day(org.agency, deadline), calendar.add_working_days(org.agency, deadline, 5)):
        assert reminders.scan(today=day) == 0
    assert not Notification.objects.filter(kind__in=["reminder_before", "reminder_overdue", "escalation"]).exists()


@pytest.mark.django_db
def test_a_task_passed_down_is_reminded_to_whoever_holds_it_now(assigned):
    org, assignment, deadline = assigned
    handling.pass_down(org.head, _lead(assignment), to=org.specialist)
    reminders.scan(today=calendar.next_working_day(org.agency, deadline))
    assert reminders_of(org.head) == [] and len(reminders_of(org.specialist, "reminder_overdue")) == 1


@pytest.mark.django_db
def test_a_deadline_extended_is_reminded_again(assigned):
    org, assignment, deadline = assigned
    reminders.scan(today=previous_working_day(org.agency, deadline))
    later = plain_working_day(20)
    ask = handling.request_extension(org.head, _lead(assignment), deadline=later, reason="Chờ số liệu.")
    handling.decide_extension(org.leader, ask, grant=True)
    reminders.scan(today=previous_working_day(org.agency, later))
    assert sorted(r.params["deadline"] for r in reminders_of(org.head)) == [deadline.isoformat(), later.isoformat()]


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_write_each_reminder_once(emails):
    org = emails
    deadline = plain_working_day(10)
    handling.assign(org.leader, org.register(), lead=org.office, coordinators=[org.board_specialist], deadline=deadline)
    day = calendar.next_working_day(org.agency, calendar.add_working_days(org.agency, deadline, 3))
    start, results, errors = threading.Barrier(4), [], []

    def run():
        try:
            start.wait()
            results.append(reminders.scan(today=day))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # Overdue: the Office's head and clerk, the board's specialist; escalated: the lead's and the coordinator's task.
    assert Notification.objects.filter(kind="reminder_overdue").count() == 3
    assert Notification.objects.filter(kind="escalation").count() == 2
    assert OutgoingEmail.objects.filter(notification__kind__in=["reminder_overdue", "escalation"]).count() == 5
    assert sum(results) >= 5  # each scan counts what it saw as new; the rows exist once


@pytest.mark.django_db
def test_a_deadline_passed_long_ago_is_past_reminding(assigned):
    org, assignment, deadline = assigned
    long_after = deadline + dt.timedelta(days=2 * 2 + reminders.LOOKBACK_SPARE_DAYS + 1)
    assert reminders.scan(today=long_after) == 0
    assert reminders.scan(today=long_after - dt.timedelta(days=2)) == 4  # still within: overdue and escalated
