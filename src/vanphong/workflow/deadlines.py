"""Default handling deadlines, in working days, by document type and urgency.

Built in, when an agency has configured nothing (BUILT_IN_DAYS): Hỏa tốc 1 working day, Thượng
khẩn 2, Khẩn 3, Thường 10. Decree 30/2020/NĐ-CP (Art. 20) has urgent documents presented and
handed on at once, on the day they arrive; one working day for the handling itself of a Hỏa tốc
document is the shortest deadline that can still be met, and 2 and 3 keep the order of the
urgencies. Ten working days (two weeks) is the usual handling time of working regulations
(quy chế làm việc) for a document that states no deadline of its own.

An agency's rules (DeadlineRule) name a document type, an urgency, both or neither ("any"),
and the most specific one applies:

1. the rule for this type and this urgency, as configured;
2. else the rule for this type (any urgency), else for this urgency (any type), else the
   agency's rule for any type and any urgency, else the built-in days of the urgency;
3. in case 2, an urgent document never gets longer than its urgency allows (the agency's rule
   for the urgency, else the built-in days): a Hỏa tốc report is due in 1 working day even where
   reports normally get 15.

A deadline is counted in working days of the agency's calendar from the day after `start`."""

from __future__ import annotations

import datetime as dt
import threading

from vanphong.documents.types import Urgency
from vanphong.workflow import calendar

BUILT_IN_DAYS = {Urgency.FLASH: 1, Urgency.VERY_URGENT: 2, Urgency.URGENT: 3, Urgency.NORMAL: 10}

Key = tuple[str, int | None]

_rules: dict[int, tuple[int, dict[Key, int]]] = {}
_lock = threading.Lock()


def forget(agency) -> None:
    with _lock:
        _rules.pop(agency if isinstance(agency, int) else agency.pk, None)


def clear_cache() -> None:
    with _lock:
        _rules.clear()


def agency_rules(agency) -> dict[Key, int]:
    """{(doc_type or "", urgency or None): working days} of the agency, cached like its calendar
    (one version covers both)."""
    from vanphong.workflow.models import DeadlineRule

    version = calendar.agency_calendar(agency).version
    agency_id = agency if isinstance(agency, int) else agency.pk
    hit = _rules.get(agency_id)
    if hit is not None and hit[0] == version:
        return hit[1]
    rules = {(t, u): days for t, u, days in DeadlineRule.objects.filter(agency_id=agency_id).values_list("doc_type", "urgency", "working_days")}
    with _lock:
        _rules[agency_id] = (version, rules)
    return rules


def resolve_days(rules: dict[Key, int], doc_type: str | None, urgency: int | None) -> int:
    """The working days that `rules` give a document of this type and urgency (see above)."""
    doc_type = doc_type or ""
    urgency = Urgency.NORMAL if urgency is None else int(urgency)
    if (doc_type, urgency) in rules:
        return rules[(doc_type, urgency)]
    urgency_days = rules.get(("", urgency), BUILT_IN_DAYS[urgency])
    for key in ([(doc_type, None)] if doc_type else []) + [("", urgency), ("", None)]:
        if key in rules:
            days = rules[key]
            break
    else:
        days = BUILT_IN_DAYS[urgency]
    if urgency > Urgency.NORMAL:
        days = min(days, urgency_days)
    return days


def default_deadline_days(agency, document_type: str | None, urgency: int | None) -> int:
    return resolve_days(agency_rules(agency), document_type, urgency)


def default_deadline(agency, document_type: str | None, urgency: int | None, start: dt.date) -> dt.date:
    """The default deadline of a document of this type and urgency received (or assigned) on
    `start`: that many working days of the agency's calendar after it."""
    return calendar.add_working_days(agency, start, default_deadline_days(agency, document_type, urgency))
