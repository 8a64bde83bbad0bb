"""Reading an organisation import file (CSV or XLSX) into an ImportPlan: parsing and validation
only, never a write. services.import_organisation() turns a clean plan into units and people.

The file is one table. Each row is a person of the importing agency, or, with the username and
full name empty, just a unit to create. Columns are found by their header, whatever the case and
diacritics, in Vietnamese or English (see COLUMNS). Line numbers are the file's own: the header is
line 1 of a plain CSV, and an XLSX row is its Excel row number.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from vanphong.core.clearance import Clearance
from vanphong.core.text import fold, normalize
from vanphong.org.codes import is_agency_code
from vanphong.org.models import Agency, Person, Role, Unit

MAX_ROWS = 50_000
# An XLSX is a ZIP of XML: refuse one that would unpack to more than this (a "zip bomb").
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_UNIT_DEPTH = 10
HEADER_SEARCH_ROWS = 10
LOOKUP_CHUNK = 500

# field -> (header shown in messages and in the template, accepted headers folded by _fold_header)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "agency_code": ("Mã định danh", ("ma dinh danh", "ma co quan", "ma dinh danh co quan", "agency code")),
    "unit": ("Đơn vị", ("don vi", "unit")),
    "unit_short_name": ("Ký hiệu đơn vị", ("ky hieu don vi", "unit short name")),
    "full_name": ("Họ và tên", ("ho va ten", "ho ten", "full name")),
    "username": ("Tên đăng nhập", ("ten dang nhap", "username")),
    "email": ("Thư điện tử", ("email", "e-mail", "thu dien tu")),
    "phone": ("Điện thoại", ("dien thoai", "so dien thoai", "phone")),
    "position": ("Chức vụ", ("chuc vu", "position")),
    "roles": ("Vai trò", ("vai tro", "roles", "role")),
    "clearance": ("Độ mật", ("do mat", "muc mat", "clearance")),
}
REQUIRED = ("agency_code", "unit", "full_name", "username")
TEMPLATE_FIELDS = tuple(COLUMNS)

ROLE_NAMES = {
    "clerk": Role.Code.CLERK, "van thu": Role.Code.CLERK,
    "leader": Role.Code.LEADER, "lanh dao": Role.Code.LEADER,
    "specialist": Role.Code.SPECIALIST, "chuyen vien": Role.Code.SPECIALIST,
    "personnel": Role.Code.PERSONNEL, "personnel officer": Role.Code.PERSONNEL,
    "to chuc can bo": Role.Code.PERSONNEL, "can bo to chuc": Role.Code.PERSONNEL,
    "admin": Role.Code.ADMIN, "administrator": Role.Code.ADMIN, "quan tri": Role.Code.ADMIN,
    "ca_operator": Role.Code.CA_OPERATOR, "ca operator": Role.Code.CA_OPERATOR, "van hanh ca": Role.Code.CA_OPERATOR,
}
CLEARANCE_NAMES = {
    "": Clearance.NONE, "0": Clearance.NONE, "khong": Clearance.NONE, "none": Clearance.NONE,
    "1": Clearance.CONFIDENTIAL, "mat": Clearance.CONFIDENTIAL, "confidential": Clearance.CONFIDENTIAL,
    "2": Clearance.SECRET, "toi mat": Clearance.SECRET, "secret": Clearance.SECRET,
    "3": Clearance.TOP_SECRET, "tuyet mat": Clearance.TOP_SECRET, "top secret": Clearance.TOP_SECRET,
}

UTF8_BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc
UNIT_SEPARATOR = re.compile(r"\s+/\s+|>")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RowError(NamedTuple):
    line: int  # 0: the whole file
    column: str  # the column's header as written in the file, or ""
    message: str


@dataclass
class PlanRow:
    line: int
    action: str  # "create", "update" or "unit"
    values: dict
    unit_key: tuple | None = None  # folded path of the row's unit, a key of ImportPlan.units
    person_pk: int | None = None  # the person to update


@dataclass
class PlannedUnit:
    key: tuple  # folded path from the top
    name: str
    short_name: str = ""
    pk: int | None = None  # None: to create
    line: int = 0  # first line naming it
    short_name_line: int = 0
    kept_notice: bool = False


@dataclass
class ImportPlan:
    filename: str
    sha256: str
    size: int
    file_format: str = ""  # "csv" or "xlsx"
    rows: list[PlanRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    units: dict[tuple, PlannedUnit] = field(default_factory=dict)  # every unit named, parents first
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as written

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def units_to_create(self) -> int:
        return sum(1 for u in self.units.values() if u.pk is None)

    @property
    def people_to_create(self) -> int:
        return sum(1 for r in self.rows if r.action == "create")

    @property
    def people_to_update(self) -> int:
        return sum(1 for r in self.rows if r.action == "update")

    @property
    def counts(self) -> dict[str, int]:
        return {"units_to_create": self.units_to_create, "people_to_create": self.people_to_create, "people_to_update": self.people_to_update}

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    def error_messages(self) -> list[str]:
        """Each error as one sentence that names its line, for the command line and exceptions."""
        out = []
        for e in sorted(self.errors, key=lambda e: e.line):
            if e.line and e.column:
                out.append(_("Line %(line)s, column “%(column)s”: %(message)s") % {"line": e.line, "column": e.column, "message": e.message})
            elif e.line:
                out.append(_("Line %(line)s: %(message)s") % {"line": e.line, "message": e.message})
            else:
                out.append(e.message)
        return out


class _Fatal(Exception):
    """The file cannot be read as a table at all: the plan carries the reason, nothing else is checked."""


# ---- reading the table ------------------------------------------------------------------------


def _fold_header(text: str) -> str:
    text = fold(normalize(text)).replace("_", " ")
    text = re.sub(r"\(\s*\*\s*\)|\*", "", text)  # templates mark required columns with * or (*)
    return re.sub(r"\s+", " ", text).strip(" :")


_HEADER_INDEX = {alias: name for name, (_label, aliases) in COLUMNS.items() for alias in aliases}


def _known_columns(cells: list[str]) -> int:
    return len({_HEADER_INDEX[h] for h in (_fold_header(c) for c in cells) if h in _HEADER_INDEX})


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _decode(data: bytes, plan: ImportPlan) -> tuple[str, set[int]]:
    """Text of a CSV file, and the lines that could not be decoded (already reported)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            plan.error(0, "", _("The file starts like UTF-16 text but is not valid UTF-16."))
            raise _Fatal from None
        plan.notices.append(_("The file was decoded as UTF-16."))
        return text, set()
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    try:
        return data.decode("utf-8"), set()
    except UnicodeDecodeError:
        pass
    lines = data.splitlines(keepends=True)
    utf8, other = [], []
    for number, raw in enumerate(lines, 1):
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
            utf8.append(number)
        except UnicodeDecodeError:
            other.append(number)
    bad: set[int] = set()
    if utf8:
        for number in other:
            plan.error(number, "", _("This line is not UTF-8: the file mixes encodings. Save the whole file again as “CSV UTF-8”."))
            bad.add(number)
        return "".join(raw.decode("utf-8", errors="replace") for raw in lines), bad
    parts = []
    for number, raw in enumerate(lines, 1):
        try:
            parts.append(raw.decode("cp1258"))
        except UnicodeDecodeError:
            plan.error(number, "", _("This line is neither UTF-8 nor Windows-1258 text. Save the file as “CSV UTF-8”."))
            bad.add(number)
            parts.append(raw.decode("cp1258", errors="replace"))
    plan.notices.append(_("The file is not UTF-8: it was decoded as Windows-1258."))
    return "".join(parts), bad


