"""Register books (sổ đăng ký văn bản): a register's documents for a period, in the column layout
of Decree 30/2020/NĐ-CP, Phụ lục IV, as XLSX (to work with), PDF (to print: A4 landscape, NotoSerif
embedded) or DOCX (to edit and print).

Rows come through the documents selectors, so a book holds only what its reader may see. A register
holds tens of thousands of documents a year: rows are streamed (.iterator(), one query per chunk)
and the three writers draw their tables without per-cell layout engines, which are far too slow at
that size (fpdf2's table() and python-docx's add_row() take minutes for 50,000 rows)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Max, Min, Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from vanphong.core import audit
from vanphong.core.errors import NotFound, ValidationError
from vanphong.core.text import fold
from vanphong.documents import selectors
from vanphong.documents.models import Direction, Document, Recipient, Register

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FONT_DIR = getattr(settings, "VANPHONG_FONT_DIR", "/usr/share/fonts/truetype/noto")
CHUNK = 2000
# fpdf2 subsets the fonts with fontTools, which logs every table it touches at INFO.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Column:
    header: str  # lazy
    chars: int  # XLSX width, in characters
    mm: float  # PDF and DOCX width; each direction's widths add up to 277 mm (A4 landscape less margins)
    kind: str = "text"  # text, date or number (dates and numbers are centred)


INCOMING_COLUMNS = (
    Column(pgettext_lazy("register book", "Arrival date"), 11, 20, "date"),
    Column(pgettext_lazy("register book", "Arrival number"), 8, 14, "number"),
    Column(pgettext_lazy("register book", "Author (issuing agency)"), 26, 40),
    Column(pgettext_lazy("register book", "Number, notation"), 16, 27),
    Column(pgettext_lazy("register book", "Date"), 11, 20, "date"),
    Column(pgettext_lazy("register book", "Type and subject"), 50, 78),
    Column(pgettext_lazy("register book", "Receiving unit or person"), 22, 36),
    Column(pgettext_lazy("register book", "Signature on receipt"), 11, 20),
    Column(pgettext_lazy("register book", "Notes"), 14, 22),
)
OUTGOING_COLUMNS = (
    Column(pgettext_lazy("register book", "Number, notation of the document"), 16, 24),
    Column(pgettext_lazy("register book", "Date of the document"), 11, 20, "date"),
    Column(pgettext_lazy("register book", "Type and subject of the document"), 44, 64),
    Column(pgettext_lazy("register book", "Signer"), 18, 27),
    Column(pgettext_lazy("register book", "Recipients"), 26, 39),
    Column(pgettext_lazy("register book", "Unit or person keeping the file copy"), 16, 26),
    Column(pgettext_lazy("register book", "Copies"), 8, 16, "number"),
    Column(pgettext_lazy("register book", "Date sent"), 11, 21, "date"),
    Column(pgettext_lazy("register book", "Signature on receipt"), 11, 20),
    Column(pgettext_lazy("register book", "Notes"), 12, 20),
)


@dataclass
class Book:
    register: Register
    start: date
    end: date
    columns: tuple[Column, ...]
    rows: Iterator[tuple]  # one tuple of cell values per document, in number order
    first: int | None
    last: int | None
    reader_name: str
    count: int = 0  # rows written, counted as they stream

    @property
    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    @property
    def agency_lines(self) -> list[str]:
        agency = self.register.agency
        return ([agency.parent.name.upper()] if agency.parent_id else []) + [agency.name.upper()]

    @property
    def title(self) -> str:
        if self.register.direction == Direction.INCOMING:
            return pgettext("register book", "REGISTER OF INCOMING DOCUMENTS")
        return pgettext("register book", "REGISTER OF OUTGOING DOCUMENTS")

    @property
    def subtitle_lines(self) -> list[str]:
        numbers = {"first": self.first or "…", "last": self.last or "…"}
        return [
            pgettext("register book", "Year %(year)s") % {"year": self.register.year},
            pgettext("register book", "From %(start)s to %(end)s") % {"start": _d(self.start), "end": _d(self.end)},
            pgettext("register book", "From no. %(first)s to no. %(last)s") % numbers,
        ]

    @property
    def register_line(self) -> str:
        return f"{self.register.name} ({self.register.code})"

    @property
    def empty_text(self) -> str:
        return pgettext("register book", "No documents in this period.")

    def page_label(self, page, pages) -> str:
        return pgettext("register book", "Page %(page)s of %(pages)s") % {"page": page, "pages": pages}

    @property
    def exported_by(self) -> str:
        return pgettext("register book", "Exported by %(name)s on %(date)s") % {"name": self.reader_name, "date": _d(timezone.localdate())}

    def counted(self) -> Iterator[tuple]:
        for row in self.rows:
            self.count += 1
            yield row


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# ---- the export -----------------------------------------------------------------------------------


def export(reader, register, *, start: date, end: date, fmt: str, request=None) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the register's book for the period, as `reader` may see it."""
    if not (reader and reader.is_authenticated and reader.is_active):
        raise NotFound()
    register = selectors.register_detail(reader, getattr(register, "pk", register))
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose XLSX, PDF or DOCX.")})
    check_period(register, start, end)
    documents = _documents(reader, register, start, end)
    numbers = documents.order_by().aggregate(first=Min("number"), last=Max("number"), n=Count("pk"))
    columns, to_row = (INCOMING_COLUMNS, _incoming_row) if register.direction == Direction.INCOMING else (OUTGOING_COLUMNS, _outgoing_row)
    book = Book(register=register, start=start, end=end, columns=columns, first=numbers["first"], last=numbers["last"],
                reader_name=reader.full_name or reader.username,
                rows=(to_row(d) for d in documents.iterator(chunk_size=CHUNK)))
    content = WRITERS[fmt](book)
    audit.record("documents.register.exported", actor=reader, agency=register.agency, target=register, request=request,
                 data={"register": register.pk, "start": start.isoformat(), "end": end.isoformat(), "format": fmt, "rows": book.count})
    return content, FORMATS[fmt], filename(register, fmt)


