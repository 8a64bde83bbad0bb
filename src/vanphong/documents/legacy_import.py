"""Import of an agency's legacy records: the years of incoming and outgoing documents it kept in
spreadsheets (`vanphong import documents FILE`), with a folder of their files.

The file is one table (CSV or XLSX, read by core.tables), one document a row, with the columns
of the Decree 30 registers (COLUMNS, in Vietnamese or English, whatever the diacritics). Each row
is incoming or outgoing: a "Đến/Đi" column says which, or the `direction` argument for the whole
file. A legacy document keeps its register year and number: an incoming one its arrival number
(số đến) in the register of its arrival year, an outgoing one the number of its "số, ký hiệu" in
the register of its date, and is imported as issued. Confidential rows go to the confidential
registers, as registrations do. Missing registers are created; each register's counter ends above
the highest number imported, so the next registration continues from there.

How a run goes:

1. Check: the whole file is read and every row checked (values, numbers unique per register in the
   file and against the database, attachment files checked by content like an upload), before
   anything is written. The checked rows are kept in a temporary file, not in memory.
2. Bad rows: each problem has its line and column (report_csv writes them). With any bad row,
   nothing is imported, unless `skip_invalid` (the good rows are imported, the bad ones counted).
   A dry run stops after the check.
3. Import: batches of `batch_size` rows, each in one transaction with its checkpoint (the
   DocumentImport of this file) and one audit record. A run that stops resumes after the last
   committed batch when the same file is imported again: the rows behind the checkpoint are not
   read again, so each row is imported exactly once.

Rows are written in bulk, without the per-document work of the services (duplicate warnings, the
registration hooks that notify and send status receipts: these are old records), but with the same
rules: the clerk's permission and clearance, numbers unique per register, the search text of
services.search_text_of, the files stored by attachments.store (scans queue OCR as uploads do).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import os
import pickle
import queue
import re
import tempfile
import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanphong.core import audit, tables
from vanphong.core.clearance import Clearance, may_read
from vanphong.core.errors import ValidationError
from vanphong.core.text import fold
from vanphong.documents import attachments, services
from vanphong.documents.models import Direction, Distribution, Document, DocumentImport, Recipient, Register
from vanphong.documents.notation import parse_reference
from vanphong.documents.permissions import require_clerk
from vanphong.documents.types import DocumentType, Urgency
from vanphong.org.importer import CLEARANCE_NAMES
from vanphong.org.models import Agency, Person, Unit

BATCH_SIZE = 2000
SPILL_CHUNK = 1000  # checked rows per pickle in the temporary file
# An XLSX of a million rows unpacks to about a gigabyte of XML; openpyxl streams the sheets.
MAX_XLSX_UNPACKED_BYTES = 4 * 1024 * 1024 * 1024
MAX_NUMBER = 2_000_000_000
PROGRESS_EVERY = 5000  # rows checked between progress reports

# field -> (header shown in messages and in the template, accepted headers as tables.fold_header leaves them)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "direction": ("Đến/Đi", ("den/di", "den / di", "den-di", "van ban den/di", "loai so", "huong", "direction")),
    "arrival_date": ("Ngày đến", ("ngay den", "ngay nhan", "arrival date")),
    "number": ("Số đến", ("so den", "so di", "so", "so thu tu", "arrival number", "number")),
    "issuer": ("Cơ quan ban hành", ("co quan ban hanh", "tac gia", "noi gui", "co quan gui", "noi ban hanh", "issuing agency",
                                    "issuer", "author")),
    "reference": ("Số, ký hiệu", ("so, ky hieu", "so ky hieu", "so/ky hieu", "so, ky hieu van ban", "so ky hieu van ban", "ky hieu",
                                  "reference", "number and notation")),
    "issued_date": ("Ngày văn bản", ("ngay van ban", "ngay thang", "ngay thang van ban", "ngay, thang van ban", "ngay ban hanh",
                                     "ngay ky", "document date", "issued date", "date")),
    "doc_type": ("Loại văn bản", ("loai van ban", "ten loai", "ten loai van ban", "the loai", "loai", "document type", "type")),
    "subject": ("Trích yếu", ("trich yeu", "trich yeu noi dung", "ten loai va trich yeu noi dung", "ten loai va trich yeu noi dung van ban",
                              "noi dung", "subject")),
    "receiver": ("Đơn vị/người nhận", ("don vi/nguoi nhan", "don vi / nguoi nhan", "don vi hoac nguoi nhan", "don vi, nguoi nhan",
                                       "don vi nhan", "nguoi nhan", "receiving unit", "receiver")),
    "passed_on_date": ("Ngày chuyển", ("ngay chuyen", "date passed on")),
    "confidentiality": ("Độ mật", ("do mat", "muc mat", "confidentiality")),
    "urgency": ("Độ khẩn", ("do khan", "muc khan", "muc do khan", "urgency")),
    "due_date": ("Hạn xử lý", ("han xu ly", "han giai quyet", "thoi han", "due date")),
    "page_count": ("Số trang", ("so trang", "so to", "pages")),
    "signer_name": ("Người ký", ("nguoi ky", "signer")),
    "signer_position": ("Chức vụ người ký", ("chuc vu nguoi ky", "chuc vu", "signer position", "signer's position")),
    "recipients": ("Nơi nhận", ("noi nhan", "noi nhan van ban", "recipients")),
    "drafting_unit": ("Đơn vị soạn thảo", ("don vi soan thao", "drafting unit")),
    "file_copy_unit": ("Đơn vị lưu", ("don vi luu", "don vi luu ban", "noi luu", "don vi, nguoi nhan ban luu", "file copy unit")),
    "copies": ("Số bản", ("so ban", "so luong ban", "copies")),
    "notes": ("Ghi chú", ("ghi chu", "notes", "note")),
    "attachments": ("Tệp đính kèm", ("tep dinh kem", "tep", "tep tin", "file", "file dinh kem", "dinh kem", "attachments", "files")),
}
TABLE_COLUMNS = tables.Columns(COLUMNS)
REQUIRED = {
    None: ("subject",),
    Direction.INCOMING: ("arrival_date", "number", "issuer", "subject"),
    Direction.OUTGOING: ("reference", "issued_date", "subject"),
}
# The columns of the templates, in the order of the Decree 30 registers.
TEMPLATE_FIELDS = {
    Direction.INCOMING: ("arrival_date", "number", "issuer", "reference", "issued_date", "doc_type", "subject", "receiver",
                         "passed_on_date", "confidentiality", "urgency", "due_date", "page_count", "notes", "attachments"),
    Direction.OUTGOING: ("reference", "issued_date", "doc_type", "subject", "signer_name", "signer_position", "recipients",
                         "drafting_unit", "file_copy_unit", "copies", "confidentiality", "urgency", "page_count", "notes", "attachments"),
}

DIRECTIONS = {
    "den": Direction.INCOMING, "van ban den": Direction.INCOMING, "vb den": Direction.INCOMING, "in": Direction.INCOMING,
    "incoming": Direction.INCOMING,
    "di": Direction.OUTGOING, "van ban di": Direction.OUTGOING, "vb di": Direction.OUTGOING, "out": Direction.OUTGOING,
    "outgoing": Direction.OUTGOING,
}
URGENCIES = {
    "": Urgency.NORMAL, "0": Urgency.NORMAL, "thuong": Urgency.NORMAL, "binh thuong": Urgency.NORMAL, "normal": Urgency.NORMAL,
    "1": Urgency.URGENT, "khan": Urgency.URGENT, "urgent": Urgency.URGENT,
    "2": Urgency.VERY_URGENT, "thuong khan": Urgency.VERY_URGENT, "very urgent": Urgency.VERY_URGENT,
    "3": Urgency.FLASH, "hoa toc": Urgency.FLASH, "hoa toc hen gio": Urgency.FLASH, "flash": Urgency.FLASH,
}

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2})[:hg](\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_DIGITS = re.compile(r"^\d{1,10}$")
_NUMBER_YEAR_REF = re.compile(r"^\s*(?:Số[:\s]*)?(\d{1,6}/\d{4})\s*/\s*([^\s/][^/]*)\s*$", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r"\s*[;\n|]\s*")
_FIELD_MAX = {f.name: f.max_length for f in Document._meta.concrete_fields if getattr(f, "max_length", None)}


def _type_names() -> tuple[dict[str, str], dict[str, str]]:
    """Folded names of the document types -> code: every name (code, English, Vietnamese), and the
    Vietnamese names a subject may start with."""
    names, vietnamese_names = {}, {}
    with translation.override(None):  # the labels as written ("Decision (Quyết định)"), not as translated ("Quyết định")
        labels = [(code, str(label)) for code, label in DocumentType.choices]
    for code, label in labels:
        english, _sep, vietnamese = label.partition(" (")
        vietnamese = vietnamese.rstrip(")")
        for name in (code, english, vietnamese):
            if name:
                names[fold(name)] = code
        if " " in vietnamese:
            vietnamese_names[fold(vietnamese)] = code
    names["cong van"] = vietnamese_names["cong van"] = DocumentType.CONG_VAN
    return names, vietnamese_names


_SOURCE_COLUMN = {"code_number": "reference", "code_notation": "reference", "issuing_agency_name": "issuer"}


# ---- results ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    filename: str
    sha256: str
    size: int
    file_format: str = ""
    direction: str | None = None
    rows: int = 0  # data rows in the file
    checked: int = 0  # rows checked by this run (those behind an earlier run's checkpoint are not)
    resumed_from: int = 0  # rows an earlier, interrupted run imported or skipped
    problems: list[tables.Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    bad_rows: int = 0
    imported: int = 0  # documents created by this run
    skipped: int = 0  # bad rows left out by this run
    dry_run: bool = False
    job: DocumentImport | None = None
    registers: dict[str, tuple[int, int]] = field(default_factory=dict)  # register name -> (lowest, highest) number imported

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def good_rows(self) -> int:
        return self.checked - self.bad_rows

    def messages(self) -> list[str]:
        return [tables.describe(p) for p in self.problems]


class ImportRefused(ValidationError):
    """The file has bad rows (and skip_invalid is off), or cannot be imported at all: nothing was written."""

    def __init__(self, result: ImportResult, message: str):
        super().__init__(message)
        self.result = result


Progress = Callable[[str, int, int | None], None]  # (stage: "check" or "import", rows done, rows in all or None)


# ---- the service ------------------------------------------------------------------------------


def import_documents(actor, path, *, agency: Agency | None = None, attachments_dir=None, direction: str | None = None,
                     skip_invalid: bool = False, dry_run: bool = False, batch_size: int = BATCH_SIZE,
                     progress: Progress | None = None) -> ImportResult:
    """Import the legacy documents in the CSV or XLSX file at `path` into the registers of `agency`
    (the actor's), as the clerk `actor`. See the module's documentation.

    Returns the result; raises ImportRefused (nothing written) if the file has bad rows and
    `skip_invalid` is off, or if it was imported already, and PermissionDenied if the actor is not
    a clerk of the agency."""
    agency = agency or actor.agency
    require_clerk(actor, agency)
    if direction not in (None, *Direction.values):
        raise ValueError(f"direction must be one of {Direction.values}")
    path = Path(path)
    with open(path, "rb") as stream:
        sha256 = hashlib.file_digest(stream, "sha256").hexdigest()
        size = stream.tell()
    result = ImportResult(filename=path.name, sha256=sha256, size=size, direction=direction, dry_run=dry_run)
    job = DocumentImport.objects.filter(agency=agency, sha256=sha256).first()
    if job is not None and job.status == DocumentImport.Status.DONE:
        raise ImportRefused(result, _("This file was already imported on %(date)s: %(count)s documents.")
                            % {"date": timezone.localtime(job.finished_at or job.updated_at).strftime("%d/%m/%Y %H:%M"),
                               "count": job.imported})
    result.resumed_from = job.rows_done if job is not None else 0
    result.job = job
    with open(path, "rb") as stream, tempfile.TemporaryFile(prefix="vanphong-import-") as spill:
        checker = _Checker(actor, agency, result, Path(attachments_dir) if attachments_dir else None, direction)
        bad = checker.run(stream, spill, progress)
        if dry_run:
            return result
        if result.problems and not skip_invalid:
            raise ImportRefused(result, _("%(count)s rows are not valid: nothing was imported. Correct them, or import the valid rows "
                                          "only.") % {"count": result.bad_rows})
        if result.good_rows == 0 and result.rows > result.resumed_from:
            raise ImportRefused(result, _("No row of the file can be imported."))
        spill.seek(0)
        _Writer(actor, agency, result, checker, batch_size, progress).run(_read_spill(spill), bad)
    return result


def report_csv(result: ImportResult, path) -> None:
    """The bad rows, as a CSV a spreadsheet opens (UTF-8 with a byte order mark): line, column, problem."""
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([_("Line"), _("Column"), _("Problem")])
        for problem in result.problems:
            writer.writerow([problem.line or "", problem.column, problem.message])


# ---- checking ---------------------------------------------------------------------------------


@dataclass
class _Row:
    """A checked row, as the temporary file keeps it."""

    ordinal: int  # its place among the data rows of the file, from 0
    line: int
    direction: str
    year: int
    confidential: bool
    number: int
    values: dict  # Document fields
    files: tuple[tuple[str, str], ...] = ()  # (name as written, path)
    places: tuple[str, ...] = ()

    def as_tuple(self) -> tuple:
        # Plain tuples pickle several times faster than dataclasses.
        return (self.ordinal, self.line, self.direction, self.year, self.confidential, self.number, self.values, self.files, self.places)


def _read_spill(spill) -> Iterator[_Row]:
    while True:
        try:
            chunk = pickle.load(spill)
        except EOFError:
            return
        for values in chunk:
            yield _Row(*values)


class _Checker:
    def __init__(self, actor, agency: Agency, result: ImportResult, attachments_dir: Path | None, direction: str | None):
        self.actor, self.agency, self.result = actor, agency, result
        self.attachments_dir = attachments_dir.resolve() if attachments_dir else None
        self.direction = direction
        self.type_names, self.subject_types = _type_names()
        self.type_codes = set(DocumentType.values)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_current_timezone()
        self.units, self.people, self.issuers = _lookups(agency)
        self.bad: dict[int, int] = {}  # ordinal -> line of every bad row
        self.lines = array("q")  # line of each row checked, by ordinal (from result.resumed_from)
        self.numbers: dict[tuple, dict[int, int]] = {}  # register key -> number -> ordinal of its row
        self.files: dict[str, list[tuple[int, int, str]]] = {}  # path -> [(ordinal, line, name)]
        self.issuer_ids: set[int] = set()  # agencies of the directory named as issuers

    def error(self, ordinal: int, line: int, column: str, message: str) -> None:
        self.result.problems.append(tables.Problem(line, column, message))
        self.bad.setdefault(ordinal, line)

    def line_of(self, ordinal: int) -> int:
        return self.lines[ordinal - self.result.resumed_from]

    # -- the whole file --

    def run(self, stream, spill, progress: Progress | None) -> list[int]:
        """Check every row, write the good ones to `spill`; returns the sorted ordinals of the bad rows."""
        result = self.result
        try:
            table = tables.read_table(stream, TABLE_COLUMNS, required=REQUIRED[None], max_unpacked_bytes=MAX_XLSX_UNPACKED_BYTES)
        except tables.TableError as exc:
            result.notices.extend(exc.notices)
            result.problems.extend([*exc.problems, exc.problem])
            raise ImportRefused(result, tables.describe(exc.problem)) from None
        self.table = table
        result.file_format = table.file_format
        if "direction" not in table.index:
            if self.direction is None:
                self._refuse(table.header_line, _(
                    "Say whether the documents are incoming or outgoing: add a column “%(column)s” (đến or đi) or choose the direction "
                    "for the whole file.") % {"column": COLUMNS["direction"][0]})
            missing = [COLUMNS[name][0] for name in REQUIRED[self.direction] if name not in table.index]
            if missing:
                self._refuse(table.header_line, _("Missing columns: %(columns)s. The first row must name the columns, as in the "
                                                  "template.") % {"columns": ", ".join(missing)})
        estimate = _estimate_rows(stream, table)
        first_line = None
        chunk = []
        try:
            for ordinal, (line, cells) in enumerate(table.rows):
                result.rows = ordinal + 1
                if ordinal < result.resumed_from:
                    continue  # behind the checkpoint of an earlier run: imported (or skipped) already
                if first_line is None:
                    first_line = line
                result.checked += 1
                self.lines.append(line)
                if line in table.bad_lines:
                    self.bad.setdefault(ordinal, line)
                    continue
                row = self.check_row(ordinal, line, cells)
                if row is not None:
                    chunk.append(row.as_tuple())
                    if len(chunk) >= SPILL_CHUNK:
                        pickle.dump(chunk, spill, protocol=pickle.HIGHEST_PROTOCOL)
                        chunk = []
                if progress and result.checked % PROGRESS_EVERY == 0:
                    progress("check", result.rows, max(estimate, result.rows) if estimate else None)
        except tables.TableError as exc:
            result.problems.append(exc.problem)
            raise ImportRefused(result, tables.describe(exc.problem)) from None
        finally:
            result.notices.extend(table.notices)
            result.problems[:0] = [p for p in table.problems if first_line is not None and p.line >= first_line]
        if chunk:
            pickle.dump(chunk, spill, protocol=pickle.HIGHEST_PROTOCOL)
        self._check_numbers_in_database()
        self._check_files(progress)
        if progress:
            progress("check", result.rows, result.rows)
        result.problems.sort(key=lambda p: p.line)
        result.bad_rows = len(self.bad)
        return sorted(self.bad)

    def _refuse(self, line: int, message: str):
        self.result.problems.append(tables.Problem(line, "", message))
        raise ImportRefused(self.result, message)

    # -- one row --

    def check_row(self, ordinal: int, line: int, cells: list[str]) -> _Row | None:
        """The row as Document fields, or None after reporting each of its problems."""
        table = self.table
        cell = table.cell
        columns = table.columns
        errors = len(self.result.problems)

        def error(name, message):
            self.error(ordinal, line, columns.get(name, ""), message)

        direction = self.direction
        if text := cell(cells, "direction"):
            direction = DIRECTIONS.get(fold(text))
            if direction is None:
                error("direction", _("“%(value)s” is neither đến (incoming) nor đi (outgoing).") % {"value": text})
                return None
        if direction is None:
            error("direction", _("Say whether this document is incoming (đến) or outgoing (đi)."))
            return None
        incoming = direction == Direction.INCOMING

        reference = cell(cells, "reference")
        code_number = code_notation = ""
        if reference:
            parsed = _parse_reference(reference)
            if parsed is None:
                error("reference", _("“%(value)s” is not a number and notation such as 123/QĐ-UBND or 127-QĐ/TW.") % {"value": reference})
            else:
                code_number, code_notation = parsed
        doc_type, subject = self._type_and_subject(cell(cells, "doc_type"), code_notation, cell(cells, "subject"), error)
        if not subject:
            error("subject", _("The subject (trích yếu) is required."))

        number_text = cell(cells, "number")
        number = _positive(number_text) if number_text else 0
        if number is None:
            error("number", _("“%(value)s” is not a number.") % {"value": number_text})
            number = 0
        issued_date = self._date(cells, "issued_date", error)
        if issued_date and issued_date > self.today:
            error("issued_date", _("The document date cannot be in the future."))
        values = {"issued_date": issued_date}
        if incoming:
            year = self._incoming(cells, values, number_text, issued_date, error)
        else:
            year = issued_date.year if issued_date else 0
            if not reference:
                error("reference", _("The number and notation (số, ký hiệu) is required."))
            elif code_number:
                own = _positive(code_number.split("/", 1)[0])
                if own is None:
                    error("reference", _("“%(value)s” does not start with a number.") % {"value": reference})
                elif number and number != own:
                    error("number", _("The number %(number)s is not the one of “%(reference)s”.") % {"number": number, "reference": reference})
                else:
                    number = own
            if issued_date is None and not cell(cells, "issued_date"):
                error("issued_date", _("The document date is required."))
            self._outgoing(cells, values, error)
        if number > MAX_NUMBER:
            error("number", _("The number is too large."))

        confidentiality = CLEARANCE_NAMES.get(fold(cell(cells, "confidentiality")))
        if confidentiality is None:
            error("confidentiality", _("Unknown confidentiality “%(value)s”: use không, mật, tối mật, tuyệt mật or 0 to 3.")
                  % {"value": cell(cells, "confidentiality")})
            confidentiality = Clearance.NONE
        elif not may_read(self.actor.clearance, confidentiality):
            error("confidentiality", _("Your clearance does not allow documents of this confidentiality."))
        urgency = URGENCIES.get(fold(cell(cells, "urgency")))
        if urgency is None:
            error("urgency", _("Unknown urgency “%(value)s”: use thường, khẩn, thượng khẩn, hỏa tốc or 0 to 3.")
                  % {"value": cell(cells, "urgency")})
        values.update(
            doc_type=doc_type, code_number=code_number, code_notation=code_notation, subject=subject,
            signer_name=cell(cells, "signer_name"), signer_position=cell(cells, "signer_position"),
            urgency=int(urgency or 0), confidentiality=int(confidentiality), due_date=self._date(cells, "due_date", error),
            page_count=self._count(cells, "page_count", error), copies=self._count(cells, "copies", error), notes=cell(cells, "notes"),
        )
        for name, value in values.items():
            limit = _FIELD_MAX.get(name)
            if limit and isinstance(value, str) and len(value) > limit:
                error(_SOURCE_COLUMN.get(name, name), _("Too long: at most %(max)s characters.") % {"max": limit})
        files = self._files(ordinal, line, cell(cells, "attachments"), error)
        places = () if incoming else tuple(p[:255] for p in _LIST_SEPARATOR.split(cell(cells, "recipients")) if p)
        if len(self.result.problems) != errors:
            return None
        confidential = confidentiality > Clearance.NONE
        if not self._unique(ordinal, line, (direction, year, confidential), number):
            return None
        return _Row(ordinal, line, direction, year, confidential, number, values, files, places)

    def _incoming(self, cells, values: dict, number_text: str, issued_date, error) -> int:
        """The incoming register's columns into `values`; returns the register year."""
        cell = self.table.cell
        arrival = self._datetime(cells, "arrival_date", error)
        if arrival is None:
            if not cell(cells, "arrival_date"):
                error("arrival_date", _("The arrival date is required."))
        elif arrival > self.now:
            error("arrival_date", _("The arrival date cannot be in the future."))
        elif issued_date and issued_date > arrival.date():
            error("issued_date", _("The document date is after its arrival."))
        if not number_text:
            error("number", _("The arrival number (số đến) is required."))
        issuer = cell(cells, "issuer")
        if not issuer:
            error("issuer", _("The issuing agency is required."))
        # An agency of the directory, named or by its code; else the name as written.
        issuer_pk = self.issuers.get(fold(issuer)) or self.issuers.get(issuer.upper())
        if issuer_pk is not None:
            values["issuing_agency_id"] = issuer_pk
            self.issuer_ids.add(issuer_pk)
        else:
            values["issuing_agency_name"] = issuer
        values["arrival_date"] = arrival
        values["passed_on_date"] = self._date(cells, "passed_on_date", error)
        receiver = cell(cells, "receiver")
        if receiver:
            key = fold(receiver)
            unit, person = self.units.get(key), self.people.get(key)
            if person is None:
                person = self.people.get(receiver.lower())
            if unit == 0 or (unit is None and person == 0):
                error("receiver", _("Several units or people of the agency are called “%(name)s”: write the unit's short name or the "
                                    "person's username.") % {"name": receiver})
            elif unit is not None:
                values["receiving_unit_id"] = unit
            elif person is not None:
                values["receiving_person_id"] = person
            else:
                error("receiver", _("No unit or person of the agency is called “%(name)s”.") % {"name": receiver})
        return arrival.year if arrival else 0

    def _outgoing(self, cells, values: dict, error) -> None:
        values["issuing_agency_id"] = self.agency.pk
        for name in ("drafting_unit", "file_copy_unit"):
            text = self.table.cell(cells, name)
            if text:
                unit = self.units.get(fold(text))
                if unit is None:
                    error(name, _("No unit of the agency is called “%(name)s”.") % {"name": text})
                elif unit == 0:
                    error(name, _("Several units of the agency are called “%(name)s”: write its short name.") % {"name": text})
                else:
                    values[f"{name}_id"] = unit

    def _type_and_subject(self, type_text: str, notation: str, subject: str, error) -> tuple[str, str]:
        """The type from its column, else from the notation ("QĐ-UBND", "QĐ/TW"), else from the first
        words of the subject ("Quyết định về việc ..."), else a công văn's. A subject that starts with
        the type's name ("Tên loại và trích yếu nội dung", one column in the Decree 30 registers) loses it."""
        doc_type = None
        if type_text:
            doc_type = self.type_names.get(fold(type_text))
            if doc_type is None:
                error("doc_type", _("Unknown document type “%(value)s”.") % {"value": type_text})
                return "", subject
        elif notation:
            head = re.split(r"[-/]", notation, maxsplit=1)[0]
            doc_type = head if head in self.type_codes else None
        words = subject.split(" ", 3)
        for length in (3, 2):
            if len(words) > length:
                named = self.subject_types.get(fold(" ".join(words[:length])))
                if named is not None and doc_type in (None, named):
                    rest = subject.split(" ", length)[length]
                    return named, rest[:1].upper() + rest[1:]
        return doc_type or DocumentType.CONG_VAN, subject

    def _unique(self, ordinal: int, line: int, key: tuple, number: int) -> bool:
        """A number once per register in the file (the database is checked after the whole file)."""
        seen = self.numbers.setdefault(key, {})
        first = seen.get(number)
        if first is None:
            seen[number] = ordinal
            return True
        column = self.table.columns.get("number") or self.table.columns.get("reference", "")
        first_line = self.line_of(first)
        label = _("arrival number") if key[0] == Direction.INCOMING else _("number")
        self.error(ordinal, line, column, _("The %(label)s %(number)s of %(year)s is also on line %(line)s.")
                   % {"label": label, "number": number, "year": key[1], "line": first_line})
        if first not in self.bad:
            self.error(first, first_line, column, _("The %(label)s %(number)s of %(year)s is also on line %(line)s.")
                       % {"label": label, "number": number, "year": key[1], "line": line})
        return False

    def _date(self, cells, name, error) -> dt.date | None:
        text = self.table.cell(cells, name)
        if not text:
            return None
        value = _parse_datetime(text, self.table.file_format)
        if value is None:
            error(name, _("“%(value)s” is not a date: write it as dd/mm/yyyy.") % {"value": text})
            return None
        return value.date()

    def _datetime(self, cells, name, error) -> dt.datetime | None:
        text = self.table.cell(cells, name)
        if not text:
            return None
        value = _parse_datetime(text, self.table.file_format)
        if value is None:
            error(name, _("“%(value)s” is not a date: write it as dd/mm/yyyy or dd/mm/yyyy hh:mm.") % {"value": text})
            return None
        return value.replace(tzinfo=self.tz)

    def _count(self, cells, name, error) -> int | None:
        text = self.table.cell(cells, name)
        if not text:
            return None
        value = _positive(text)
        if value is None or value > MAX_NUMBER:
            error(name, _("“%(value)s” is not a number.") % {"value": text})
        return value

    def _files(self, ordinal, line, text, error) -> tuple[tuple[str, str], ...]:
        if not text:
            return ()
        names = [n for n in _LIST_SEPARATOR.split(text) if n]
        if self.attachments_dir is None:
            error("attachments", _("The row names files, but no folder of attachments was given."))
            return ()
        found = []
        for name in names:
            # Spreadsheets made on Windows write 2019\245.pdf: a backslash in a file name is rarer still.
            path = (self.attachments_dir / name.replace("\\", "/")).resolve()
            if not path.is_relative_to(self.attachments_dir) or path == self.attachments_dir:
                error("attachments", _("“%(name)s” is outside the folder of attachments.") % {"name": name})
            elif not path.is_file():
                error("attachments", _("The file “%(name)s” is not in the folder of attachments.") % {"name": name})
            else:
                found.append((name, str(path)))
        for name, path in found:
            self.files.setdefault(path, []).append((ordinal, line, name))
        return tuple(found)

    # -- what needs the database or the files --

    def _check_numbers_in_database(self) -> None:
        """Numbers already used in the agency's registers."""
        for (direction, year, confidential), numbers in self.numbers.items():
            register = Register.objects.filter(agency=self.agency, direction=direction, year=year,
                                               code=_register_code(direction, confidential)).first()
            if register is None or not numbers:
                continue
            taken = Document.objects.filter(register=register, number__gte=min(numbers), number__lte=max(numbers)).values_list(
                "number", flat=True)
            column = self.table.columns.get("number") or self.table.columns.get("reference", "")
            for number in taken.iterator(chunk_size=10_000):
                if number in numbers:
                    ordinal = numbers[number]
                    self.error(ordinal, self.line_of(ordinal), column, _("The number %(number)s is already used in the register “%(register)s”.")
                               % {"number": number, "register": register})

    def _check_files(self, progress: Progress | None) -> None:
        """Each file checked by content like an upload (attachments.inspect), a few at a time."""
        paths = [p for p, uses in self.files.items() if any(o not in self.bad for o, _l, _n in uses)]
        if not paths:
            return
        column = self.table.columns.get("attachments", "")
        language = translation.get_language()

        def check(path):
            uses = self.files[path]
            try:
                with translation.override(language):  # the messages in the language of the run, not the thread's default
                    attachments.inspect(path, filename=uses[0][2])
            except ValidationError as exc:
                return path, " ".join(exc.messages)
            except OSError as exc:
                return path, _("The file “%(name)s” cannot be read (%(reason)s).") % {"name": uses[0][2], "reason": exc.strerror}
            return path, None

        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
            for path, message in pool.map(check, paths):
                if message:
                    for ordinal, line, name in self.files[path]:
                        self.error(ordinal, line, column, f"{name}: {message}")


def _lookups(agency: Agency) -> tuple[dict, dict, dict]:
    """Folded names -> pk of the agency's units (name and short name) and people (full name, and
    username as written in lower case), and of the directory's agencies (name, short name, code).
    A name that two of them share maps to 0: ambiguous."""
    def add(table, key, pk):
        if key:
            table[key] = pk if table.get(key, pk) == pk else 0

    units: dict[str, int] = {}
    for pk, name, short_name in Unit.objects.filter(agency=agency).values_list("pk", "name", "short_name"):
        add(units, fold(name), pk)
        add(units, fold(short_name), pk)
    people: dict[str, int] = {}
    for pk, username, full_name in Person.objects.filter(agency=agency, is_active=True).values_list("pk", "username", "full_name"):
        add(people, fold(full_name), pk)
        add(people, username.lower(), pk)
    issuers: dict[str, int] = {}
    for pk, code, name, short_name in Agency.objects.values_list("pk", "code", "name", "short_name").iterator(chunk_size=10_000):
        add(issuers, fold(name), pk)
        add(issuers, fold(short_name), pk)
        issuers[code.upper()] = pk
    return units, people, {k: v for k, v in issuers.items() if v}


def _estimate_rows(stream, table: tables.Table) -> int | None:
    """About how many rows a CSV holds (its lines): for the progress bar only."""
    if table.file_format != "csv":
        return None
    position = stream.tell()
    stream.seek(0)
    lines = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(4 * 1024 * 1024), b""))
    stream.seek(position)
    return max(0, lines - table.header_line)


