"""The periodic report on the handling of documents (báo cáo tình hình xử lý văn bản), as DOCX (to edit, sign
and issue: the layout of an administrative report of Decree 30/2020/NĐ-CP, Phụ lục I) and XLSX (to work with
the figures: numbers as numbers). Both are drawn from one workflow.statistics.Statistics, the very object the
dashboard shows, so the three never disagree."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vanphong.core import audit
from vanphong.core.report_layout import agency_lines, date_line, landscape_document, national_lines
from vanphong.documents.types import DocumentType
from vanphong.workflow.statistics import COLUMNS, Figures, Statistics

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def number_text(value) -> str:
    """A figure as the page shows it: localised decimal separator, a dash for no value."""
    if value is None:
        return "–"
    if type(value) is int and -1000 < value < 1000:  # most figures of a page: no separator to place, no locale to ask
        return str(value)
    places = -value.as_tuple().exponent if isinstance(value, Decimal) else 0
    return formats.number_format(value, decimal_pos=places or None, use_l10n=True)


def figure_values(figures: Figures) -> list:
    values = figures.as_dict()
    return [values[key] for key, _label in COLUMNS]


def tables(stats: Statistics) -> list[tuple[str, str, list[tuple[str, Figures]]]]:
    """(title, first column's header, rows) of each table, in report order, the total row last."""
    units = [(("    " * u.depth) + u.name, u.figures) for u in stats.units]
    people = [(f"{p.name} ({p.unit_name})" if p.person_id and p.unit_name else p.name, p.figures) for p in stats.people]
    months = [(m.label, m.figures) for m in stats.months]
    total = (_("Total"), stats.total)
    return [
        (_("By unit"), _("Unit"), units + [total]),
        (_("By person"), _("Person (unit)"), people + [total]),
        (_("By month of receipt"), _("Month"), months + [total]),
    ]


def scope_line(stats: Statistics) -> str:
    parts = [_("Units: %(units)s") % {"units": stats.unit.name if stats.unit else ", ".join(u.name for u in stats.units if u.depth == 0)
                                      or _("none")}]
    if stats.doc_type:
        parts.append(_("Document type: %(type)s") % {"type": DocumentType(stats.doc_type).label})
    return "; ".join(parts)


def summary(stats: Statistics) -> str:
    t = stats.total
    text = _("In the period, the units received %(received)s pieces of work on incoming documents; %(completed)s were completed "
             "(%(on_time)s on time, %(late)s late); %(open)s are still open, %(overdue)s of them overdue.") % {
        "received": t.received, "completed": t.completed, "on_time": t.on_time, "late": t.late, "open": t.open, "overdue": t.overdue}
    if t.average_days is not None:
        text += " " + _("Average handling time: %(days)s working days.") % {"days": number_text(t.average_days)}
    return text


def definitions() -> str:
    return _("Work: a lead or coordinating task, counted for whoever holds it now (work passed down counts once, for the person "
             "or unit it was passed to; work returned is not counted). Received: reached its holder in the period. On time: "
             "completed on or before its deadline. Overdue: still open after the working day of its deadline ended. Handling "
             "time: working days from receipt to completion, by the agency's working calendar.")


def filename(stats: Statistics, fmt: str) -> str:
    return f"bao-cao-xu-ly-van-ban-{stats.period.start:%Y%m%d}-{stats.period.end:%Y%m%d}.{fmt}"


def export(reader, stats: Statistics, fmt: str, *, request=None) -> tuple[bytes, str]:
    """(content, file name) of the report of `stats` (which handling_statistics made for `reader`)."""
    content = _docx(stats, reader) if fmt == "docx" else _xlsx(stats, reader)
    audit.record("workflow.report.exported", actor=reader, request=request,
                 data={"format": fmt, "start": stats.period.start.isoformat(), "end": stats.period.end.isoformat(),
                       "unit": stats.unit.pk if stats.unit else None, "doc_type": stats.doc_type})
    return content, filename(stats, fmt)


def _docx(stats: Statistics, reader) -> bytes:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = landscape_document()

    def paragraph(text, *, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.CENTER, underline=False, container=doc):
        p = container.add_paragraph() if container is not doc else doc.add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
        p.alignment = align
        return p

    agency = stats.agency
    header = doc.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.width, right.width = Mm(100), Mm(150)
    left.paragraphs[0].add_run(agency_lines(agency)[0]).bold = len(agency_lines(agency)) == 1
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in agency_lines(agency)[1:]:
        paragraph(line, bold=True, container=left)
    paragraph(pgettext("report header", "No.: …/BC-%(notation)s") % {"notation": agency.notation_code}, container=left, size=13)
    national = national_lines(agency)
    right.paragraphs[0].add_run(national[0]).bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in national[1:]:
        paragraph(line, bold=True, underline=True, container=right, size=14)
    paragraph(date_line(stats.today), italic=True, container=right)

    paragraph("")
    paragraph(_("REPORT ON THE HANDLING OF DOCUMENTS"), bold=True, size=14)
    paragraph(stats.period.label + " (" + stats.period.dates.lower() + ")", bold=True)
    paragraph(scope_line(stats), italic=True)
    paragraph(_("Figures as of %(date)s") % {"date": stats.today.strftime("%d/%m/%Y")}, italic=True)
    paragraph("")
    paragraph("I. " + _("Overview").upper(), bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    body = paragraph(summary(stats), align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    body.paragraph_format.first_line_indent = Mm(10)

    numerals = ("II", "III", "IV")
    for numeral, (title, first, rows) in zip(numerals, tables(stats), strict=True):
        paragraph("")
        paragraph(f"{numeral}. {title.upper()}", bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        table = doc.add_table(rows=len(rows) + 1, cols=len(COLUMNS) + 2)
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        all_rows = table.rows
        heads = [pgettext("report", "No."), first] + [str(label) for _key, label in COLUMNS]
        for cell, text in zip(all_rows[0].cells, heads, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            run.bold, run.font.size = True, Pt(11)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for n, (row, (name, figures)) in enumerate(zip(all_rows[1:], rows, strict=True), 1):
            is_total = n == len(rows)
            values = ["" if is_total else str(n), name] + [number_text(v) for v in figure_values(figures)]
            for k, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
                run = cell.paragraphs[0].add_run(text)
                run.font.size, run.bold = Pt(11), is_total
                if k != 1:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for row in all_rows:
            row.cells[0].width, row.cells[1].width = Mm(12), Mm(70)

    paragraph("")
    note = paragraph(definitions(), italic=True, size=11, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    note.paragraph_format.first_line_indent = Mm(10)
    paragraph("")
    footer = doc.add_table(rows=1, cols=2)
    recipients, signer = footer.rows[0].cells
    recipients.paragraphs[0].add_run(pgettext("report footer", "Recipients:")).bold = True
    for line in (pgettext("report footer", "- As above;"), pgettext("report footer", "- Filed: VT.")):
        paragraph(line, container=recipients, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    signer.paragraphs[0].add_run((reader.position or _("Prepared by")).upper()).bold = True
    signer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(pgettext("report footer", "(Signature, full name)"), italic=True, container=signer, size=11)
    for _blank in range(3):
        paragraph("", container=signer)
    paragraph(reader.full_name, bold=True, container=signer)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _xlsx(stats: Statistics, reader) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="E7E9EE")
    width = len(COLUMNS) + 2
    for title, first, rows in tables(stats):
        sheet = workbook.create_sheet(title[:31])
        lines = [(agency_line, Font(bold=True)) for agency_line in agency_lines(stats.agency)]
        lines += [(_("REPORT ON THE HANDLING OF DOCUMENTS"), Font(bold=True, size=14)),
                  (f"{stats.period.label} ({stats.period.dates.lower()})", Font(bold=True)), (scope_line(stats), Font(italic=True)),
                  (_("Figures as of %(date)s") % {"date": stats.today.strftime("%d/%m/%Y")}, Font(italic=True)), (title, Font(bold=True))]
        for text, font in lines:
            sheet.append([text])
            sheet.cell(sheet.max_row, 1).font = font
        sheet.append([pgettext("report", "No."), first] + [str(label) for _key, label in COLUMNS])
        header_row = sheet.max_row
        for col in range(1, width + 1):
            cell = sheet.cell(header_row, col)
            cell.font, cell.fill, cell.border = Font(bold=True), head_fill, box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for n, (name, figures) in enumerate(rows, 1):
            is_total = n == len(rows)
            values = [None if is_total else n, name] + [float(v) if isinstance(v, Decimal) else v for v in figure_values(figures)]
            sheet.append(values)
            for col in range(1, width + 1):
                cell = sheet.cell(sheet.max_row, col)
                cell.border = box
                if is_total:
                    cell.font = Font(bold=True)
            sheet.cell(sheet.max_row, width - 1).number_format = "0.0"
        sheet.column_dimensions["A"].width = 6
        sheet.column_dimensions["B"].width = 44
        for col in range(3, width + 1):
            sheet.column_dimensions[get_column_letter(col)].width = 14
        sheet.freeze_panes = sheet.cell(header_row + 1, 3)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
