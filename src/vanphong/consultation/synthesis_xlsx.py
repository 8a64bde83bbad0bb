"""The synthesis report as a workbook, to sort, filter and count: a sheet of the comments (one row a group, with the
article it belongs to, so it filters by article) and an overview sheet with the figures and two native Excel bar charts
(response rate by unit, comments per article) drawn from the figures beside them."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vanphong.consultation.synthesis import Synthesis, whole_draft_label
from vanphong.consultation.synthesis_docx import (
    CHART_ROWS,
    article_chart_rows,
    kind_headers,
    kind_values,
    overview_text,
    rate_chart_rows,
)

NAMES_SHOWN = 500  # a cell holds 32,767 characters at most


def comment_headers() -> list[str]:
    return [pgettext("synthesis", "No."), pgettext("synthesis", "Article"), pgettext("synthesis", "Article, clause"),
            pgettext("synthesis", "Comment"), pgettext("synthesis", "Comments"), pgettext("synthesis", "Respondents"),
            pgettext("synthesis", "Agencies, units and people commenting"), pgettext("synthesis", "Response"),
            pgettext("synthesis", "Acceptance or explanation"), pgettext("synthesis", "Part of the revised draft")]


def render(s: Synthesis) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    workbook = Workbook()
    overview = workbook.active
    overview.title = pgettext("synthesis sheet", "Overview")
    comments = workbook.create_sheet(pgettext("synthesis sheet", "Comments"))
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="E7E9EE")
    wrap = Alignment(wrap_text=True, vertical="top")

    def title_lines(sheet):
        for line in s.agency_lines:
            sheet.append([line])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.append([_("Synthesis of the comments on %(title)s, and their acceptance or explanation") % {"title": s.title}])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=14)
        sheet.append([_("Version %(number)d of the draft (%(file)s); figures as of %(date)s") % {
            "number": s.version_number, "file": s.version_filename, "date": s.as_of.strftime("%d/%m/%Y")}])
        sheet.cell(sheet.max_row, 1).font = Font(italic=True)
        sheet.append([])

    def header_row(sheet, values) -> int:
        sheet.append(values)
        row = sheet.max_row
        for col in range(1, len(values) + 1):
            cell = sheet.cell(row, col)
            cell.font, cell.fill, cell.border = Font(bold=True), head_fill, box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        return row

    def body_row(sheet, values, *, bold=False):
        sheet.append(values)
        for col in range(1, len(values) + 1):
            cell = sheet.cell(sheet.max_row, col)
            cell.border, cell.alignment = box, wrap
            if bold:
                cell.font = Font(bold=True)

    # The comments: one row a group.
    title_lines(comments)
    first = header_row(comments, comment_headers())
    number = 0
    for part in s.sections:
        for group in part.groups:
            number += 1
            names = group.respondent_names
            shown = "; ".join(names[:NAMES_SHOWN]) + ("; …" if len(names) > NAMES_SHOWN else "")
            body_row(comments, [number, part.label, group.unit_label or whole_draft_label(), group.representative, group.comments,
                                len(group.respondents), shown, group.response_label if group.id is not None else "",
                                group.response_text,
                                group.response_unit_label])
    for letter, width in zip("ABCDEFGHIJ", (6, 18, 20, 60, 10, 12, 40, 14, 60, 20), strict=True):
        comments.column_dimensions[letter].width = width
    comments.freeze_panes = comments.cell(first + 1, 4)
    if number:
        comments.auto_filter.ref = f"A{first}:J{first + number}"

    # The overview: figures, then the tables each chart draws.
    title_lines(overview)
    for text in overview_text(s):
        overview.append([text])
    overview.append([])
    header_row(overview, kind_headers())
    for figures in [*s.by_kind, s.total]:
        body_row(overview, kind_values(figures), bold=figures is s.total)
        overview.cell(overview.max_row, 7).number_format = "0.0"
    overview.append([])

    chart_title, rows = rate_chart_rows(s)
    overview.append([chart_title])
    overview.cell(overview.max_row, 1).font = Font(bold=True)
    rate_head = header_row(overview, kind_headers())
    for figures in rows:
        body_row(overview, kind_values(figures))
        overview.cell(overview.max_row, 7).number_format = "0.0"
    rate_chart = BarChart()
    rate_chart.type, rate_chart.title = "bar", chart_title
    rate_chart.y_axis.title, rate_chart.y_axis.scaling.min, rate_chart.y_axis.scaling.max = _("Invitees who answered (%)"), 0, 100
    rate_chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    rate_chart.add_data(Reference(overview, min_col=7, min_row=rate_head, max_row=rate_head + len(rows)), titles_from_data=True)
    rate_chart.set_categories(Reference(overview, min_col=1, min_row=rate_head + 1, max_row=rate_head + len(rows)))
    rate_chart.legend, rate_chart.height, rate_chart.width = None, max(6, 0.6 * len(rows) + 3), 18
    rate_chart.dataLabels = DataLabelList(showVal=True)
    overview.add_chart(rate_chart, f"I{rate_head}")
    overview.append([])

    article_title, articles = article_chart_rows(s)
    overview.append([article_title])
    overview.cell(overview.max_row, 1).font = Font(bold=True)
    article_head = header_row(overview, [pgettext("synthesis", "Article"), pgettext("synthesis", "Comments")])
    for article in articles:
        body_row(overview, [article.label, article.comments])
    article_chart = BarChart()
    article_chart.type, article_chart.title = "col", article_title
    article_chart.y_axis.title, article_chart.y_axis.scaling.min = _("Comments"), 0
    article_chart.add_data(Reference(overview, min_col=2, min_row=article_head, max_row=article_head + len(articles)),
                           titles_from_data=True)
    article_chart.set_categories(Reference(overview, min_col=1, min_row=article_head + 1, max_row=article_head + len(articles)))
    article_chart.legend, article_chart.height, article_chart.width = None, 8, max(12, min(0.8 * len(articles) + 4, 0.8 * CHART_ROWS))
    overview.add_chart(article_chart, f"I{article_head}")

    overview.column_dimensions["A"].width = 40
    for letter in "BCDEFG":
        overview.column_dimensions[letter].width = 13
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