def _register_code(direction: str, confidential: bool) -> str:
    """The code services.default_register gives the agency's register of each kind."""
    return ("MAT-" if confidential else "") + ("DEN" if direction == Direction.INCOMING else "DI")


def _positive(text: str) -> int | None:
    text = text.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not _DIGITS.match(text):
        return None
    value = int(text)
    return value if value > 0 else None


def _parse_reference(text: str) -> tuple[str, str] | None:
    """(code_number, code_notation). "12/2019/TT-BTC" (number/year/notation, as for legal texts)
    keeps "12/2019" as its number, so that the reference prints as written."""
    if match := _NUMBER_YEAR_REF.match(text):
        return match.group(1), re.sub(r"\s+", "", match.group(2))
    parsed = parse_reference(text)
    if parsed is not None:
        return parsed[0], parsed[1]
    if _DIGITS.match(text.strip()):
        return text.strip(), ""
    return None


def _parse_datetime(text: str, file_format: str) -> dt.datetime | None:
    """dd/mm/yyyy (or with - or .), optionally hh:mm[:ss]; yyyy-mm-dd[Thh:mm[:ss]] (XLSX cells); an
    Excel day number in an XLSX. Naive: the caller gives it the local time zone."""
    match = _DMY.match(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        match = _YMD.match(text)
        if match:
            year, month, day, hour, minute, second = match.groups()
            return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if file_format == "xlsx" and _DIGITS.match(text) and 10_000 < int(text) < 80_000:
        return dt.datetime(1899, 12, 30) + dt.timedelta(days=int(text))
    return None


# ---- writing ----------------------------------------------------------------------------------


@dataclass
class _Batch:
    rows: list[_Row]
    documents: list[Document]
    values: list[list]  # the INSERT's values of each document, its key and register still to set
    files: list[list[services.UploadedFile]]


class _Writer:
    """Writes the checked rows in batches. A second thread prepares the next batch (documents, search
    text, files) while this one writes the current one: the database engine works without Python's
    global lock, so on two cores the two overlap. Only this thread touches the database."""

    def __init__(self, actor, agency: Agency, result: ImportResult, checker: _Checker, batch_size: int, progress: Progress | None):
        self.actor, self.agency, self.result, self.checker = actor, agency, result, checker
        self.batch_size = max(1, batch_size)
        self.progress = progress
        self.registers: dict[tuple, Register] = {}

    def run(self, rows: Iterator[_Row], bad: list[int]) -> None:
        self.bad = bad
        self.job = self._start()
        self.issuers = {self.agency.pk: self.agency, **Agency.objects.only("pk", "name").in_bulk(self.checker.issuer_ids)}
        done = self.job.rows_done
        good = (row for row in rows if row.ordinal not in self.checker.bad)
        batches = (list(itertools.islice(good, self.batch_size)) for _ in itertools.count())
        with _Prefetch((self._prepare(batch) for batch in itertools.takewhile(bool, batches)), translation.get_language()) as prepared:
            for batch in prepared:
                done = self._write(batch, done)
                if self.progress:
                    self.progress("import", done, self.result.rows)
        self._finish()
        if self.progress and done < self.result.rows:  # bad rows after the last batch: done all the same
            self.progress("import", self.result.rows, self.result.rows)

    def _start(self) -> DocumentImport:
        result = self.result
        try:
            with transaction.atomic():
                job = result.job
                if job is None:
                    job = DocumentImport.objects.create(agency=self.agency, actor=self.actor, filename=result.filename[:255],
                                                        sha256=result.sha256, size=result.size, total_rows=result.rows)
                    action = "documents.import.started"
                else:
                    job = DocumentImport.objects.select_for_update().get(pk=job.pk)
                    if job.rows_done != result.resumed_from or job.status != DocumentImport.Status.RUNNING:
                        raise _Conflict
                    action = "documents.import.resumed"
                audit.record(action, actor=self.actor, agency=self.agency, target=job,
                             data={"filename": result.filename[:255], "sha256": result.sha256, "rows": result.rows,
                                   "from_row": job.rows_done, "bad_rows": result.bad_rows, "format": result.file_format})
        except (IntegrityError, _Conflict):
            raise ImportRefused(result, _("Another run is importing this file at the same time.")) from None
        result.job = job
        return job

    # -- in the preparing thread: no database --

    def _prepare(self, rows: list[_Row]) -> _Batch:
        files = self._store_files(rows)
        now = timezone.now()
        common = {"agency_id": self.agency.pk, "created_by_id": self.actor.pk, "created_at": now, "updated_at": now}
        documents, values, uploads = [], [], []
        for row in rows:
            fields = {**common, **row.values, "direction": row.direction, "number": row.number,
                      "status": Document.Status.REGISTERED if row.direction == Direction.INCOMING else Document.Status.ISSUED}
            line = [fields.get(name, default) for name, default in _DOCUMENT_DEFAULTS]
            document = Document(*line)
            if document.issuing_agency_id:
                document.issuing_agency = self.issuers[document.issuing_agency_id]
            row_files = [files[path] for _name, path in row.files]
            document.search_text = line[_SEARCH_TEXT] = services.search_text_of(document, [f.text for f in row_files])
            documents.append(document)
            values.append(line)
            uploads.append(row_files)
        return _Batch(rows, documents, values, uploads)

    def _store_files(self, rows: list[_Row]) -> dict[str, services.UploadedFile]:
        """The batch's files in the store, checked again as they are kept (they may have changed since
        the check), before its transaction opens: files are content-addressed, so storing is idempotent."""
        paths = {path: name for row in rows for name, path in row.files}
        if not paths:
            return {}

        def store(item):
            path, name = item
            with open(path, "rb") as handle:
                return path, attachments.store(File(handle, name=os.path.basename(name)))

        try:
            with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
                language = translation.get_language()
                return dict(pool.map(lambda item: _in_language(language, store, item), paths.items()))
        except (ValidationError, OSError) as exc:
            raise ImportRefused(self.result, _("An attachment changed or disappeared during the import (%(reason)s). Run the same "
                                               "command again: it resumes after the documents already imported.")
                                % {"reason": "; ".join(getattr(exc, "messages", [str(exc)]))}) from None

    # -- in this thread --

    def _register(self, key: tuple) -> Register:
        register = self.registers.get(key)
        if register is None:
            direction, year, confidential = key
            register = services.default_register(self.agency, direction, year, confidential=confidential)
            self.registers[key] = register
        return register

    def _write(self, batch: _Batch, done: int) -> int:
        result = self.result
        actor, agency = self.actor, self.agency
        rows, documents = batch.rows, batch.documents
        end = rows[-1].ordinal + 1
        skipped = bisect_left(self.bad, end) - bisect_left(self.bad, done)
        try:
            with transaction.atomic():
                job = DocumentImport.objects.select_for_update().get(pk=self.job.pk)
                if job.rows_done != done:
                    raise _Conflict
                connection = transaction.get_connection()
                ids = _reserve_ids(connection, Document._meta.db_table, len(documents))
                ranges: dict[Register, tuple[int, int]] = {}
                for row, document, line, pk in zip(rows, documents, batch.values, ids, strict=True):
                    register = self._register((row.direction, row.year, row.confidential))
                    document.register, line[_REGISTER] = register, register.pk
                    document.pk = line[_ID] = pk
                    document._state.adding, document._state.db = False, connection.alias
                    low, high = ranges.get(register, (row.number, row.number))
                    ranges[register] = (min(low, row.number), max(high, row.number))
                _insert_rows(connection, Document, [_db_values(connection, line) for line in batch.values])
                recipients, distribution = [], []
                for row, document, row_files in zip(rows, documents, batch.files, strict=True):
                    if row_files:
                        services._attach(actor, document, row_files)
                    recipients.extend({"document_id": document.pk, "place": place} for place in row.places)
                    if row.confidential:
                        distribution.append({"document_id": document.pk, "person_id": actor.pk, "added_by_id": actor.pk,
                                             "added_at": document.created_at})
                _insert_dicts(connection, Recipient, recipients)
                _insert_dicts(connection, Distribution, distribution)
                for register, (_low, high) in ranges.items():
                    # The next registration continues after the highest number imported.
                    Register.objects.filter(pk=register.pk).update(next_number=Greatest(F("next_number"), high + 1))
                job.rows_done = end
                job.imported += len(documents)
                job.skipped += skipped
                job.save(update_fields=["rows_done", "imported", "skipped", "updated_at"])
                audit.record("documents.import.batch", actor=actor, agency=agency, target=job,
                             data={"lines": [rows[0].line, rows[-1].line], "documents": len(documents), "skipped": skipped,
                                   "numbers": {str(r.pk): list(span) for r, span in ranges.items()}})
        except _Conflict:
            raise ImportRefused(result, _("Another run is importing this file at the same time.")) from None
        except IntegrityError:
            raise ImportRefused(result, _("Some numbers of the file were taken in the registers while it was being imported. Run the same "
                                          "command again: it resumes, and reports those rows.")) from None
        self.job = job
        result.imported += len(documents)
        result.skipped += skipped
        for register, (low, high) in ranges.items():
            known = result.registers.get(str(register))
            result.registers[str(register)] = (min(low, known[0]), max(high, known[1])) if known else (low, high)
        return end

    def _finish(self) -> None:
        result = self.result
        with transaction.atomic():
            job = DocumentImport.objects.select_for_update().get(pk=self.job.pk)
            skipped = len(self.bad) - bisect_left(self.bad, job.rows_done)
            job.skipped += skipped
            result.skipped += skipped
            job.rows_done = job.total_rows = result.rows
            job.status = DocumentImport.Status.DONE
            job.finished_at = timezone.now()
            job.save()
            audit.record("documents.import.completed", actor=self.actor, agency=self.agency, target=job,
                         data={"filename": job.filename, "sha256": job.sha256, "rows": job.total_rows, "imported": job.imported,
                               "skipped": job.skipped})
        result.job = job


class _Conflict(Exception):
    """The checkpoint is not where this run left it: another run of the same file is writing."""


def _in_language(language, function, *args):
    with translation.override(language):  # a thread starts in the default language, not the run's
        return function(*args)


class _Prefetch:
    """Iterate `items` in a thread of its own, one item ahead. Leaving the block stops the thread."""

    _END = object()

    def __init__(self, items, language):
        self.items, self.language = items, language
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._produce, name="legacy-import-prepare", daemon=True)

    def _produce(self):
        try:
            with translation.override(self.language):
                for item in self.items:
                    if not self._put((item, None)):
                        return
        except BaseException as exc:  # handed to the consuming thread, which raises it
            self._put((None, exc))
            return
        self._put((self._END, None))

    def _put(self, entry) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __enter__(self):
        self.thread.start()
        return self

    def __iter__(self):
        while True:
            item, exc = self.queue.get()
            if exc is not None:
                raise exc
            if item is self._END:
                return
            yield item

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()


