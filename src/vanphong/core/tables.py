"""Reading a table that a person exported from a spreadsheet (CSV or XLSX): the front end the
importers share (org.importer, documents.legacy_import). Parsing only, never a write.

- The format is judged by the bytes: an XLSX is a ZIP holding xl/workbook.xml; PDF, old Office
  (.xls, .doc), programs and other binary files are refused with a message that says what they are.
- CSV encodings: UTF-8 (with or without a byte order mark), UTF-16 with a byte order mark (Excel's
  "Unicode text"), Windows-1258 (Vietnamese Windows). A file that mixes UTF-8 lines with others gets
  an error on each line that is not UTF-8. The delimiter (, ; or tab) is the one that makes the
  most column headers recognisable.
- Headers are matched whatever their case and diacritics, in Vietnamese or English (Columns), on
  the first of the first HEADER_SEARCH_ROWS non-empty rows that names two known columns.
- Rows are streamed: memory does not grow with the file. Cells come NFC-normalised with their
  white space collapsed (core.text.normalize); empty rows are skipped.

Line numbers are the file's own: a plain CSV's header is line 1 (a quoted cell may span lines: a
row is numbered by its first line), and an XLSX row is its Excel row number.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple

from django.utils.translation import gettext as _

from vanphong.core.text import fold, normalize

HEADER_SEARCH_ROWS = 10
MAX_SHEETS = 10
CHUNK_BYTES = 1024 * 1024
# An XLSX is a ZIP of XML: refuse one that would unpack to more than this (a "zip bomb").
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc
DOS_EOF = b"\x1a"
HEAD_BYTES = 8
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Problem(NamedTuple):
    line: int  # 0: the whole file
    column: str  # the column's header as written in the file, or ""
    message: str


def describe(problem: Problem) -> str:
    """One sentence that names the line (and column), for the command line and exceptions."""
    if problem.line and problem.column:
        return _("Line %(line)s, column “%(column)s”: %(message)s") % {
            "line": problem.line, "column": problem.column, "message": problem.message}
    if problem.line:
        return _("Line %(line)s: %(message)s") % {"line": problem.line, "message": problem.message}
    return problem.message


class TableError(Exception):
    """The file cannot be read as a table (line 0), or stops being one at `line`."""

    def __init__(self, message: str, line: int = 0, column: str = ""):
        super().__init__(message)
        self.problem = Problem(line, column, message)
        self.notices: list[str] = []
        self.problems: list[Problem] = []


def fold_header(text: str) -> str:
    text = fold(normalize(text)).replace("_", " ")
    text = re.sub(r"\(\s*\*\s*\)|\*", "", text)  # templates mark required columns with * or (*)
    return re.sub(r"\s+", " ", text).strip(" :")


class Columns:
    """The columns an importer knows: field -> (header shown in messages and templates, accepted
    headers as fold_header() leaves them)."""

    def __init__(self, spec: dict[str, tuple[str, tuple[str, ...]]]):
        self.spec = spec
        self._by_alias = {alias: name for name, (_label, aliases) in spec.items() for alias in aliases}

    def label(self, name: str) -> str:
        return self.spec[name][0]

    def field_of(self, header: str) -> str | None:
        return self._by_alias.get(fold_header(header))

    def known(self, cells: Iterable[str]) -> int:
        """How many different known columns these cells name."""
        return len({self._by_alias[h] for h in (fold_header(c) for c in cells if c) if h in self._by_alias})


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class Table:
    """A table being read. `rows` yields (line, cells) of the body, below the header; `problems`
    and `bad_lines` grow as it goes (lines that could not be decoded): read them after the rows."""

    file_format: str  # "csv" or "xlsx"
    header_line: int
    header: list[str]
    index: dict[str, int]  # field -> position of its column
    columns: dict[str, str]  # field -> header as written
    rows: Iterator[tuple[int, list[str]]]
    notices: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)

    def cell(self, cells: list[str], name: str) -> str:
        position = self.index.get(name)
        return cells[position] if position is not None and position < len(cells) else ""


def read_table(stream: BinaryIO, columns: Columns, *, required: Iterable[str] = (),
               max_unpacked_bytes: int = MAX_XLSX_UNPACKED_BYTES) -> Table:
    """Open the table in the seekable binary `stream`, find its header and check that the
    `required` columns are there. Raises TableError if it is not a table of these columns; its
    `notices` and `problems` hold what was found before."""
    notices: list[str] = []
    problems: list[Problem] = []
    try:
        return _open(stream, columns, required, max_unpacked_bytes, notices, problems)
    except TableError as exc:
        exc.notices, exc.problems = notices, problems
        raise


def _open(stream, columns, required, max_unpacked_bytes, notices, problems) -> Table:
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    bad_lines: set[int] = set()
    if head.startswith(ZIP_MAGIC):
        file_format, raw = "xlsx", _xlsx_rows(stream, columns, notices, max_unpacked_bytes)
    elif head.startswith(b"%PDF-"):
        raise TableError(_("This is a PDF document, not a table. Export the list as CSV or XLSX."))
    elif head.startswith(OLE2_MAGIC):
        raise TableError(_("This is an old Excel (.xls) or Word file. Save the list as .xlsx or CSV."))
    else:
        file_format, raw = "csv", _csv_rows(stream, columns, notices, problems, bad_lines)
    rows = ((line, [normalize(c) if c else "" for c in cells]) for line, cells in raw)
    rows = ((line, cells) for line, cells in rows if any(cells))
    first = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    if not first:
        raise TableError(_("The file holds no rows."))
    at = next((i for i, (_l, cells) in enumerate(first) if columns.known(cells) >= 2), 0)
    header_line, header = first[at]
    table = Table(file_format, header_line, header, {}, {}, itertools.chain(first[at + 1:], rows), notices, problems, bad_lines)
    for position, text in enumerate(header):
        name = columns.field_of(text)
        if name is None:
            if text:
                notices.append(_("The column “%(column)s” is not recognised and was ignored.") % {"column": text})
            continue
        if name in table.index:
            raise TableError(_("Two columns give the same information: “%(first)s” and “%(second)s”.")
                             % {"first": header[table.index[name]], "second": text}, header_line, text)
        table.index[name] = position
        table.columns[name] = text
    missing = [columns.label(name) for name in required if name not in table.index]
    if missing:
        raise TableError(_("Missing columns: %(columns)s. The first row must name the columns, as in the template.")
                         % {"columns": ", ".join(missing)}, header_line)
    body = next(table.rows, None)
    if body is None:
        raise TableError(_("The file has column headers but no rows below them."), header_line)
    table.rows = itertools.chain([body], table.rows)
    return table


# ---- CSV ----------------------------------------------------------------------------------------------


def _not_a_table() -> TableError:
    return TableError(_("This file is not a CSV or XLSX table. Export the list from your spreadsheet as CSV or XLSX."))


def _content_end(stream: BinaryIO) -> int:
    """The size without the DOS end-of-file marks (\\x1a) some old programs append."""
    end = stream.seek(0, io.SEEK_END)
    while end > 0:
        start = max(0, end - 4096)
        stream.seek(start)
        tail = stream.read(end - start).rstrip(DOS_EOF)
        if tail:
            return start + len(tail)
        end = start
    return 0


def _chunks(stream: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    stream.seek(start)
    remaining = end - start
    while remaining > 0:
        chunk = stream.read(min(CHUNK_BYTES, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def _byte_lines(stream: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    """The lines of stream[start:end], as bytes.splitlines(keepends=True) cuts them (\\n, \\r\\n, \\r)."""
    pending = b""
    for chunk in _chunks(stream, start, end):
        lines = (pending + chunk).splitlines(keepends=True)
        pending = lines.pop()  # it may go on in the next chunk (or be a \r whose \n is there)
        yield from lines
    if pending:
        yield pending


def _csv_rows(stream, columns, notices, problems, bad_lines) -> Iterator[tuple[int, list[str]]]:
    end = _content_end(stream)
    stream.seek(0)
    bom = stream.read(3)
    if bom.startswith(UTF16_BOMS):
        lines = _utf16_lines(stream, notices)
    else:
        start = len(UTF8_BOM) if bom == UTF8_BOM else 0
        lines = _decoded_lines(stream, start, end, notices, problems, bad_lines)
    head = list(itertools.islice(lines, HEADER_SEARCH_ROWS * 3))
    delimiter = _sniff_delimiter(head, columns)
    return _parse_csv(itertools.chain(head, lines), delimiter)


def _utf16_lines(stream, notices) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-16")()
    size = stream.seek(0, io.SEEK_END)
    try:
        for chunk in _chunks(stream, 0, size):
            if CONTROL_CHARS.search(decoder.decode(chunk)):
                raise _not_a_table()
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise TableError(_("The file starts like UTF-16 text but is not valid UTF-16.")) from None
    notices.append(_("The file was decoded as UTF-16."))
    return _utf16_text_lines(stream)


def _utf16_text_lines(stream) -> Iterator[str]:
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-16", newline="")  # lines end at \n, \r\n or \r, as csv expects
    try:
        yield from text
    finally:
        text.detach()  # the caller's stream stays open


def _decoded_lines(stream, start, end, notices, problems, bad_lines) -> Iterator[str]:
    """UTF-8 if the whole file is; else each line as UTF-8 when some are (the others are errors),
    or as Windows-1258 when none is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    for chunk in _chunks(stream, start, end):
        if CONTROL_BYTES.search(chunk):
            raise _not_a_table()  # a program, an image, an archive...
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if utf8:
        return (line.decode("utf-8") for line in _byte_lines(stream, start, end))
    mixed = False
    for raw in _byte_lines(stream, start, end):
        if not raw.isascii():
            try:
                raw.decode("utf-8")
                mixed = True
                break
            except UnicodeDecodeError:
                pass
    if not mixed:
        notices.append(_("The file is not UTF-8: it was decoded as Windows-1258."))
    return _line_by_line(stream, start, end, mixed, problems, bad_lines)


