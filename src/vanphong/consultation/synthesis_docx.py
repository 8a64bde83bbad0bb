"""The synthesis report as a Word file, laid out as Vietnamese agencies lay out a "báo cáo tổng hợp, giải trình, tiếp thu
ý kiến góp ý": the Decree 30/2020/NĐ-CP header (agency, number, national motto, place and date), the title naming the
draft, I. the consultation in figures with two charts (response rate by unit, comments per article), II. the table
STT | Điều, khoản | Nội dung góp ý | Cơ quan, đơn vị góp ý | Ý kiến tiếp thu, giải trình, article by article, and the
recipients and signature. Times New Roman 13 (14 for the title), A4 landscape for the wide table.

The charts are PNG images drawn by matplotlib (Agg, no display) in DejaVu Sans, which matplotlib ships and which has
every Vietnamese glyph."""

from __future__ import annotations

import io

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from vanphong.consultation.synthesis import GroupRow, InviteeFigures, Synthesis, whole_draft_label
from vanphong.core.report_layout import date_line, landscape_document

NAMES_SHOWN = 40  # respondents named in a cell; a mass campaign's hundreds are counted, not listed
CHART_ROWS = 40  # bars in a chart; more would be unreadable on a page (the tables have them all)


def percent(value: float) -> str:
    return formats.number_format(round(value, 1), decimal_pos=1, use_l10n=True) + "%"


def overview_text(s: Synthesis) -> list[str]:
    """The overview's paragraphs (the XLSX's overview sheet says the same)."""
    t = s.total
    body = s.drafting_unit or s.agency_name
    first = _("%(body)s put the draft out for comments to %(invited)d invitees (units, people and agencies), with comments due "
              "by %(deadline)s.") % {"body": body, "invited": t.invited, "deadline": s.deadline.strftime("%d/%m/%Y")}
    second = _("%(responded)d answered (%(rate)s): %(answered)d with comments and %(agreed)d agreeing without comment "
               "(nhất trí); %(answered_late)d of these answers came after the deadline. Not answered: %(not_answered)d, of which "
               "%(late)d past the deadline.") % {
        "responded": t.responded, "rate": percent(t.rate), "answered": t.answered, "agreed": t.agreed,
        "answered_late": t.answered_late, "not_answered": t.not_answered, "late": t.late}
    third = _("%(comments)d comments were received and consolidated into %(groups)d groups; %(responses)d groups have the "
              "drafting body's response.") % {"comments": s.comments, "groups": s.consolidated, "responses": s.responded_groups}
    if s.not_consolidated:
        third += " " + ngettext("%(count)d comment is not consolidated yet: it is listed on its own.",
                                "%(count)d comments are not consolidated yet: each is listed on its own.",
                                s.not_consolidated) % {"count": s.not_consolidated}
    return [first, second, third]


def respondents_text(group: GroupRow, limit: int = NAMES_SHOWN) -> str:
    names = group.respondent_names
    shown = "; ".join(names[:limit])
    if len(names) > limit:
        shown += "; " + ngettext("and %(count)d other", "and %(count)d others", len(names) - limit) % {"count": len(names) - limit}
    return shown + "\n(" + counts_text(group) + ")"


def counts_text(group: GroupRow) -> str:
    return (ngettext("%(count)d respondent", "%(count)d respondents", len(group.respondents)) % {"count": len(group.respondents)}
            + ", " + ngettext("%(count)d comment", "%(count)d comments", group.comments) % {"count": group.comments})


def response_text(group: GroupRow) -> str:
    if group.id is None:
        return pgettext("synthesis", "Not consolidated yet.")
    if not group.response:
        return pgettext("synthesis", "No response yet.")
    text = group.response_label + (": " + group.response_text if group.response_text else ".")
    if group.response_unit_label:
        text += "\n" + _("See %(unit)s of the revised draft.") % {"unit": group.response_unit_label}
    return text


def kind_headers() -> list[str]:
    return [pgettext("synthesis", "Invitees"), pgettext("synthesis", "Invited"), pgettext("synthesis", "With comments"),
            pgettext("synthesis", "Agreed, no comment"), pgettext("synthesis", "Answered late"),
            pgettext("synthesis", "Not answered"), pgettext("synthesis", "Response rate")]


def kind_values(f: InviteeFigures) -> list:
    return [f.name, f.invited, f.answered, f.agreed, f.answered_late, f.not_answered, round(f.rate, 1)]


def table_headers() -> list[str]:
    return [pgettext("synthesis", "No."), pgettext("synthesis", "Article, clause"), pgettext("synthesis", "Comment"),
            pgettext("synthesis", "Agencies, units and people commenting"), pgettext("synthesis", "Acceptance or explanation")]


