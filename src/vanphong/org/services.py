"""Every change to agencies, units and people. Each function checks permission, validates,
writes in one transaction and appends an audit record."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.core.clearance import Clearance
from vanphong.core.errors import ValidationError
from vanphong.core.text import normalize
from vanphong.org import importer
from vanphong.org.models import Agency, NotationScheme, Person, Role, Unit
from vanphong.org.permissions import require_agency_manager, require_directory_manager

AGENCY_FIELDS = ("name", "short_name", "notation_code", "notation_scheme", "address", "email", "phone", "website", "is_active", "hosted")
UNIT_FIELDS = ("name", "short_name", "sort_order", "is_active")
PERSON_FIELDS = ("full_name", "email", "phone", "position", "clearance", "is_active")


def _clean_text(values: dict) -> dict:
    return {k: normalize(v) if isinstance(v, str) else v for k, v in values.items()}


def _full_clean(obj, exclude=None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=True)


# ---- agencies ---------------------------------------------------------------------------------


@transaction.atomic
def create_agency(actor, *, code: str, parent: Agency | None = None, first_admin: dict | None = None, request=None, **fields) -> Agency:
    """Add an agency to the directory. A hosted agency can get its first administrator at once
    (username, full_name, password): from then on its own administrators manage it."""
    require_directory_manager(actor)
    unknown = set(fields) - set(AGENCY_FIELDS)
    if unknown:
        raise TypeError(f"unknown agency fields: {sorted(unknown)}")
    agency = Agency(code=code.strip().upper(), parent=parent, **_clean_text(fields))
    _full_clean(agency)
    agency.save()
    audit.record("org.agency.created", actor=actor, agency=agency, target=agency, data={"code": agency.code, "name": agency.name}, request=request)
    if first_admin:
        if not agency.hosted:
            raise ValidationError(_("Only an agency hosted on this instance can have people."))
        _create_person(actor, agency, roles=[Role.Code.ADMIN], request=request, **first_admin)
    return agency


@transaction.atomic
def update_agency(actor, agency: Agency, *, request=None, **fields) -> Agency:
    require_directory_manager(actor)
    unknown = set(fields) - set(AGENCY_FIELDS) - {"parent"}
    if unknown:
        raise TypeError(f"unknown agency fields: {sorted(unknown)}")
    parent = fields.pop("parent", agency.parent)
    if parent is not None and _is_ancestor_or_self(agency, parent):
        raise ValidationError({"parent": _("An agency cannot sit under itself or one of its own sub-agencies.")})
    changes = _apply(agency, _clean_text(fields))
    if parent != agency.parent:
        changes["parent"] = [agency.parent_id, getattr(parent, "pk", None)]
        agency.parent = parent
    _full_clean(agency)
    agency.save()
    audit.record("org.agency.updated", actor=actor, agency=agency, target=agency, data={"changes": changes}, request=request)
    return agency


def _is_ancestor_or_self(agency: Agency, candidate: Agency) -> bool:
    node, seen = candidate, set()
    while node is not None and node.pk not in seen:
        if node.pk == agency.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def _apply(obj, values: dict) -> dict:
    """Set attributes and return {field: [old, new]} for those that changed."""
    changes = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [old, value]
            setattr(obj, name, value)
    return changes


@transaction.atomic
def bootstrap_instance(*, code: str, name: str, short_name: str, notation_code: str, notation_scheme: str,
                       operator_username: str, operator_full_name: str, password: str) -> tuple[Agency, Person]:
    """The first agency of a new instance and its instance operator (an administrator of it who
    also manages the directory). Run from the command line by whoever installs the instance;
    refused once any person exists, after which the operator works through the pages."""
    if Person.objects.exists():
        raise ValidationError(_("This instance is already set up: its operator adds agencies from the directory page."))
    agency = Agency(code=code.strip().upper(), name=normalize(name), short_name=normalize(short_name),
                    notation_code=normalize(notation_code), notation_scheme=notation_scheme, hosted=True)
    _full_clean(agency)
    agency.save()
    operator = Person(username=_validate_username(operator_username), full_name=normalize(operator_full_name), agency=agency,
                      is_superuser=True, is_staff=True, clearance=Clearance.TOP_SECRET, must_change_password=True)
    validate_password(password, operator)
    operator.set_password(password)
    _full_clean(operator, exclude=["password"])
    operator.save()
    operator.roles.set(Role.objects.filter(code=Role.Code.ADMIN))
    audit.record("org.agency.created", actor=None, agency=agency, target=agency, data={"code": agency.code, "name": agency.name, "source": "init"})
    audit.record("org.person.created", actor=None, agency=agency, target=operator,
                 data={"username": operator.username, "roles": ["admin"], "instance_operator": True, "source": "init"})
    return agency, operator


# ---- units ------------------------------------------------------------------------------------


def _check_parent_unit(agency: Agency, parent: Unit | None, unit: Unit | None = None) -> None:
    if parent is None:
        return
    if parent.agency_id != agency.pk:
        raise ValidationError({"parent": _("The parent unit belongs to another agency.")})
    if unit is not None and unit.pk and (parent.pk == unit.pk or parent.path.startswith(f"{unit.path}{unit.pk}/")):
        raise ValidationError({"parent": _("A unit cannot sit under itself or one of its own sub-units.")})


def _set_path(unit: Unit) -> None:
    if unit.parent is None:
        unit.path, unit.depth = "/", 0
    else:
        unit.path, unit.depth = f"{unit.parent.path}{unit.parent.pk}/", unit.parent.depth + 1


@transaction.atomic
def create_unit(actor, agency: Agency, *, name: str, parent: Unit | None = None, short_name: str = "", sort_order: int = 0, request=None) -> Unit:
    require_agency_manager(actor, agency)
    _check_parent_unit(agency, parent)
    unit = Unit(agency=agency, parent=parent, name=normalize(name), short_name=normalize(short_name), sort_order=sort_order)
    _set_path(unit)
    _validate_unit_name(unit)
    _full_clean(unit, exclude=["path", "depth"])
    unit.save()
    audit.record("org.unit.created", actor=actor, agency=agency, target=unit, data={"name": unit.name, "parent": getattr(parent, "pk", None)}, request=request)
    return unit


def _validate_unit_name(unit: Unit) -> None:
    # The database constraint treats NULL parents as distinct, so top-level names are checked here.
    clash = Unit.objects.filter(agency=unit.agency, parent=unit.parent, name__iexact=unit.name).exclude(pk=unit.pk)
    if clash.exists():
        raise ValidationError({"name": _("There is already a unit with this name at this place in the tree.")})


@transaction.atomic
def update_unit(actor, unit: Unit, *, request=None, **fields) -> Unit:
    require_agency_manager(actor, unit.agency)
    unknown = set(fields) - set(UNIT_FIELDS) - {"parent"}
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    new_parent = fields.pop("parent", unit.parent)
    _check_parent_unit(unit.agency, new_parent, unit)
    changes = _apply(unit, _clean_text(fields))
    old_prefix = f"{unit.path}{unit.pk}/"
    moved = new_parent != unit.parent
    if moved:
        changes["parent"] = [unit.parent_id, getattr(new_parent, "pk", None)]
        unit.parent = new_parent
        _set_path(unit)
    _validate_unit_name(unit)
    _full_clean(unit, exclude=["path", "depth"])
    unit.save()
    if moved:
        new_prefix = f"{unit.path}{unit.pk}/"
        for child in Unit.objects.filter(path__startswith=old_prefix).select_for_update():
            child.path = new_prefix + child.path[len(old_prefix):]
            child.depth = child.path.count("/") - 1
            child.save(update_fields=["path", "depth"])
    audit.record("org.unit.updated", actor=actor, agency=unit.agency, target=unit, data={"changes": changes}, request=request)
    return unit


# ---- people -----------------------------------------------------------------------------------


def _check_person_refs(actor, agency: Agency, unit: Unit | None, clearance: int, roles: Iterable[str]) -> list[Role]:
    errors = {}
    if unit is not None and unit.agency_id != agency.pk:
        errors["unit"] = _("The unit belongs to another agency.")
    if clearance not in Clearance.values:
        errors["clearance"] = _("Unknown clearance level.")
    elif clearance > actor.clearance and not actor.is_superuser:
        errors["clearance"] = _("You cannot grant a clearance higher than your own.")
    role_codes = set(roles)
    unknown = role_codes - set(Role.Code.values)
    if unknown:
        errors["roles"] = _("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown))}
    if errors:
        raise ValidationError(errors)
    return list(Role.objects.filter(code__in=role_codes))


def _validate_username(username: str, exclude_pk=None) -> str:
    username = username.strip()
    if not username or any(c.isspace() for c in username):
        raise ValidationError({"username": _("A username may not be empty or contain spaces.")})
    if Person.objects.filter(username__iexact=username).exclude(pk=exclude_pk).exists():
        raise ValidationError({"username": _("The username “%(username)s” is already taken.") % {"username": username}})
    return username


@transaction.atomic
def create_person(actor, agency: Agency, **fields) -> Person:
    """Create a person. With a password it is temporary: they must change it at first sign-in.
    Without one they cannot sign in until an administrator sets one."""
    require_agency_manager(actor, agency)
    return _create_person(actor, agency, **fields)


def _create_person(
    actor,
    agency: Agency,
    *,
    username: str,
    full_name: str,
    roles: Iterable[str] = (),
    unit: Unit | None = None,
    clearance: int = Clearance.NONE,
    password: str | None = None,
    email: str = "",
    phone: str = "",
    position: str = "",
    request=None,
) -> Person:
    role_objs = _check_person_refs(actor, agency, unit, clearance, roles)
    person = Person(
        username=_validate_username(username),
        full_name=normalize(full_name),
        email=email.strip(),
        phone=phone.strip(),
        position=normalize(position),
        agency=agency,
        unit=unit,
        clearance=clearance,
    )
    if password:
        validate_password(password, person)
        person.set_password(password)
        person.must_change_password = True
    else:
        person.set_unusable_password()
    _full_clean(person, exclude=["password"])
    person.save()
    person.roles.set(role_objs)
    audit.record(
        "org.person.created", actor=actor, agency=agency, target=person,
        data={"username": person.username, "roles": sorted(roles), "clearance": clearance, "unit": getattr(unit, "pk", None)},
        request=request,
    )
    return person


@transaction.atomic
def update_person(actor, person: Person, *, roles: Iterable[str] | None = None, request=None, **fields) -> Person:
    require_agency_manager(actor, person.agency)
    unknown = set(fields) - set(PERSON_FIELDS) - {"unit"}
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    unit = fields.pop("unit", person.unit)
    clearance = fields.get("clearance", person.clearance)
    role_codes = set(roles) if roles is not None else person.role_codes()
    role_objs = _check_person_refs(actor, person.agency, unit, clearance, role_codes)
    if person.pk == actor.pk and (Role.Code.ADMIN not in role_codes or fields.get("is_active") is False):
        raise ValidationError(_("You cannot remove your own administrator role or deactivate yourself."))
    changes = _apply(person, _clean_text(fields))
    if unit != person.unit:
        changes["unit"] = [person.unit_id, getattr(unit, "pk", None)]
        person.unit = unit
    _full_clean(person, exclude=["password"])
    person.save()
    if roles is not None and role_codes != person.role_codes():
        changes["roles"] = [sorted(person.role_codes()), sorted(role_codes)]
        person.roles.set(role_objs)
        del person._role_codes
    audit.record("org.person.updated", actor=actor, agency=person.agency, target=person, data={"changes": changes}, request=request)
    return person


# ---- import from a file -----------------------------------------------------------------------


def import_organisation(actor, agency: Agency, data: bytes, filename: str, *, dry_run: bool, request=None) -> importer.ImportPlan:
    """Import units and people of `agency` from a CSV or XLSX file (see vanphong.org.importer).

    `actor` is the agency administrator who imports. `actor=None` means the trusted command line
    run by the server operator: no permission or clearance check is made for it, and the audit
    record names no actor.

    A dry run reads and checks the file and returns the plan, with every bad row and its line:
    it writes nothing at all (not even an audit record). A real run checks the file again inside
    one transaction: if any row is bad it raises ValidationError (one message per error, the plan
    on `exc.plan`) and writes nothing; otherwise it creates the missing units along each path,
    creates and updates the people, and appends one audit record `org.import.completed`. Any
    failure half-way rolls the whole import back.

    People created by an import have no usable password: an administrator resets it to give each a
    temporary one. On an update, the cells left empty keep the person's current values."""
    if actor is not None:
        require_agency_manager(actor, agency)
    if dry_run:
        return importer.build_plan(agency, data, filename, actor=actor)
    try:
        with transaction.atomic():
            plan = importer.build_plan(agency, data, filename, actor=actor)
            if plan.errors:
                exc = ValidationError(plan.error_messages())
                exc.plan = plan
                raise exc
            units = _import_create_units(agency, plan)
            created, updated = _import_write_people(agency, plan, units)
            _import_set_roles(plan, created, updated)
            audit.record(
                "org.import.completed", actor=actor, agency=agency,
                data={
                    "filename": filename[:255], "sha256": plan.sha256, "size": plan.size, "format": plan.file_format,
                    "units_created": plan.units_to_create, "people_created": plan.people_to_create, "people_updated": plan.people_to_update,
                },
                request=request,
            )
    except IntegrityError:
        raise ValidationError(
            _("The organisation changed while the file was being imported, so nothing was written. Check the file again and retry.")
        ) from None
    return plan