def _line_by_line(stream, start, end, mixed, problems, bad_lines) -> Iterator[str]:
    for number, raw in enumerate(_byte_lines(stream, start, end), 1):
        if raw.isascii():
            yield raw.decode("ascii")
        elif mixed:
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(Problem(number, "", _("This line is not UTF-8: the file mixes encodings. Save the whole file again as “CSV UTF-8”.")))
                bad_lines.add(number)
                yield raw.decode("utf-8", errors="replace")
        else:
            try:
                yield raw.decode("cp1258")
            except UnicodeDecodeError:
                problems.append(Problem(number, "", _("This line is neither UTF-8 nor Windows-1258 text. Save the file as “CSV UTF-8”.")))
                bad_lines.add(number)
                yield raw.decode("cp1258", errors="replace")


def _sniff_delimiter(lines: list[str], columns: Columns) -> str:
    """The delimiter among , ; and tab that makes the most column headers recognisable."""
    head = [line for line in lines if line.strip()][:HEADER_SEARCH_ROWS]
    best, best_score = None, 0
    for delimiter in (",", ";", "\t"):
        try:
            score = max((columns.known(cells) for cells in csv.reader(head, delimiter=delimiter)), default=0)
        except csv.Error:
            continue
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    first = head[0] if head else ""
    return max((",", ";", "\t"), key=first.count)


