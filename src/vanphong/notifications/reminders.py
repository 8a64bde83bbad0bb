"""The reminder scan, run by the worker every few minutes (notifications.tasks) and safe to run any number of
times, even at once: every reminder has an event key, written once (notifications.outbox).

For each open lead or coordinating task of a hosted agency (the one who holds it now; a unit's task reaches
its active members), with the agency's policy (ReminderPolicy, default 1 and 2):

- before: from `days_before` working days before the deadline up to the deadline day itself. A task
  given on that day is not reminded the same day: its assignment said the deadline.
- overdue: once the task is overdue as the "Overdue" list counts it (workflow.handling_selectors).
- escalation: to the leader who assigned the round, once the task is more than `escalation_days` working
  days late, that is `escalation_days` working days after the overdue reminder.

Keys carry the deadline, so a deadline moved by granted extra time is reminded again; a completed,
returned or passed-down task is no longer open and gets nothing more.

A deadline passed long ago (more than twice the escalation delay in calendar days, plus a month) is past
reminding: each scan reads only the tasks whose reminders may still be due, and a first installation over
years of records, or workers stopped for weeks, does not flood people with old news. Such tasks still show in
the "Overdue" lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from vanphong.notifications.models import Notification, ReminderPolicy
from vanphong.notifications.outbox import BATCH, Entry, notify
from vanphong.notifications.recipients import document_link, holders, task_params
from vanphong.org.models import Agency
from vanphong.workflow import calendar
from vanphong.workflow.handling_selectors import overdue_before, working_days_late
from vanphong.workflow.models import Task

Kind = Notification.Kind
LOOKBACK_SPARE_DAYS = 30


@dataclass
class Policy:
    days_before: int = 1
    escalation_days: int = 2


def policy_of(agency_id: int) -> Policy:
    row = ReminderPolicy.objects.filter(agency_id=agency_id).first()
    return Policy(row.days_before, row.escalation_days) if row else Policy()


def _entries(agency_id: int, policy: Policy, today: dt.date, tasks: list[Task]):
    reach = holders(tasks)
    late_from = overdue_before(agency_id, today)
    for task in tasks:
        deadline, link = task.deadline.isoformat(), document_link(task.document_id)
        if task.deadline < late_from:
            late = working_days_late(agency_id, task.deadline, today)
            for pid in reach[task.pk]:
                yield Entry(pid, Kind.REMINDER_OVERDUE, f"reminder-overdue:task:{task.pk}:{deadline}", link, task_params(task))
            if late > policy.escalation_days:
                leader = task.assignment.assigned_by_id
                yield Entry(leader, Kind.ESCALATION, f"escalation:task:{task.pk}:{deadline}", link, task_params(task, days=late))
        elif task.deadline >= today and timezone.localtime(task.created_at).date() < today:
            days = max(0, calendar.working_days_between(agency_id, today, task.deadline))
            for pid in reach[task.pk]:
                yield Entry(pid, Kind.REMINDER_BEFORE, f"reminder-before:task:{task.pk}:{deadline}", link,
                            task_params(task, days=days))


def scan(today: dt.date | None = None) -> int:
    """Write the reminders due `today` (by default the local date); return how many were new."""
    today = today or timezone.localdate()
    written = 0
    for agency_id in Agency.objects.filter(hosted=True, is_active=True).values_list("pk", flat=True):
        policy = policy_of(agency_id)
        horizon = calendar.add_working_days(agency_id, today, policy.days_before) if policy.days_before else today
        oldest = today - dt.timedelta(days=2 * policy.escalation_days + LOOKBACK_SPARE_DAYS)
        due = (Task.objects.filter(agency_id=agency_id, status=Task.Status.OPEN, role__in=Task.ACTING_ROLES, deadline__lte=horizon,
                                   deadline__gte=oldest)
               .select_related("document", "person", "unit", "assignment").order_by("pk"))
        last = 0
        while True:  # in batches, each its own transaction (notify), so a long scan holds no lock for long
            batch = list(due.filter(pk__gt=last)[:BATCH])
            if not batch:
                break
            written += notify(_entries(agency_id, policy, today, batch))
            last = batch[-1].pk
    return written
