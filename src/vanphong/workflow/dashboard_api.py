"""REST endpoints of a leader's view over their units: the figures of the dashboard, the periodic report as DOCX
or XLSX, and the lists of the units' work. The same selectors as the pages (workflow.statistics,
workflow.dashboard_selectors) decide what a caller sees: only leaders, only their units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from vanphong.core.api_support import MAX_ID, PageQuery, capped_page, error_responses
from vanphong.core.errors import ValidationError
from vanphong.documents.types import DocumentType
from vanphong.org.models import Person
from vanphong.workflow import dashboard_selectors, reports, statistics
from vanphong.workflow.api import WorkPage
from vanphong.workflow.statistics import Figures

router = Router(tags=["statistics"])

DocTypeCode = Literal[tuple(DocumentType.values)]


class FiguresOut(Schema):
    received: int = Field(description="Work (lead and coordinating tasks) that reached its holder in the period.")
    completed_on_time: int
    completed_late: int
    overdue: int = Field(description="Still open a working day after the deadline ended.")
    open_within_deadline: int
    average_working_days: Decimal | None = Field(description="From receipt to completion, over the work completed, to one decimal.")
    on_time_percent: Decimal | None = Field(description="Completed on time, as a whole percentage of the work completed.")


class UnitFiguresOut(Schema):
    unit_id: int | None = Field(description="null: people of the agency in no unit.")
    name: str
    depth: int = Field(description="Depth below the top of the caller's units.")
    figures: FiguresOut


class PersonFiguresOut(Schema):
    person_id: int | None = Field(description="null: work held by a unit as a whole (unit_id).")
    name: str
    unit_id: int | None
    figures: FiguresOut


class MonthFiguresOut(Schema):
    year: int
    month: int
    figures: FiguresOut


class PeriodOut(Schema):
    kind: str
    start: dt.date
    end: dt.date
    label: str


class StatisticsOut(Schema):
    period: PeriodOut
    as_of: dt.date
    unit_id: int | None = Field(description="The unit the figures were narrowed to, if any.")
    doc_type: str
    total: FiguresOut
    units: list[UnitFiguresOut]
    people: list[PersonFiguresOut]
    months: list[MonthFiguresOut]


class StatisticsQuery(Schema):
    period: Literal["year", "quarter", "month", "custom"] = Field("year", description="custom: from `start` to `end`.")
    year: int | None = Field(None, ge=2000, le=2100, description="Default: this year.")
    quarter: int | None = Field(None, ge=1, le=4)
    month: int | None = Field(None, ge=1, le=12)
    start: dt.date | None = None
    end: dt.date | None = None
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="One of your units: it and the units below it.")
    doc_type: DocTypeCode | None = None


class ReportQuery(StatisticsQuery):
    format: Literal["docx", "xlsx"] = "docx"


class UnitWorkQuery(PageQuery):
    list: Literal[dashboard_selectors.UNIT_LISTS] = Field("todo", description=(
        "todo: open work, earliest deadline first; overdue: those past their deadline; done: completed, latest first."))
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="One of your units: it and the units below it.")
    person_id: int | None = Field(None, ge=1, le=MAX_ID, description="A person of your units: their own work.")
    start: dt.date | None = Field(None, description="Received on or after this day.")
    end: dt.date | None = Field(None, description="Received on or before this day.")
    doc_type: DocTypeCode | None = None


def _figures(f: Figures) -> dict:
    return f.as_dict()


def _unit(reader, unit_id):
    if unit_id is None:
        return None
    unit = next((u for u in statistics.overseen_units(reader) if u.pk == unit_id), None)
    if unit is None:
        raise ValidationError({"unit_id": _("Choose one of the units you lead.")})
    return unit


def _statistics(request, q: StatisticsQuery) -> statistics.Statistics:
    statistics.require_overseer(request.auth)
    try:
        period = statistics.make_period(q.period, year=q.year, quarter=q.quarter, month=q.month, start=q.start, end=q.end)
    except ValidationError as exc:
        raise ValidationError({{"unit": "unit_id"}.get(k, k): v for k, v in exc.message_dict.items()}) from None
    return statistics.handling_statistics(request.auth, period=period, unit=_unit(request.auth, q.unit_id), doc_type=q.doc_type or "")


@router.get("/statistics", response={200: StatisticsOut, **error_responses(401, 403, 422)})
def get_statistics(request, q: Query[StatisticsQuery]):
    """The figures of the handling of incoming documents in your units (leaders only), as the dashboard shows them."""
    stats = _statistics(request, q)
    return {"period": {"kind": stats.period.kind, "start": stats.period.start, "end": stats.period.end, "label": stats.period.label},
            "as_of": stats.today, "unit_id": stats.unit.pk if stats.unit else None, "doc_type": stats.doc_type,
            "total": _figures(stats.total),
            "units": [{"unit_id": u.unit_id, "name": u.name, "depth": u.depth, "figures": _figures(u.figures)} for u in stats.units],
            "people": [{"person_id": p.person_id, "name": p.name, "unit_id": p.unit_id, "figures": _figures(p.figures)}
                       for p in stats.people],
            "months": [{"year": m.year, "month": m.month, "figures": _figures(m.figures)} for m in stats.months]}


@router.get("/statistics/report", response={200: None, **error_responses(401, 403, 422)})
def get_report(request, q: Query[ReportQuery]):
    """The periodic report on the handling of documents, as DOCX (to sign and issue) or XLSX, with the same figures."""
    stats = _statistics(request, q)
    content, filename = reports.export(request.auth, stats, q.format, request=request)
    response = HttpResponse(content, content_type=reports.FORMATS[q.format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/unit-work", response={200: WorkPage, **error_responses(401, 403, 422)})
def list_unit_work(request, q: Query[UnitWorkQuery]):
    """The work of your units (leaders only), in the documents you may read."""
    reader = request.auth
    statistics.require_overseer(reader)
    person = None
    if q.person_id is not None:
        person = Person.objects.filter(pk=q.person_id, agency_id=reader.agency_id).first()
        if person is None:
            raise ValidationError({"person_id": _("Choose a person of the units you lead.")})
    if q.start and q.end and q.end < q.start:
        raise ValidationError({"end": _("The last day is before the first.")})
    try:
        tasks = dashboard_selectors.unit_work_list(reader, q.list, unit=_unit(reader, q.unit_id), person=person, start=q.start, end=q.end,
                                                   doc_type=q.doc_type or "")
    except ValidationError as exc:
        raise ValidationError({{"person": "person_id", "unit": "unit_id"}.get(k, k): v for k, v in exc.message_dict.items()}) from None
    return capped_page(tasks, q)