def _parse_csv(lines: Iterator[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(lines, delimiter=delimiter)
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TableError(_("This line cannot be read as CSV (%(reason)s).") % {"reason": exc}, previous + 1) from None
        yield previous + 1, cells
        previous = reader.line_num


# ---- XLSX ---------------------------------------------------------------------------------------------


def _xlsx_rows(stream, columns, notices, max_unpacked_bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl

    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TableError(_("The Excel file is damaged and cannot be opened.")) from None
    if "xl/workbook.xml" not in names:
        raise TableError(_("This is a ZIP archive but not an Excel workbook (.xlsx). Save the list as .xlsx or CSV."))
    if unpacked > max_unpacked_bytes:
        raise TableError(_("The Excel file is too large once unpacked. Split it into smaller files."))
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged file
        raise TableError(_("The Excel file is damaged and cannot be opened.")) from None
    try:
        chosen = None
        for index, sheet in enumerate(workbook.worksheets[:MAX_SHEETS]):
            rows = _sheet_rows(sheet)
            head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
            if any(columns.known(cells) >= 2 for _n, cells in head):
                if index:
                    notices.append(_("The list was read from the sheet “%(sheet)s”.") % {"sheet": sheet.title})
                chosen = itertools.chain(head, rows)
                break
        if chosen is None and workbook.worksheets:
            chosen = _sheet_rows(workbook.worksheets[0])
    except Exception:
        workbook.close()
        raise TableError(_("The Excel file is damaged and cannot be opened.")) from None
    return _closing(chosen or iter(()), workbook)


def _sheet_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    sheet.reset_dimensions()  # some programs write a wrong size: read every row there is
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        yield number, [cell_text(v) for v in values]


def _closing(rows, workbook) -> Iterator[tuple[int, list[str]]]:
    try:
        try:
            yield from rows
        except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError) as exc:
            raise TableError(_("The Excel file is damaged and cannot be opened.")) from exc
    finally:
        workbook.close()
