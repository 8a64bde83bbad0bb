"""Telling invitees through the notifications app (in the app, and by e-mail from its outbox): that their
comments are asked, and reminders to those who have not answered. Each event is written once per person
(notifications.outbox): an invitation is announced once, and a reminder at most once a day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from vanphong.consultation import permissions
from vanphong.consultation.models import Invitation, Reminder
from vanphong.core import audit
from vanphong.notifications.models import Notification
from vanphong.notifications.outbox import Entry, notify
from vanphong.notifications.texts import MAX_SUBJECT
from vanphong.org.models import Person

Kind = Notification.Kind


def reach(invitations: list[Invitation]) -> dict[int, list[int]]:
    """Invitation id → the people who answer it (permissions.is_respondent_of)."""
    units = {i.unit_id for i in invitations if i.unit_id}
    agencies = {i.agency_id for i in invitations if i.agency_id}
    by_unit, by_agency = defaultdict(list), defaultdict(list)
    if units:
        for pk, unit_id in Person.objects.filter(unit_id__in=units, is_active=True).values_list("pk", "unit_id"):
            by_unit[unit_id].append(pk)
    if agencies:
        for pk, agency_id in (Person.objects.filter(agency_id__in=agencies, is_active=True,
                                                    roles__code__in=permissions.AGENCY_ANSWER_ROLES)
                              .values_list("pk", "agency_id").distinct()):
            by_agency[agency_id].append(pk)
    out = {}
    for i in invitations:
        if i.person_id:
            out[i.pk] = [i.person_id]
        elif i.unit_id:
            out[i.pk] = by_unit.get(i.unit_id, [])
        else:
            out[i.pk] = by_agency.get(i.agency_id, [])
    return out


def _params(invitation: Invitation, actor=None, **extra) -> dict:
    return {"document": invitation.consultation.title[:MAX_SUBJECT], "deadline": invitation.deadline.isoformat(),
            "actor": actor.full_name if actor else "", **extra}


def _link(invitation: Invitation) -> str:
    return reverse("consultation:answer", args=[invitation.pk])


def tell_invited(invitations: list[Invitation], actor) -> int:
    """In the transaction of the invitation."""
    people = reach(invitations)
    return notify(Entry(pid, Kind.CONSULTATION_INVITED, f"consultation-invited:invitation:{i.pk}", _link(i), _params(i, actor))
                  for i in invitations for pid in people[i.pk] if pid != actor.pk)


@transaction.atomic
def remind_unanswered(actor, consultation, *, request=None) -> int:
    """Staff remind every invitee who has not answered yet (late ones included). Returns the people reminded."""
    permissions.require_staff(actor, consultation)
    waiting = list(consultation.invitations.filter(answered_at__isnull=True).select_related("consultation"))
    today = timezone.localdate()
    people = reach(waiting)
    total = 0
    for invitation in waiting:
        entries = [Entry(pid, Kind.CONSULTATION_DUE, f"consultation-due:invitation:{invitation.pk}:{today.isoformat()}",
                         _link(invitation), _params(invitation, overdue=invitation.deadline < today))
                   for pid in people[invitation.pk]]
        count = notify(entries)
        Reminder.objects.create(invitation=invitation, sent_by=actor, recipients=count)
        total += count
    audit.record("consultation.reminded", actor=actor, target=consultation, request=request,
                 data={"invitations": [i.pk for i in waiting], "people": total})
    return total


LOOKBACK_DAYS = 30  # an invitation overdue longer than this is past reminding (a first run over old records floods nobody)


def scan(today=None) -> int:
    """The worker's reminders (consultation.tasks), safe to run any number of times: each invitee not yet answered is
    reminded once from the drafting agency's `days_before` working days before the deadline (its notifications
    policy), and once more when the deadline has passed. Keys carry the deadline, so a moved deadline is reminded
    again. Returns the notifications written."""
    from vanphong.consultation.models import Consultation
    from vanphong.notifications.reminders import policy_of
    from vanphong.workflow import calendar

    today = today or timezone.localdate()
    written = 0
    agencies = Consultation.objects.filter(status=Consultation.Status.OPEN).values_list("agency_id", flat=True).distinct()
    for agency_id in agencies:
        policy = policy_of(agency_id)
        horizon = calendar.add_working_days(agency_id, today, policy.days_before) if policy.days_before else today
        waiting = list(Invitation.objects.filter(
            consultation__agency_id=agency_id, consultation__status=Consultation.Status.OPEN, answered_at__isnull=True,
            deadline__lte=horizon, deadline__gte=today - dt.timedelta(days=LOOKBACK_DAYS)).select_related("consultation"))
        for start in range(0, len(waiting), 500):
            batch = waiting[start:start + 500]
            people = reach(batch)
            entries = []
            for invitation in batch:
                overdue = invitation.deadline < today
                if not overdue and timezone.localtime(invitation.invited_at).date() >= today:
                    continue  # invited today: the invitation itself said the deadline
                step = "overdue" if overdue else "before"
                key = f"consultation-{step}:invitation:{invitation.pk}:{invitation.deadline.isoformat()}"
                entries += [Entry(pid, Kind.CONSULTATION_DUE, key, _link(invitation), _params(invitation, overdue=overdue))
                            for pid in people[invitation.pk]]
            written += notify(entries)
    return written
