"""Reading an organisation import file (CSV or XLSX) into an ImportPlan: parsing and validation
only, never a write. services.import_organisation() turns a clean plan into units and people.

The file is one table. Each row is a person of the importing agency, or, with the username and
full name empty, just a unit to create. Columns are found by their header, whatever the case and
diacritics, in Vietnamese or English (see COLUMNS). Line numbers are the file's own: the header is
line 1 of a plain CSV, and an XLSX row is its Excel row number.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from vanphong.core import tables
from vanphong.core.clearance import Clearance
from vanphong.core.text import fold, normalize
from vanphong.org.codes import is_agency_code
from vanphong.org.models import Agency, Person, Role, Unit

MAX_ROWS = 50_000
MAX_UNIT_DEPTH = 10
LOOKUP_CHUNK = 500

# field -> (header shown in messages and in the template, accepted headers as core.tables.fold_header leaves them)
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
TABLE_COLUMNS = tables.Columns(COLUMNS)

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

UNIT_SEPARATOR = re.compile(r"\s+/\s+|>")

RowError = tables.Problem


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
        return [tables.describe(e) for e in sorted(self.errors, key=lambda e: e.line)]


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
        table = tables.read_table(io.BytesIO(data), TABLE_COLUMNS, required=REQUIRED)
    except tables.TableError as exc:
        plan.notices.extend(exc.notices)
        plan.errors.extend([*exc.problems, exc.problem])
        return plan
    plan.file_format = table.file_format
    plan.columns = table.columns
    try:
        body = list(itertools.islice(table.rows, MAX_ROWS + 1))
    except tables.TableError as exc:
        plan.errors.append(exc.problem)
        return plan
    finally:
        plan.notices.extend(table.notices)
        plan.errors[:0] = table.problems
    if len(body) > MAX_ROWS:
        plan.error(0, "", _("The file has more than %(max)s rows. Split it into smaller files.") % {"max": MAX_ROWS})
        return plan
    _check(plan, agency, actor, table, body)
    return plan


def _check(plan: ImportPlan, agency: Agency, actor, table: tables.Table, body: list[tuple[int, list[str]]]) -> None:
    bad_lines = table.bad_lines
    cell = table.cell

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