_DOCUMENT_FIELDS = Document._meta.concrete_fields
_DOCUMENT_DEFAULTS = [(f.attname, f.get_default()) for f in _DOCUMENT_FIELDS]
_ID = next(i for i, f in enumerate(_DOCUMENT_FIELDS) if f.primary_key)
_REGISTER = next(i for i, f in enumerate(_DOCUMENT_FIELDS) if f.attname == "register_id")
_SEARCH_TEXT = next(i for i, f in enumerate(_DOCUMENT_FIELDS) if f.attname == "search_text")
_DOCUMENT_TEMPORAL = [(i, f) for i, f in enumerate(_DOCUMENT_FIELDS) if isinstance(f, models.DateField)]  # DateTimeField too
SQLITE_ROWS_PER_INSERT = 100


def _db_values(connection, line: list) -> list:
    """A document's values as the driver takes them: only dates and times need adapting."""
    values = line.copy()
    for index, f in _DOCUMENT_TEMPORAL:
        if values[index] is not None:
            values[index] = f.get_db_prep_save(values[index], connection)
    return values


def _insert_dicts(connection, model, items: list[dict]) -> None:
    """Rows of a small model given as {attname: value}; the others take their defaults."""
    if not items:
        return
    fields = model._meta.concrete_fields
    ids = _reserve_ids(connection, model._meta.db_table, len(items))
    rows = []
    for item, pk in zip(items, ids, strict=True):
        row = []
        for f in fields:
            value = pk if f.primary_key else item.get(f.attname, f.get_default())
            row.append(f.get_db_prep_save(value, connection) if value is not None and isinstance(f, models.DateField) else value)
        rows.append(row)
    _insert_rows(connection, model, rows)