def rate_chart_rows(s: Synthesis) -> tuple[str, list[InviteeFigures]]:
    """The first chart's title and bars: by unit, or by kind of invitee when there are too many units to draw."""
    if len(s.by_unit) <= CHART_ROWS:
        return _("Response rate by unit"), s.by_unit
    return _("Response rate by kind of invitee"), s.by_kind


def article_chart_rows(s: Synthesis) -> tuple[str, list]:
    """The second chart's title and bars: every article, or the most commented ones (in draft order) when too many."""
    rows = s.per_article
    if len(rows) <= CHART_ROWS:
        return _("Comments per article"), rows
    kept = {id(a) for a in sorted(rows, key=lambda a: -a.comments)[:CHART_ROWS]}
    return _("Comments per article (the %(count)d most commented)") % {"count": CHART_ROWS}, [a for a in rows if id(a) in kept]


def rate_chart_png(s: Synthesis) -> bytes:
    _title, rows = rate_chart_rows(s)
    labels = [r.name for r in rows]
    values = [r.rate for r in rows]
    notes = [f"{r.responded}/{r.invited}" for r in rows]
    return _bar_png(labels, values, notes, horizontal=True, axis=_("Invitees who answered (%)"), limit=100)


def article_chart_png(s: Synthesis) -> bytes:
    _title, rows = article_chart_rows(s)
    return _bar_png([a.label for a in rows], [a.comments for a in rows], [str(a.comments) for a in rows],
                    horizontal=False, axis=_("Comments"))


