"""Reads of an agency's calendar and default deadlines, for the people of that agency only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanphong.core.errors import NotFound
from vanphong.documents.types import Urgency
from vanphong.workflow import calendar, deadlines
from vanphong.workflow.models import CalendarChange, DeadlineRule
from vanphong.workflow.permissions import can_read_calendar

KIND_LABELS = {
    "holiday": _("Public holiday"),
    "compensatory": _("Day off in lieu"),
    "added": _("Day off added by the agency"),
    "working": _("Working day added by the agency"),
}


def _require_reader(reader):
    if not can_read_calendar(reader, reader.agency):
        raise NotFound()


@dataclass
class CalendarRow:
    day: dt.date
    name: str
    kind: str
    change: CalendarChange | None = None
    removable: bool = False
    past: bool = False

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]


@dataclass
class CalendarYear:
    year: int
    rows: list[CalendarRow]
    working_day_count: int
    has_previous: bool
    has_next: bool


def calendar_year(reader, year: int) -> CalendarYear:
    """The reader's agency's days off other than ordinary weekends, and its added working days,
    in date order. Raises CalendarRangeError for a year outside the calendar."""
    _require_reader(reader)
    calendar.check_year(year)
    agency_calendar = calendar.agency_calendar(reader.agency_id)
    changes = {c.day: c for c in CalendarChange.objects.filter(agency_id=reader.agency_id, day__year=year)}
    today = timezone.localdate()
    rows = []
    for holiday in agency_calendar.non_working_days(year):
        change = changes.get(holiday.day) if holiday.kind == "added" else None
        rows.append(CalendarRow(holiday.day, holiday.name, holiday.kind, change, bool(change and change.day >= today)))
    for change in changes.values():
        if change.kind == CalendarChange.Kind.WORKING_DAY:
            rows.append(CalendarRow(change.day, change.name, "working", change, change.day >= today))
    for row in rows:
        row.past = row.day < today
    rows.sort(key=lambda r: r.day)
    return CalendarYear(year, rows, len(agency_calendar.working_ordinals(year)),
                        year > calendar.FIRST_YEAR, year < calendar.LAST_YEAR)


def calendar_change_detail(reader, pk) -> CalendarChange:
    _require_reader(reader)
    try:
        return CalendarChange.objects.select_related("agency").get(pk=pk, agency_id=reader.agency_id)
    except (CalendarChange.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@dataclass
class UrgencyDefault:
    urgency: int
    label: str
    working_days: int
    configured: bool
    deadline_from_today: dt.date


def deadline_rules(reader) -> list[DeadlineRule]:
    """The rules the reader's agency configured, most general first."""
    _require_reader(reader)
    rules = list(DeadlineRule.objects.filter(agency_id=reader.agency_id))
    return sorted(rules, key=lambda r: (r.doc_type != "", r.doc_type, r.urgency is not None, r.urgency or 0))


def urgency_defaults(reader) -> list[UrgencyDefault]:
    """For each urgency, most urgent first: the deadline of a document of no particular type,
    and the day it would fall on for a document received today."""
    _require_reader(reader)
    rules = deadlines.agency_rules(reader.agency_id)
    today = timezone.localdate()
    result = []
    for urgency in sorted(Urgency, reverse=True):
        days = deadlines.resolve_days(rules, "", urgency)
        configured = ("", urgency.value) in rules or rules.get(("", None)) == days
        result.append(UrgencyDefault(urgency, urgency.label, days, configured,
                                     calendar.add_working_days(reader.agency_id, today, days)))
    return result


def deadline_rule_detail(reader, pk) -> DeadlineRule:
    _require_reader(reader)
    try:
        return DeadlineRule.objects.select_related("agency").get(pk=pk, agency_id=reader.agency_id)
    except (DeadlineRule.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None