def _not_a_table(plan: ImportPlan) -> _Fatal:
    plan.errors.clear()
    plan.notices.clear()
    plan.error(0, "", _("This file is not a CSV or XLSX table. Export the list from your spreadsheet as CSV or XLSX."))
    return _Fatal()


def _csv_rows(data: bytes, plan: ImportPlan) -> tuple[list[tuple[int, list[str]]], set[int]]:
    data = data.rstrip(b"\x1a")  # DOS end-of-file mark
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and CONTROL_BYTES.search(data):
        raise _not_a_table(plan)  # a program, an image, an archive...
    text, bad_lines = _decode(data, plan)
    if CONTROL_CHARS.search(text):
        raise _not_a_table(plan)
    delimiter = _sniff_delimiter(text)
    rows, previous = [], 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            plan.error(previous + 1, "", _("This line cannot be read as CSV (%(reason)s).") % {"reason": exc})
            raise _Fatal from None
        rows.append((previous + 1, cells))
        previous = reader.line_num
        if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
            break
    return rows, bad_lines


def _sniff_delimiter(text: str) -> str:
    """The delimiter among , ; and tab that makes the most column headers recognisable."""
    head = [line for line in text.splitlines()[: HEADER_SEARCH_ROWS * 3] if line.strip()][:HEADER_SEARCH_ROWS]
    best, best_score = None, 0
    for delimiter in (",", ";", "\t"):
        try:
            score = max((_known_columns(cells) for cells in csv.reader(head, delimiter=delimiter)), default=0)
        except csv.Error:
            continue
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    first = head[0] if head else ""
    return max((",", ";", "\t"), key=first.count)


