"""Every change to an agency's calendar and default deadlines: permission-checked, validated, in
one transaction with its audit record, and followed by dropping the cached calendar.

A day before today cannot be added or removed. Deadlines already counted across it, and the
lateness of work done by then, were judged on the calendar as it stood: changing the past would
silently move them and rewrite the statistics. Today itself may still change, for a closure
announced the same morning (a storm, say); so may every later day. The lock on the agency's
WorkflowSettingsVersion row serialises two administrators changing the same calendar."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.core.errors import ValidationError
from vanphong.core.text import normalize
from vanphong.documents.types import DocumentType, Urgency
from vanphong.org.models import Agency
from vanphong.workflow import calendar, completed_work
from vanphong.workflow.models import CalendarChange, DeadlineRule, WorkflowSettingsVersion
from vanphong.workflow.permissions import require_calendar_manager


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _lock_settings(agency: Agency) -> WorkflowSettingsVersion:
    WorkflowSettingsVersion.objects.bulk_create([WorkflowSettingsVersion(agency=agency)], ignore_conflicts=True)
    return WorkflowSettingsVersion.objects.select_for_update().get(agency=agency)


def _changed(agency: Agency, state: WorkflowSettingsVersion) -> None:
    state.version += 1
    state.save(update_fields=["version"])
    calendar.forget(agency)
    transaction.on_commit(lambda: calendar.forget(agency.pk))


def _recount_handling_times(agency: Agency, day: dt.date) -> None:
    """Work completed today was handled over today: if today changes from working day to day off or back, its
    handling time in working days changes (days before today cannot change, later ones count for no completed work)."""
    if day <= timezone.localdate():
        completed_work.rebuild(agency.pk)


def _check_not_past(day: dt.date) -> None:
    if day < timezone.localdate():
        raise ValidationError({"day": _("%(date)s is in the past. Days before today cannot be changed, because deadlines "
                                        "already counted over them would move.") % {"date": _fmt(day)}})


@transaction.atomic
def add_calendar_day(actor, agency: Agency, *, day: dt.date, kind: str, name: str, request=None) -> CalendarChange:
    """Make `day` a day off (kind "off") or a working day (kind "work") for the agency."""
    require_calendar_manager(actor, agency)
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError({"day": _("Enter a date.")})
    name = normalize(name or "")
    if not name:
        raise ValidationError({"name": _("Give the reason for the change, as it will be shown in the calendar.")})
    if kind not in CalendarChange.Kind.values:
        raise ValidationError({"kind": _("Choose a day off or a working day.")})
    try:
        calendar.check_year(day.year)
    except calendar.CalendarRangeError as exc:
        raise ValidationError({"day": exc.messages}) from None
    _check_not_past(day)
    state = _lock_settings(agency)
    existing = CalendarChange.objects.filter(agency=agency, day=day).first()
    if existing:
        raise ValidationError({"day": _("%(date)s has already been changed (%(name)s). Remove that change first.")
                               % {"date": _fmt(day), "name": existing.name}})
    calendar.forget(agency)  # decide on the calendar as it is in the database now
    current = calendar.agency_calendar(agency)
    if kind == CalendarChange.Kind.DAY_OFF:
        if not current.is_working_day(day):
            raise ValidationError({"day": _("%(date)s is already a day off.") % {"date": _fmt(day)}})
    else:
        holiday = next((h for h in calendar.statutory_holidays(day.year) if h.day == day and h.kind == "holiday"), None)
        if holiday is not None:
            raise ValidationError({"day": _("%(date)s is a public holiday (%(name)s) under the Labour Code: it cannot be made a "
                                            "working day.") % {"date": _fmt(day), "name": holiday.name}})
        if current.is_working_day(day):
            raise ValidationError({"day": _("%(date)s is already a working day.") % {"date": _fmt(day)}})
    change = CalendarChange(agency=agency, day=day, kind=kind, name=name[:200], created_by=actor)
    change.full_clean()
    change.save()
    _changed(agency, state)
    _recount_handling_times(agency, day)
    audit.record("workflow.calendar.day_added", actor=actor, agency=agency, target=change,
                 data={"day": day.isoformat(), "kind": kind, "name": change.name}, request=request)
    return change


@transaction.atomic
def remove_calendar_day(actor, change: CalendarChange, *, request=None) -> None:
    agency = change.agency
    require_calendar_manager(actor, agency)
    _check_not_past(change.day)
    state = _lock_settings(agency)
    data = {"day": change.day.isoformat(), "kind": change.kind, "name": change.name}
    audit.record("workflow.calendar.day_removed", actor=actor, agency=agency, target=change, data=data, request=request)
    change.delete()
    _changed(agency, state)
    _recount_handling_times(agency, change.day)  # a deleted row keeps its fields


@transaction.atomic
def set_deadline_rule(actor, agency: Agency, *, doc_type: str = "", urgency: int | None = None, working_days: int,
                      request=None) -> DeadlineRule:
    """Set the agency's default deadline for a document type and an urgency ("" and None: any)."""
    require_calendar_manager(actor, agency)
    doc_type = doc_type or ""
    if doc_type and doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": _("Unknown document type.")})
    if urgency is not None and urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Unknown urgency.")})
    state = _lock_settings(agency)
    rule = DeadlineRule.objects.filter(agency=agency, doc_type=doc_type, urgency=urgency).first()
    old = rule.working_days if rule else None
    if rule is None:
        rule = DeadlineRule(agency=agency, doc_type=doc_type, urgency=urgency)
    rule.working_days = working_days
    rule.full_clean(validate_unique=False, validate_constraints=False)
    rule.save()
    _changed(agency, state)
    audit.record("workflow.deadline_rule.set", actor=actor, agency=agency, target=rule,
                 data={"doc_type": doc_type, "urgency": urgency, "working_days": [old, working_days]}, request=request)
    return rule


@transaction.atomic
def remove_deadline_rule(actor, rule: DeadlineRule, *, request=None) -> None:
    agency = rule.agency
    require_calendar_manager(actor, agency)
    state = _lock_settings(agency)
    audit.record("workflow.deadline_rule.removed", actor=actor, agency=agency, target=rule,
                 data={"doc_type": rule.doc_type, "urgency": rule.urgency, "working_days": rule.working_days}, request=request)
    rule.delete()
    _changed(agency, state)