def _insert_rows(connection, model, rows: list[list]) -> None:
    """INSERT rows given in the order of the model's concrete fields, keys included: what bulk_create
    does without its per-value SQL compilation, the largest cost of a bulk import.

    SQLite: INSERT statements of SQLITE_ROWS_PER_INSERT rows. Each statement that fires the
    full-text trigger makes FTS5 write out its pending terms (a statement savepoint), so one row a
    statement, as executemany sends them, costs twice as much. PostgreSQL: COPY."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own cursor: its errors turned into Django's (IntegrityError), as the wrapped cursor's are.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        one = "(" + ", ".join(["%s"] * len(model._meta.concrete_fields)) + ")"
        for start in range(0, len(rows), SQLITE_ROWS_PER_INSERT):
            chunk = rows[start:start + SQLITE_ROWS_PER_INSERT]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}", [v for row in chunk for v in row])


def _reserve_ids(connection, table: str, count: int) -> list[int]:
    """Primary keys for `count` new rows. PostgreSQL: from the table's sequence. SQLite: after the
    highest ever given (AUTOINCREMENT never reuses one, even of a deleted row), under the write lock
    this transaction holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                       f"coalesce((SELECT max(id) FROM {connection.ops.quote_name(table)}), 0))", [table])
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


# ---- templates --------------------------------------------------------------------------------


