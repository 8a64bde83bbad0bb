"""Telling invitees through the notifications app (in the app, and by e-mail from its outbox): that their
comments are asked, and reminders to those who have not answered. Each event is written once per person
(notifications.outbox): an invitation is announced once, and a reminder at most once a day."""

from __future__ import annotations

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
