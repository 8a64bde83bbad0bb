"""A leader's pages over their units: the dashboard (figures, charts, tables by unit, person and month, and the
periodic report to download), and the lists of the units' work."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from vanphong.core.errors import ValidationError
from vanphong.core.paging import CappedPaginator
from vanphong.core.web import add_service_errors
from vanphong.workflow import dashboard_charts, reports, statistics
from vanphong.workflow import dashboard_selectors as selectors
from vanphong.workflow.dashboard_forms import DashboardForm, UnitWorkForm
from vanphong.workflow.handling_selectors import working_days_late
from vanphong.workflow.models import Task

PAGE_SIZE = 50


def _units_or_403(request):
    if not statistics.oversees_units(request.user):
        raise PermissionDenied
    return statistics.overseen_units(request.user)


def _statistics(request) -> tuple[DashboardForm, statistics.Statistics | None]:
    form = DashboardForm(request.GET, units=_units_or_403(request))
    if not form.is_valid():
        return form, None
    try:
        return form, statistics.handling_statistics(request.user, period=form.period, unit=form.chosen_unit(),
                                                    doc_type=form.cleaned_data["doc_type"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form, None


@login_required
def dashboard(request):
    form, stats = _statistics(request)
    context = {"section": "dashboard", "form": form, "stats": stats, "query": request.GET.urlencode(), "series": dashboard_charts.SERIES,
               "columns": statistics.COLUMNS, "definitions": reports.definitions()}
    if stats is not None:
        one_year = stats.period.start.year == stats.period.end.year  # then the axis says "1" to "12", else "1/25"
        months = dashboard_charts.columns([(str(m.month) if one_year else f"{m.month}/{m.year % 100:02d}", m.figures) for m in stats.months])
        context["month_chart"] = dashboard_charts.svg(months, "chart-months",
                                                      _("Work received each month, by outcome (figures in the table below)"))
        units = [(u.name, u.figures) for u in stats.units if u.figures.received]
        if units:
            context["unit_chart"] = dashboard_charts.svg(dashboard_charts.rows(units), "chart-units",
                                                         _("Work received by each unit, by outcome (figures in the table below)"))
        context["tables"] = _display_tables(request, stats)
        context["cards"] = [(label, reports.number_text(value)) for (_key, label), value in
                            zip(statistics.COLUMNS, reports.figure_values(stats.total), strict=True)]
    return render(request, "workflow/dashboard.html", context, status=200 if stats is not None or not form.is_bound else 400)


@login_required
def report(request, fmt):
    if fmt not in reports.FORMATS:
        raise Http404
    form, stats = _statistics(request)
    if stats is None:
        return render(request, "workflow/dashboard.html", {"form": form, "stats": None, "query": request.GET.urlencode(),
                                                           "columns": statistics.COLUMNS}, status=400)
    content, filename = reports.export(request.user, stats, fmt, request=request)
    response = HttpResponse(content, content_type=reports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def unit_work(request):
    units = _units_or_403(request)
    tab = request.GET.get("tab", "todo")
    if tab not in selectors.UNIT_LISTS:
        tab = "todo"
    form = UnitWorkForm(request.GET, units=units, people=selectors.people_of_units(units))
    page = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            tasks = selectors.unit_work_list(request.user, tab, unit=form.chosen_unit(), person=form.chosen_person(), start=data["start"],
                                             end=data["end"], doc_type=data["doc_type"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            page = CappedPaginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
            for task in page:
                task.late = working_days_late(request.user.agency_id, task.deadline) if task.status == Task.Status.OPEN else 0
                task.completed_late = task.closed_at is not None and timezone.localtime(task.closed_at).date() > task.deadline
    filters = request.GET.copy()
    for name in ("tab", "page"):
        filters.pop(name, None)
    return render(request, "workflow/unit_work.html", {"section": "lists", "form": form, "tab": tab, "page": page, "lists": selectors.UNIT_LISTS,
                                                       "filters": filters.urlencode()}, status=200 if page is not None else 400)


def _display_tables(request, stats: statistics.Statistics) -> list[dict]:
    """The dashboard's tables: the report's (reports.tables), with each figure formatted as in the report, and links
    from a unit or a person to the list of their work."""
    from django.urls import reverse

    base = reverse("workflow:unit_work")
    links = ([f"{base}?unit={u.unit_id}" if u.unit_id else "" for u in stats.units],
             [f"{base}?person={p.person_id}" if p.person_id else f"{base}?unit={p.unit_id}" for p in stats.people],
             ["" for _m in stats.months])
    depths = ([u.depth for u in stats.units], [0] * len(stats.people), [0] * len(stats.months))
    found = []
    for (title, first, rows), hrefs, indent in zip(reports.tables(stats), links, depths, strict=True):
        body = []
        for n, (name, figures) in enumerate(rows):
            is_total = n == len(rows) - 1
            body.append({"name": name.strip(), "href": "" if is_total else hrefs[n], "depth": 0 if is_total else indent[n],
                         "total": is_total, "cells": [reports.number_text(v) for v in reports.figure_values(figures)]})
        found.append({"title": title, "first": first, "rows": body, "html": _table_html(title, first, body)})
    return found


def _table_html(title, first, rows) -> str:
    """One table of figures. Built here rather than by template loops, and by plain string joins rather than
    format_html per cell: a row per person of a leader's staff made either most of the page's cost. Every text
    is escaped; the figures are numbers formatted by reports.number_text."""
    columns = "".join(f'<th scope="col" class="num">{escape(label)}</th>' for _key, label in statistics.COLUMNS)
    body = []
    for row in rows:
        name = f'<a href="{escape(row["href"])}">{escape(row["name"])}</a>' if row["href"] else escape(row["name"])
        cells = "".join(f'<td class="{"num bad" if n == 3 and cell != "0" and not row["total"] else "num"}">{escape(cell)}</td>'
                        for n, cell in enumerate(row["cells"]))
        row_class = ' class="total"' if row["total"] else ""
        indent = f' class="tree-indent-{int(row["depth"])}"' if row["depth"] else ""
        body.append(f'<tr{row_class}><th scope="row"{indent}>{name}</th>{cells}</tr>')
    return mark_safe(f'<div class="table-wrap"><table class="figures"><caption class="visually-hidden">{escape(title)}</caption>'
                     f'<thead><tr><th scope="col">{escape(first)}</th>{columns}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')