def check_period(register: Register, start: date | None, end: date | None) -> None:
    """The period is within the register's year: a register holds one year's documents."""
    errors = {}
    if start is None:
        errors["start"] = _("Give the first day of the period.")
    if end is None:
        errors["end"] = _("Give the last day of the period.")
    if errors:
        raise ValidationError(errors)
    if start > end:
        raise ValidationError({"end": _("The end date is before the start date.")})
    for name, day in (("start", start), ("end", end)):
        if day.year != register.year:
            errors[name] = _("This register holds the documents of %(year)s: choose dates in that year.") % {"year": register.year}
    if errors:
        raise ValidationError(errors)


def filename(register: Register, fmt: str) -> str:
    kind = "den" if register.direction == Direction.INCOMING else "di"
    default = {"DEN", "DI", "MAT-DEN", "MAT-DI"}
    code = "" if register.code in default else "-" + slugify(fold(register.code))
    secret = "-mat" if register.confidential and not code else ""
    return f"so-van-ban-{kind}{secret}{code}-{register.year}.{fmt}"


def _documents(reader, register: Register, start: date, end: date):
    if register.direction == Direction.INCOMING:
        # Local days as an instant range: the arrival-date index serves it on both databases.
        zone = timezone.get_current_timezone()
        since = timezone.make_aware(datetime.combine(start, time.min), zone)
        until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone)
        qs = selectors.incoming_list(reader, register=register).filter(arrival_date__gte=since, arrival_date__lt=until)
        qs = qs.select_related(None).select_related("issuing_agency", "receiving_unit", "receiving_person")
    else:
        recipients = Recipient.objects.select_related("unit", "agency").order_by("pk")
        qs = selectors.outgoing_list(reader, register=register).filter(status=Document.Status.ISSUED, issued_date__range=(start, end))
        qs = qs.select_related(None).select_related("file_copy_unit").prefetch_related(Prefetch("recipients", queryset=recipients))
    # search_text holds the attachments' whole text: never needed here.
    return qs.defer("search_text").order_by("number", "pk")


def _type_and_subject(document: Document) -> str:
    kind = document.type_label if document.doc_type else ""
    if not kind or fold(document.subject).startswith(fold(kind)):
        return document.subject
    return f"{kind}: {document.subject}"


def _notes(document: Document) -> str:
    marks = [document.urgency_label] if document.urgency else []
    if document.confidentiality:
        marks.append(document.confidentiality_label)
    return "\n".join(filter(None, ["; ".join(marks), document.notes.strip()]))