def _bar_png(labels: list[str], values: list[float], notes: list[str], *, horizontal: bool, axis: str,
             limit: float | None = None) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    count = max(len(labels), 1)
    with rc_context({"font.family": "DejaVu Sans", "font.size": 9}):
        if horizontal:
            figure = Figure(figsize=(7.5, min(1 + 0.3 * count, 11)), dpi=150)
        else:
            figure = Figure(figsize=(7.5, 3.6), dpi=150)
        ax = figure.add_subplot()  # no title: the report's caption names the figure
        positions = range(len(labels))
        top = max([limit or 0, *values, 1])
        if horizontal:
            bars = ax.barh(positions, values, color="#2f6db5")
            ax.set_yticks(list(positions), labels)
            ax.invert_yaxis()  # first row on top, as in the table
            ax.set_xlim(0, top * 1.12)
            ax.set_xlabel(axis)
        else:
            bars = ax.bar(positions, values, color="#2f6db5")
            ax.set_xticks(list(positions), labels, rotation=45 if count > 8 else 0, ha="right" if count > 8 else "center")
            ax.set_ylim(0, top * 1.15)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.5 comment
            ax.set_ylabel(axis)
        ax.bar_label(bars, labels=notes, padding=2, fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        if not labels:
            ax.text(0.5, 0.5, _("Nothing to show yet."), ha="center", va="center", transform=ax.transAxes)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()


def render(s: Synthesis) -> bytes:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = landscape_document()
    center, left, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY

    def paragraph(text="", *, bold=False, italic=False, size=None, align=center, underline=False, container=None, first=False):
        p = container.paragraphs[0] if first else (container or doc).add_paragraph()
        for n, line in enumerate(text.split("\n")):
            run = p.add_run()
            if n:
                run.add_break()
            run.add_text(line)
            run.bold, run.italic, run.underline = bold, italic, underline
            if size:
                run.font.size = Pt(size)
        p.alignment = align
        return p

    def body_paragraph(text):
        p = paragraph(text, align=justify)
        p.paragraph_format.first_line_indent = Mm(10)
        p.paragraph_format.space_after = Pt(6)
        return p

    def row_property(row, name):
        """w:tblHeader (repeated on each page) or w:cantSplit (a row is never cut across two pages)."""
        element = OxmlElement(name)
        element.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(element)

    # Header: the agency (left), the national motto and the date (right).
    head = doc.add_table(rows=1, cols=2)
    agency_cell, national_cell = head.rows[0].cells
    agency_cell.width, national_cell.width = Mm(100), Mm(152)
    for n, line in enumerate(s.agency_lines):
        paragraph(line, bold=n == len(s.agency_lines) - 1, size=13, container=agency_cell, first=n == 0)
    paragraph(pgettext("report header", "No.: …/BC-%(notation)s") % {"notation": s.notation_code}, container=agency_cell, size=13)
    for n, line in enumerate(s.national_lines):
        paragraph(line, bold=True, underline=n == len(s.national_lines) - 1 and n > 0, size=13 if n == 0 else 14,
                  container=national_cell, first=n == 0)
    paragraph(date_line(s.as_of), italic=True, container=national_cell)

    paragraph()
    paragraph(pgettext("synthesis", "REPORT"), bold=True, size=14)
    paragraph(_("Synthesis of the comments on %(title)s, and their acceptance or explanation") % {"title": s.title}, bold=True, size=14)
    paragraph(_("Version %(number)d of the draft (%(file)s); figures as of %(date)s") % {
        "number": s.version_number, "file": s.version_filename, "date": s.as_of.strftime("%d/%m/%Y")}, italic=True)
    paragraph()

    paragraph("I. " + pgettext("synthesis", "The consultation").upper(), bold=True, align=left)
    for text in overview_text(s):
        body_paragraph(text)
    kinds = doc.add_table(rows=1, cols=7)
    kinds.style, kinds.alignment, kinds.autofit = doc.styles["Table Grid"], WD_TABLE_ALIGNMENT.CENTER, False
    for cell, text in zip(kinds.rows[0].cells, kind_headers(), strict=True):
        paragraph(text, bold=True, size=12, container=cell, first=True)
    for figures in [*s.by_kind, s.total]:
        values = kind_values(figures)
        cells = kinds.add_row().cells
        for k, (cell, value) in enumerate(zip(cells, values, strict=True)):
            text = percent(value) if k == 6 else str(value)
            paragraph(text, bold=figures is s.total, size=12, container=cell, first=True, align=left if k == 0 else center)
    _widths(kinds, (Mm(72),) + (Mm(30),) * 6)
    paragraph()
    for number, png in ((1, rate_chart_png(s)), (2, article_chart_png(s))):
        picture = doc.add_paragraph()
        picture.alignment = center
        picture.paragraph_format.keep_with_next = True  # the caption stays under its figure
        picture.add_run().add_picture(io.BytesIO(png), width=Mm(165))
        title = (rate_chart_rows if number == 1 else article_chart_rows)(s)[0]
        paragraph(_("Figure %(number)d. %(title)s") % {"number": number, "title": title}, italic=True, size=12)
        paragraph()

    paragraph("II. " + pgettext("synthesis", "The comments, and their acceptance or explanation").upper(), bold=True,
              align=left).paragraph_format.keep_with_next = True
    if not s.sections:
        body_paragraph(_("No comment has been received yet."))
    else:
        table = doc.add_table(rows=1, cols=5)
        table.style, table.alignment, table.autofit = doc.styles["Table Grid"], WD_TABLE_ALIGNMENT.CENTER, False
        widths = (Mm(13), Mm(36), Mm(80), Mm(58), Mm(65))  # the 252 mm between the margins
        for cell, text in zip(table.rows[0].cells, table_headers(), strict=True):
            paragraph(text, bold=True, size=12, container=cell, first=True)
        row_property(table.rows[0], "w:tblHeader")
        number = 0
        for part in s.sections:
            cells = table.add_row().cells
            merged = cells[0].merge(cells[4])
            heading = part.label + (". " + part.title if part.title else "")
            paragraph(heading, bold=True, size=12, container=merged, first=True, align=left).paragraph_format.keep_with_next = True
            for group in part.groups:
                number += 1
                row = table.add_row()
                row_property(row, "w:cantSplit")
                cells = row.cells
                values = (str(number), group.unit_label or whole_draft_label(), group.representative, respondents_text(group),
                          response_text(group))
                for k, (cell, text) in enumerate(zip(cells, values, strict=True)):
                    paragraph(text, size=12, container=cell, first=True, align=center if k < 2 else left,
                              italic=k == 4 and not group.response)
        _widths(table, widths)

    paragraph()
    foot = doc.add_table(rows=1, cols=2)
    recipients, signer = foot.rows[0].cells
    paragraph(pgettext("report footer", "Recipients:"), bold=True, italic=True, size=12, container=recipients, first=True, align=left)
    for line in (pgettext("report footer", "- As above;"), pgettext("report footer", "- Filed: VT.")):
        paragraph(line, size=11, container=recipients, align=left)
    paragraph((s.prepared_by_position or _("Prepared by")).upper(), bold=True, container=signer, first=True)
    paragraph(pgettext("report footer", "(Signature, full name)"), italic=True, size=11, container=signer)
    for _blank in range(3):
        paragraph(container=signer)
    paragraph(s.prepared_by, bold=True, container=signer)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _widths(table, widths) -> None:
    """Column widths as Word and LibreOffice read them: on the grid and on every cell."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        cells = row.cells
        if len({id(cell._tc) for cell in cells}) == len(cells):  # a merged row spans the grid already
            for cell, width in zip(cells, widths, strict=True):
                cell.width = width