def _import_clean(obj, line: int, exclude: list[str]) -> None:
    """Field checks only: uniqueness was checked for the whole file at once, and the database
    constraints stand behind it."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(_("Line %(line)s: %(message)s") % {"line": line, "message": " ".join(exc.messages)}) from None


def _import_create_units(agency: Agency, plan: importer.ImportPlan) -> dict[tuple, Unit]:
    """Create the planned units, parents first; new siblings keep the file's order after the
    existing ones. Returns every unit of the plan by its key."""
    existing = Unit.objects.filter(agency=agency).in_bulk([u.pk for u in plan.units.values() if u.pk])
    by_key: dict[tuple, Unit] = {}
    next_order: dict[int | None, int] = {}
    for unit in Unit.objects.filter(agency=agency).only("parent_id", "sort_order"):
        next_order[unit.parent_id] = max(next_order.get(unit.parent_id, 0), unit.sort_order + 1)
    for key, planned in plan.units.items():
        if planned.pk is not None:
            by_key[key] = existing[planned.pk]
            continue
        parent = by_key[key[:-1]] if len(key) > 1 else None
        parent_pk = getattr(parent, "pk", None)
        order = next_order.get(parent_pk, 0)
        next_order[parent_pk] = order + 1
        unit = Unit(agency=agency, parent=parent, name=planned.name, short_name=planned.short_name, sort_order=order)
        _set_path(unit)
        _import_clean(unit, planned.line, ["path", "depth", "agency", "parent"])
        unit.save()
        by_key[key] = unit
    return by_key


def _import_write_people(agency: Agency, plan: importer.ImportPlan, units: dict[tuple, Unit]) -> tuple[list, list]:
    """Create and update the people; returns [(row, person)] created and updated."""
    exclude = ["password", "agency", "unit"]
    created = []
    for row in plan.rows:
        if row.action != "create":
            continue
        v = row.values
        person = Person(
            username=v["username"], full_name=v["full_name"], email=v["email"], phone=v["phone"], position=v["position"],
            agency=agency, unit=units.get(row.unit_key) if row.unit_key else None, clearance=v["clearance"] or Clearance.NONE,
        )
        person.set_unusable_password()
        _import_clean(person, row.line, exclude)
        person.set_derived_fields()
        created.append((row, person))
    Person.objects.bulk_create([p for _row, p in created], batch_size=500)

    update_rows = [row for row in plan.rows if row.action == "update"]
    current = Person.objects.filter(agency=agency).in_bulk([row.person_pk for row in update_rows])
    updated = []
    changed: dict[tuple[str, ...], list[Person]] = {}  # people by the fields that change
    for row in update_rows:
        person = current.get(row.person_pk)
        if person is None:  # moved or deleted since the file was checked
            raise IntegrityError("person of the import is gone")
        v = row.values
        values = {"full_name": v["full_name"]}
        values.update({name: v[name] for name in ("email", "phone", "position") if v[name]})
        if v["clearance"] is not None:
            values["clearance"] = v["clearance"]
        if row.unit_key:
            values["unit_id"] = units[row.unit_key].pk
        fields = sorted(_apply(person, values))
        if fields:
            _import_clean(person, row.line, exclude)
            if "full_name" in fields:
                person.set_derived_fields()
                fields.extend(Person.DERIVED_FIELDS)
            changed.setdefault(tuple(fields), []).append(person)
        updated.append((row, person))
    # Django's bulk_update costs per field and per person: only what changes is written.
    for fields, people in changed.items():
        Person.objects.bulk_update(people, [f.removesuffix("_id") for f in fields], batch_size=200)
    return created, updated


def _import_set_roles(plan: importer.ImportPlan, created: list, updated: list) -> None:
    through = Person.roles.through
    links = [through(person_id=p.pk, role_id=code) for row, p in created for code in row.values["roles"] or ()]
    wanted = {p.pk: set(row.values["roles"]) for row, p in updated if row.values["roles"] is not None}
    have: dict[int, set[str]] = {pk: set() for pk in wanted}
    ids = list(wanted)
    for start in range(0, len(ids), 500):
        for person_id, role_id in through.objects.filter(person_id__in=ids[start:start + 500]).values_list("person_id", "role_id"):
            have[person_id].add(role_id)
    stale = [(pk, code) for pk in ids for code in have[pk] - wanted[pk]]
    for code in {code for _pk, code in stale}:
        pks = [pk for pk, c in stale if c == code]
        for start in range(0, len(pks), 500):
            through.objects.filter(role_id=code, person_id__in=pks[start:start + 500]).delete()
    links += [through(person_id=pk, role_id=code) for pk in ids for code in wanted[pk] - have[pk]]
    through.objects.bulk_create(links, batch_size=500)


__all__ = [
    "NotationScheme",
    "create_agency",
    "update_agency",
    "create_unit",
    "update_unit",
    "create_person",
    "update_person",
    "import_organisation",
]