def _incoming_row(d: Document) -> tuple:
    receiver = ", ".join(filter(None, [d.receiving_unit.name if d.receiving_unit_id else "",
                                       d.receiving_person.full_name if d.receiving_person_id else ""]))
    arrival = timezone.localtime(d.arrival_date).date() if d.arrival_date else None
    return (arrival, d.number, d.issuer, d.reference, d.issued_date, _type_and_subject(d), receiver, "", _notes(d))


def _outgoing_row(d: Document) -> tuple:
    places = "\n".join(str(r) for r in d.recipients.all())
    sent = timezone.localtime(d.issued_at).date() if d.issued_at else None
    return (d.reference, d.issued_date, _type_and_subject(d), d.signer_name, places,
            d.file_copy_unit.name if d.file_copy_unit_id else "", d.copies, sent, "", _notes(d))


# ---- XLSX ---------------------------------------------------------------------------------------


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx(book: Book) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.header_footer import HeaderFooter

    workbook = Workbook(write_only=True)  # streams rows to disk: memory stays flat for any size
    sheet = workbook.create_sheet(f"{book.register.code} {book.register.year}"[:31])
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    styles = {
        "text": NamedStyle("book_text", alignment=Alignment(wrap_text=True, vertical="top"), border=box),
        "date": NamedStyle("book_date", number_format="dd/mm/yyyy", alignment=Alignment(horizontal="center", vertical="top"), border=box),
        "number": NamedStyle("book_number", alignment=Alignment(horizontal="center", vertical="top"), border=box),
        "head": NamedStyle("book_head", font=Font(bold=True), border=box, fill=PatternFill("solid", fgColor="E7E9EE"),
                           alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
        "colno": NamedStyle("book_colno", font=Font(italic=True, size=9), border=box, alignment=Alignment(horizontal="center")),
    }
    for style in styles.values():
        workbook.add_named_style(style)
    width = len(book.columns)
    last_col = get_column_letter(width)
    for index, column in enumerate(book.columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.chars

    def cell(value, style, **font):
        c = WriteOnlyCell(sheet, value)
        c.style = style
        if isinstance(value, str):
            c.value = _ILLEGAL_XML.sub(" ", value)
            c.data_type = "s"  # a subject starting with "=" stays text, never a formula
        if font:
            c.font = Font(**font)
        return c

    centred = Alignment(horizontal="center")
    title = [[cell(line, "Normal", bold=n == len(book.agency_lines) - 1)] for n, line in enumerate(book.agency_lines)] + [[]]
    merged = [[cell(text, "Normal", **font)] for text, font in [
        (book.title, {"bold": True, "size": 14}), *[(t, {}) for t in book.subtitle_lines], (book.register_line, {"italic": True})]]
    for row in merged:
        row[0].alignment = centred
    head_row = len(title) + len(merged) + 2

    # A streamed sheet writes its properties and views before the first row: all set now.
    sheet.freeze_panes = f"A{head_row + 2}"
    sheet.print_title_rows = f"{head_row}:{head_row + 1}"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.HeaderFooter = HeaderFooter()
    sheet.HeaderFooter.oddFooter.center.text = book.page_label("&P", "&N")

    row_no = 0

    def put(cells, merge=False):
        nonlocal row_no
        row_no += 1
        sheet.append(cells)
        if merge:
            sheet.merged_cells.add(f"A{row_no}:{last_col}{row_no}")

    for row in title:
        put(row)
    for row in merged:
        put(row, merge=True)
    put([])
    put([cell(h, "book_head") for h in book.headers])
    put([cell(f"({i})", "book_colno") for i in range(1, width + 1)])
    style_of = [styles[c.kind].name for c in book.columns]
    for values in book.counted():
        put([cell(v, s) for v, s in zip(values, style_of)])
    if not book.count:
        put([cell(book.empty_text, "book_text")] + [cell(None, "book_text") for _ in range(width - 1)], merge=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---- PDF ------------------------------------------------------------------------------------------


class _PdfTable:
    """Draws the register as a ruled table, page after page, with the column headings repeated."""

    SIZE, LINE, PAD = 9, 4.2, 1.2  # font size (pt), line height and cell padding (mm)
    LEFT, TOP, BOTTOM = 10, 10, 197  # the last printed line stays clear of the footer
    MAX_LINES = 34  # a cell longer than a page is cut (notes can be long)

    def __init__(self, pdf, book: Book):
        self.pdf, self.book = pdf, book
        self.widths = [c.mm for c in book.columns]
        self.centred = [c.kind != "text" for c in book.columns]
        self._words: dict[tuple[str, str], float] = {}
        self.y = 0.0

    def width(self, word: str) -> float:
        # Words repeat throughout a register: measured once each.
        key = (self.pdf.font_style, word)
        try:
            return self._words[key]
        except KeyError:
            value = self._words[key] = self.pdf.get_string_width(word)
            return value

    def wrap(self, text: str, room: float) -> list[str]:
        lines, space = [], self.width(" ")
        for paragraph in text.replace("\r", "").split("\n"):
            line, used = [], 0.0
            for word in paragraph.split():
                size = self.width(word)
                while size > room:  # a word wider than the column is broken where it must be
                    head = word
                    while len(head) > 1 and self.pdf.get_string_width(head) > room:
                        head = head[: max(1, int(len(head) * room / self.pdf.get_string_width(head)) - 1)]
                    if line:
                        lines.append(" ".join(line))
                        line, used = [], 0.0
                    lines.append(head)
                    word = word[len(head):]
                    size = self.width(word)
                if line and used + space + size > room:
                    lines.append(" ".join(line))
                    line, used = [word], size
                elif word:
                    used = used + space + size if line else size
                    line.append(word)
            lines.append(" ".join(line))
        if len(lines) > self.MAX_LINES:
            lines = lines[: self.MAX_LINES - 1] + [lines[self.MAX_LINES - 1] + " …"]
        return lines

    def row(self, texts: list[str], *, style: str = "", fill: bool = False, centred=None, size=None, middle=False) -> None:
        pdf = self.pdf
        pdf.set_font("NotoSerif", style, size or self.SIZE)
        centred = centred or self.centred
        cells = [self.wrap(text, width - 2 * self.PAD) for text, width in zip(texts, self.widths)]
        line = self.LINE * (size or self.SIZE) / self.SIZE
        height = max(len(lines) for lines in cells) * line + 2 * self.PAD
        if self.y + height > self.BOTTOM:
            self.new_page()
            pdf.set_font("NotoSerif", style, size or self.SIZE)
        x = self.LEFT
        for lines, width, centre in zip(cells, self.widths, centred):
            pdf.rect(x, self.y, width, height, style="DF" if fill else "D")
            top = self.y + self.PAD + ((height - 2 * self.PAD - len(lines) * line) / 2 if middle else 0)
            for n, text in enumerate(lines):
                if text:
                    offset = (width - self.width(text)) / 2 if centre else self.PAD
                    pdf.text(x + offset, top + line * n + line * 0.74, text)
            x += width
        self.y += height

    def headings(self) -> None:
        self.row(self.book.headers, style="B", fill=True, centred=[True] * len(self.widths), middle=True)
        self.row([f"({i})" for i in range(1, len(self.widths) + 1)], style="I", centred=[True] * len(self.widths), size=8)

    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = self.TOP
        self.headings()

    def full_width(self, text: str) -> None:
        widths, self.widths = self.widths, [sum(self.widths)]
        self.row([text], style="I", centred=[True])
        self.widths = widths


def _pdf(book: Book) -> bytes:
    from fpdf import FPDF

    class Register(FPDF):
        def footer(self):
            self.set_y(-11)
            self.set_font("NotoSerif", "I", 8)
            self.cell(0, 5, book.exported_by, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, book.page_label(self.page_no(), "{nb}"), align="C")

    pdf = Register(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{book.title} – {book.register_line}")
    pdf.set_author(book.register.agency.name)
    pdf.set_creator("VănPhòng")
    for style, name in (("", "Regular"), ("B", "Bold"), ("I", "Italic")):
        pdf.add_font("NotoSerif", style, f"{FONT_DIR}/NotoSerif-{name}.ttf")
    pdf.set_auto_page_break(False)
    pdf.set_margins(10, 10, 10)
    pdf.set_draw_color(60, 60, 60)
    pdf.set_fill_color(231, 233, 238)
    pdf.set_line_width(0.2)
    pdf.add_page()

    # Title block: the agency at the top left, as on its documents; the book's title centred.
    for n, line in enumerate(book.agency_lines):
        pdf.set_font("NotoSerif", "B" if n == len(book.agency_lines) - 1 else "", 11)
        pdf.cell(110, 5.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("NotoSerif", "B", 16)
    pdf.cell(0, 9, book.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSerif", "", 11)
    for line in book.subtitle_lines:
        pdf.cell(0, 5.8, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSerif", "I", 10)
    pdf.cell(0, 5.8, book.register_line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    table = _PdfTable(pdf, book)
    table.y = pdf.get_y()
    table.headings()
    for values in book.counted():
        table.row([_text(v) for v in values])
    if not book.count:
        table.full_width(book.empty_text)
    return bytes(pdf.output())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return _d(value)
    return str(value)


# ---- DOCX -----------------------------------------------------------------------------------------


def _docx(book: Book) -> bytes:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    from lxml import etree

    doc = Docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(10)
    section.top_margin, section.bottom_margin = Mm(12), Mm(12)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)

    def paragraph(text, *, bold=False, italic=False, size=None, centre=True):
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return p

    header = doc.add_table(rows=len(book.agency_lines), cols=2)  # the agency, top left, as on its documents
    for n, line in enumerate(book.agency_lines):
        cell = header.cell(n, 0)
        cell.width = Mm(110)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].add_run(line).bold = n == len(book.agency_lines) - 1
    paragraph("")
    paragraph(book.title, bold=True, size=16)
    for line in book.subtitle_lines:
        paragraph(line)
    paragraph(book.register_line, italic=True)
    paragraph("")

    W = qn  # noqa: N806  (reads like the w: prefix)
    twips = [round(c.mm * 56.7) for c in book.columns]
    table = doc.add_table(rows=0, cols=len(book.columns))
    table.style = doc.styles["Table Grid"]
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    etree.SubElement(tbl_pr, W("w:tblLayout")).set(W("w:type"), "fixed")
    for col, width in zip(tbl.tblGrid.findall(W("w:gridCol")), twips):
        col.set(W("w:w"), str(width))
    sub = etree.SubElement

    def tr(values, *, heading=False, bold=False, italic=False, size=None, centred=None, spans=None):
        row = sub(tbl, W("w:tr"))
        if heading:
            sub(sub(row, W("w:trPr")), W("w:tblHeader"))  # repeated at the top of each page
        for n, value in enumerate(values):
            tc = sub(row, W("w:tc"))
            tc_pr = sub(tc, W("w:tcPr"))
            tc_w = sub(tc_pr, W("w:tcW"))
            tc_w.set(W("w:w"), str(sum(twips) if spans else twips[n]))
            tc_w.set(W("w:type"), "dxa")
            if spans:
                sub(tc_pr, W("w:gridSpan")).set(W("w:val"), str(len(twips)))
            if heading and bold:
                shade = sub(tc_pr, W("w:shd"))
                shade.set(W("w:val"), "clear")
                shade.set(W("w:fill"), "E7E9EE")
            p = sub(tc, W("w:p"))
            if centred[n] if centred else book.columns[n].kind != "text":
                sub(sub(p, W("w:pPr")), W("w:jc")).set(W("w:val"), "center")
            text = _text(value)
            if not text:
                continue
            run = sub(p, W("w:r"))
            if bold or italic or size:
                r_pr = sub(run, W("w:rPr"))
                if bold:
                    sub(r_pr, W("w:b"))
                if italic:
                    sub(r_pr, W("w:i"))
                if size:
                    sub(r_pr, W("w:sz")).set(W("w:val"), str(size * 2))
            for k, line in enumerate(_ILLEGAL_XML.sub(" ", text).split("\n")):
                if k:
                    sub(run, W("w:br"))
                t = sub(run, W("w:t"))
                t.text = line
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    everywhere = [True] * len(book.columns)
    tr(book.headers, heading=True, bold=True, centred=everywhere, size=10)
    tr([f"({i})" for i in range(1, len(book.columns) + 1)], heading=True, italic=True, centred=everywhere, size=9)
    for values in book.counted():
        tr(values, size=10)
    if not book.count:
        tr([book.empty_text], italic=True, centred=[True], spans=True)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for k, part in enumerate(book.page_label("\x00PAGE\x00", "\x00NUMPAGES\x00").split("\x00")):
        if k % 2:
            field = sub(footer._p, W("w:fldSimple"))
            field.set(W("w:instr"), part)
            sub(sub(field, W("w:r")), W("w:t")).text = "1"
        elif part:
            footer.add_run(part)
    doc.core_properties.title = f"{book.title} – {book.register_line}"
    doc.core_properties.author = book.register.agency.name
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


WRITERS = {"xlsx": _xlsx, "pdf": _pdf, "docx": _docx}