def _xlsx_rows(data: bytes, plan: ImportPlan) -> list[tuple[int, list[str]]]:
    import openpyxl

    not_xlsx = _("This is a ZIP archive but not an Excel workbook (.xlsx). Save the list as .xlsx or CSV.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        plan.error(0, "", _("The Excel file is damaged and cannot be opened."))
        raise _Fatal from None
    if "xl/workbook.xml" not in names:
        plan.error(0, "", not_xlsx)
        raise _Fatal
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        plan.error(0, "", _("The Excel file is too large once unpacked. Split it into smaller files."))
        raise _Fatal
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged file
        plan.error(0, "", _("The Excel file is damaged and cannot be opened."))
        raise _Fatal from None
    try:
        chosen = None
        for index, sheet in enumerate(workbook.worksheets[:10]):
            sheet.reset_dimensions()  # some programs write a wrong size: read every row there is
            rows = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                rows.append((number, [_cell_text(v) for v in values]))
                if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                    break
            if chosen is None:
                chosen = rows
            if any(_known_columns(cells) >= 2 for _n, cells in rows[:HEADER_SEARCH_ROWS]):
                if index:
                    plan.notices.append(_("The list was read from the sheet “%(sheet)s”.") % {"sheet": sheet.title})
                chosen = rows
                break
        return chosen or []
    finally:
        workbook.close()


def _read_rows(data: bytes, plan: ImportPlan) -> tuple[list[tuple[int, list[str]]], set[int]]:
    if data.startswith(ZIP_MAGIC):
        plan.file_format = "xlsx"
        return _xlsx_rows(data, plan), set()
    if data.startswith(b"%PDF-"):
        plan.error(0, "", _("This is a PDF document, not a table. Export the list as CSV or XLSX."))
        raise _Fatal
    if data.startswith(OLE2_MAGIC):
        plan.error(0, "", _("This is an old Excel (.xls) or Word file. Save the list as .xlsx or CSV."))
        raise _Fatal
    plan.file_format = "csv"
    return _csv_rows(data, plan)


# ---- checking the rows ------------------------------------------------------------------------


def _parse_roles(text: str) -> tuple[list[str], list[str]]:
    codes, unknown = [], []
    for item in re.split(r"[;,]", text):
        item = item.strip()
        if not item:
            continue
        key = fold(item)
        code = ROLE_NAMES.get(key) or ROLE_NAMES.get(key.replace("_", " "))
        if code is None:
            unknown.append(item)
        elif str(code) not in codes:
            codes.append(str(code))
    return codes, unknown


def _split_unit_path(text: str) -> list[str]:
    return [normalize(part) for part in UNIT_SEPARATOR.split(text) if normalize(part)]


def _unit_key(name: str) -> str:
    return normalize(name).casefold()


def _existing_people(usernames: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for start in range(0, len(usernames), LOOKUP_CHUNK):
        chunk = usernames[start:start + LOOKUP_CHUNK]
        qs = Person.objects.annotate(username_lower=Lower("username")).filter(username_lower__in=chunk).only("pk", "username", "agency_id")
        for person in qs:
            found[person.username.lower()] = person
    return found


def build_plan(agency: Agency, data: bytes, filename: str, *, actor=None) -> ImportPlan:
    """Read and check a whole import file for `agency`. Reads the database, never writes it.

    `actor` is the person importing (None: the server operator's command line, no clearance limit)."""
    plan = ImportPlan(filename=filename, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    if not data:
        plan.error(0, "", _("The file is empty."))
        return plan
    if len(data) > settings.VANPHONG_MAX_UPLOAD_BYTES:
        plan.error(0, "", _("The file is too large (at most %(mb)s MB).") % {"mb": settings.VANPHONG_MAX_UPLOAD_BYTES // (1024 * 1024)})
        return plan
    try:
        raw_rows, bad_lines = _read_rows(data, plan)
        _check(plan, agency, actor, raw_rows, bad_lines)
    except _Fatal:
        pass
    return plan


def _check(plan: ImportPlan, agency: Agency, actor, raw_rows, bad_lines: set[int]) -> None:
    rows = [(line, [normalize(c) for c in cells]) for line, cells in raw_rows]
    rows = [(line, cells) for line, cells in rows if any(cells)]
    if not rows:
        plan.error(0, "", _("The file holds no rows."))
        raise _Fatal
    header_at = next((i for i, (_l, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]) if _known_columns(cells) >= 2), 0)
    header_line, header = rows[header_at]
    body = rows[header_at + 1:]

    index: dict[str, int] = {}
    for position, text in enumerate(header):
        name = _HEADER_INDEX.get(_fold_header(text))
        if name is None:
            if text:
                plan.notices.append(_("The column “%(column)s” is not recognised and was ignored.") % {"column": text})
            continue
        if name in index:
            plan.error(header_line, text, _("Two columns give the same information: “%(first)s” and “%(second)s”.")
                       % {"first": header[index[name]], "second": text})
            raise _Fatal
        index[name] = position
        plan.columns[name] = text
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in index]
    if missing:
        plan.error(header_line, "", _("Missing columns: %(columns)s. The first row must name the columns, as in the template.")
                   % {"columns": ", ".join(missing)})
        raise _Fatal
    if len(body) > MAX_ROWS:
        plan.error(0, "", _("The file has more than %(max)s rows. Split it into smaller files.") % {"max": MAX_ROWS})
        raise _Fatal
    if not body:
        plan.error(header_line, "", _("The file has column headers but no rows below them."))
        raise _Fatal

    def cell(cells, name):
        position = index.get(name)
        return cells[position] if position is not None and position < len(cells) else ""

    # Everything the rows refer to, fetched at once.
    parsed = []
    for line, cells in body:
        values = {name: cell(cells, name) for name in COLUMNS}
        values["agency_code"] = values["agency_code"].replace(" ", "").upper()
        parsed.append((line, values))
    codes = {v["agency_code"] for _l, v in parsed if is_agency_code(v["agency_code"])}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    usernames = sorted({v["username"].lower() for _l, v in parsed if v["username"]})
    people = _existing_people(usernames)
    keys_by_pk: dict[int, tuple] = {}
    for unit in Unit.objects.filter(agency=agency).order_by("depth", "pk").only("pk", "parent_id", "name", "short_name"):
        if unit.parent_id and unit.parent_id not in keys_by_pk:
            continue  # its parent is not in this agency: the services never allow it
        key = (*keys_by_pk.get(unit.parent_id, ()), _unit_key(unit.name))
        keys_by_pk[unit.pk] = key
        plan.units.setdefault(key, PlannedUnit(key=key, name=unit.name, short_name=unit.short_name, pk=unit.pk))
    first_line_of: dict[str, list[int]] = {}
    for line, values in parsed:
        if values["username"] and line not in bad_lines:
            first_line_of.setdefault(values["username"].lower(), []).append(line)

    actor_clearance = None if actor is None or actor.is_superuser else actor.clearance
    for line, values in parsed:
        if line in bad_lines:
            continue
        _check_row(plan, agency, actor, actor_clearance, line, values, agencies, people, first_line_of)
    plan.errors.sort(key=lambda e: e.line)


def _column(plan: ImportPlan, name: str) -> str:
    return plan.columns.get(name, "")


def _check_row(plan, agency, actor, actor_clearance, line, values, agencies, people, lines_of) -> None:
    def col(name):
        return _column(plan, name)

    errors_before = len(plan.errors)
    code, username, full_name = values["agency_code"], values["username"], values["full_name"]

    if not code:
        plan.error(line, col("agency_code"), _("The agency code is empty."))
    elif not is_agency_code(code):
        plan.error(line, col("agency_code"), _("“%(code)s” is not an agency code: expected the form 000.00.00.G22.") % {"code": code})
    elif code not in agencies:
        plan.error(line, col("agency_code"), _("No agency has the code “%(code)s”.") % {"code": code})
    elif not agencies[code].hosted:
        plan.error(line, col("agency_code"), _("The agency “%(code)s” is not hosted on this instance.") % {"code": code})
    elif code != agency.code:
        plan.error(line, col("agency_code"), _("“%(code)s” belongs to another agency: this import is for %(agency)s (%(own)s) only.")
                   % {"code": code, "agency": agency.name, "own": agency.code})

    path = _split_unit_path(values["unit"])
    unit_key = _plan_unit_path(plan, line, path, values["unit_short_name"]) if path else None
    is_person = bool(username or full_name)
    if not is_person:
        if not path:
            plan.error(line, col("unit"), _("The row gives neither a person nor a unit."))
        if len(plan.errors) == errors_before:
            plan.rows.append(PlanRow(line=line, action="unit", values={"unit": path}, unit_key=unit_key))
        return

    existing = None
    if not username:
        plan.error(line, col("username"), _("The username is empty."))
    elif any(c.isspace() for c in username):
        plan.error(line, col("username"), _("A username may not contain spaces."))
    elif len(username) > Person._meta.get_field("username").max_length:
        plan.error(line, col("username"), _("The username is too long."))
    else:
        others = [n for n in lines_of.get(username.lower(), []) if n != line]
        if others:
            plan.error(line, col("username"), _("The username “%(username)s” is also on line %(lines)s.")
                       % {"username": username, "lines": ", ".join(str(n) for n in others)})
        existing = people.get(username.lower())
        if existing is not None and existing.agency_id != agency.pk:
            plan.error(line, col("username"), _("The username “%(username)s” is already used by a person of another agency.") % {"username": username})
            existing = None
    if not full_name:
        plan.error(line, col("full_name"), _("The full name is empty."))
    for name in ("full_name", "phone", "position"):
        limit = Person._meta.get_field(name).max_length
        if len(values[name]) > limit:
            plan.error(line, col(name), _("Too long: at most %(max)s characters.") % {"max": limit})
    email = values["email"]
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            plan.error(line, col("email"), _("“%(email)s” is not a valid e-mail address.") % {"email": email})

    roles = None
    if "roles" in plan.columns and values["roles"]:
        roles, unknown = _parse_roles(values["roles"])
        if unknown:
            plan.error(line, col("roles"), _("Unknown roles: %(roles)s. Use: văn thư, lãnh đạo, chuyên viên, tổ chức cán bộ, quản trị, vận hành CA.")
                       % {"roles": ", ".join(unknown)})
    if existing is not None and actor is not None and existing.pk == actor.pk and roles is not None and str(Role.Code.ADMIN) not in roles:
        plan.error(line, col("roles"), _("You cannot remove your own administrator role."))

    clearance = None
    if "clearance" in plan.columns and values["clearance"]:
        clearance = CLEARANCE_NAMES.get(fold(values["clearance"]))
        if clearance is None:
            plan.error(line, col("clearance"), _("Unknown clearance “%(value)s”: use không, mật, tối mật, tuyệt mật or 0 to 3.") % {"value": values["clearance"]})
        elif actor_clearance is not None and clearance > actor_clearance:
            plan.error(line, col("clearance"), _("You cannot grant a clearance higher than your own."))

    if len(plan.errors) != errors_before:
        return
    person_values = {
        "username": username, "full_name": full_name, "email": email, "phone": values["phone"], "position": values["position"],
        "unit": path, "roles": roles, "clearance": int(clearance) if clearance is not None else None,
    }
    if existing is not None:
        plan.rows.append(PlanRow(line=line, action="update", values=person_values, unit_key=unit_key, person_pk=existing.pk))
    else:
        plan.rows.append(PlanRow(line=line, action="create", values=person_values, unit_key=unit_key))


def _plan_unit_path(plan: ImportPlan, line: int, path: list[str], short_name: str) -> tuple | None:
    def col(name):
        return _column(plan, name)

    if len(path) > MAX_UNIT_DEPTH:
        plan.error(line, col("unit"), _("The unit path is too deep: at most %(max)s levels.") % {"max": MAX_UNIT_DEPTH})
        return None
    limit = Unit._meta.get_field("name").max_length
    if any(len(name) > limit for name in path):
        plan.error(line, col("unit"), _("A unit name is too long: at most %(max)s characters.") % {"max": limit})
        return None
    short_limit = Unit._meta.get_field("short_name").max_length
    if len(short_name) > short_limit:
        plan.error(line, col("unit_short_name"), _("Too long: at most %(max)s characters.") % {"max": short_limit})
        return None
    key: tuple = ()
    for name in path:
        key = (*key, _unit_key(name))
        if key not in plan.units:
            plan.units[key] = PlannedUnit(key=key, name=name, line=line)
    last = plan.units[key]
    if short_name and short_name != last.short_name:
        if last.pk is None and not last.short_name:
            last.short_name, last.short_name_line = short_name, line
        elif last.pk is None:
            plan.error(line, col("unit_short_name"), _("Line %(line)s gives this unit another short name: “%(other)s”.")
                       % {"line": last.short_name_line, "other": last.short_name})
        elif not last.kept_notice:
            last.kept_notice = True
            plan.notices.append(_("Line %(line)s: the unit “%(unit)s” already exists with the short name “%(old)s”; it is kept.")
                                % {"line": line, "unit": last.name, "old": last.short_name or "—"})
    return key