def template_workbook(direction: str) -> bytes:
    """An XLSX with the register's column headers (in Vietnamese) and one example row."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    fields = TEMPLATE_FIELDS[direction]
    examples = {
        Direction.INCOMING: {
            "arrival_date": "15/03/2019 08:30", "number": "125", "issuer": "Ủy ban nhân dân tỉnh Bắc Ninh", "reference": "245/QĐ-UBND",
            "issued_date": "12/03/2019", "doc_type": "Quyết định", "subject": "Về việc phê duyệt kế hoạch phòng, chống thiên tai năm 2019",
            "receiver": "Văn phòng", "passed_on_date": "15/03/2019", "confidentiality": "", "urgency": "khẩn", "due_date": "30/03/2019",
            "page_count": "3", "notes": "", "attachments": "2019/245-QD-UBND.pdf",
        },
        Direction.OUTGOING: {
            "reference": "45/UBND-VP", "issued_date": "20/03/2019", "doc_type": "Công văn",
            "subject": "V/v báo cáo kết quả thực hiện công tác cải cách hành chính quý I năm 2019", "signer_name": "Nguyễn Văn An",
            "signer_position": "Chủ tịch", "recipients": "Sở Nội vụ; Sở Tài chính", "drafting_unit": "Văn phòng",
            "file_copy_unit": "Văn phòng", "copies": "5", "confidentiality": "", "urgency": "", "page_count": "2", "notes": "",
            "attachments": "2019/45-UBND-VP.pdf",
        },
    }[direction]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Văn bản đến" if direction == Direction.INCOMING else "Văn bản đi"
    sheet.append([COLUMNS[name][0] for name in fields])
    sheet.append([examples[name] for name in fields])
    for index, name in enumerate(fields, 1):
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        sheet.column_dimensions[header.column_letter].width = min(60, max(12, len(header.value) + 4, len(examples[name]) + 2))
        # Text cells: Excel keeps numbers and dates as written ("05", "15/03/2019").
        sheet.column_dimensions[header.column_letter].number_format = "@"
        sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
