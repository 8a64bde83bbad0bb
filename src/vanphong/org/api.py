"""REST endpoints for the organisation: the agency directory, units and people.

Each endpoint parses its input, calls one selector or service, and renders. Who may do what is
decided by the services and selectors (and, for reading people, by the same rule as the web)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, StringConstraints

from vanphong.core.api_support import (
    MAX_ID,
    Absent,
    Id,
    InputSchema,
    PageQuery,
    Text,
    error_responses,
    invalid,
    page,
)
from vanphong.core.clearance import Clearance
from vanphong.core.errors import NotFound
from vanphong.org import selectors, services
from vanphong.org.models import NotationScheme, Role
from vanphong.org.permissions import require_people_reader

router = Router()

RoleCode = Literal[tuple(Role.Code.values)]
ClearanceLevel = Literal[tuple(Clearance.values)]
NotationSchemeCode = Literal[tuple(NotationScheme.values)]

# The model's validator also accepts non-ASCII digits (\d); the API is strict.
AGENCY_CODE_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$"
_AGENCY_CODE = re.compile(AGENCY_CODE_PATTERN, re.ASCII)


def _agency_code(value: str) -> str:
    if not _AGENCY_CODE.match(value):
        raise invalid(_("“%(value)s” is not an agency code: expected the form 000.00.00.G22.") % {"value": value[:40]})
    return value


AgencyCode = Annotated[
    str,
    StringConstraints(max_length=13),
    AfterValidator(_agency_code),
    Field(json_schema_extra={"pattern": AGENCY_CODE_PATTERN}, examples=["000.00.00.H40"]),
]


def _username(value: str) -> str:
    if any(ch.isspace() for ch in value):
        raise invalid(_("A username may not be empty or contain spaces."))
    return value


Username = Annotated[
    Text(60, 1), AfterValidator(_username), Field(json_schema_extra={"pattern": r"^\S+$"}, description="No spaces; unique, case-insensitive.")
]
Password = Text(128, 1)
Email = Annotated[Text(254), Field(description="An e-mail address, or empty.")]


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


def _ref(selector, reader, pk: int | None, field: str, message: str):
    """An object named in the input, through the selector that says what the reader may see: one
    they may not see is refused as if it did not exist."""
    if pk is None:
        return None
    try:
        return selector(reader, pk)
    except NotFound:
        raise ValidationError({field: message}) from None


# ---- agencies -----------------------------------------------------------------------------------


class AgencyOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    notation_code: str
    notation_scheme: NotationSchemeCode
    parent_id: int | None
    hosted: bool
    address: str
    email: str
    phone: str
    website: str
    is_active: bool
    created_at: datetime


class AgencyPage(Schema):
    count: int
    items: list[AgencyOut]


class AgencyQuery(PageQuery):
    q: Text(100) = Field("", description="Part of the code, name or short name.")
    hosted_only: bool = Field(False, description="Only agencies hosted on this instance.")


class FirstAdminIn(InputSchema):
    username: Username
    full_name: Text(150, 1)
    password: Password = Field(description="Temporary: they must change it at first sign-in.")


class AgencyCreateIn(InputSchema):
    code: AgencyCode = Field(description="Agency code (mã định danh, Decision 20/2020/QĐ-TTg), e.g. 000.00.00.H40.")
    name: Text(255, 1)
    short_name: Text(60, 1)
    notation_code: Text(30, 1) = Field(description="The agency's part of a document notation, e.g. UBND or TW.")
    notation_scheme: NotationSchemeCode = NotationScheme.STATE.value
    parent_id: Id | None = None
    hosted: bool = True
    address: Text(255) = ""
    email: Email = ""
    phone: Text(40) = ""
    website: Text(200) = ""
    is_active: bool = True
    first_admin: FirstAdminIn | None = Field(None, description="First administrator of a hosted agency.")


class AgencyUpdateIn(InputSchema):
    name: Text(255, 1) = Absent()
    short_name: Text(60, 1) = Absent()
    notation_code: Text(30, 1) = Absent()
    notation_scheme: NotationSchemeCode = Absent()
    parent_id: Id | None = Field(None, description="null: no parent agency.")
    hosted: bool = Absent()
    address: Text(255) = Absent()
    email: Email = Absent()
    phone: Text(40) = Absent()
    website: Text(200) = Absent()
    is_active: bool = Absent()


AgencyId = Path[int, {"ge": 1, "le": MAX_ID}]


@router.get("/agencies", response={200: AgencyPage, **error_responses(401, 403, 422)}, tags=["agencies"])
def list_agencies(request, filters: Query[AgencyQuery]):
    """The agency directory, shared by the whole network, by code."""
    return page(selectors.agency_directory(request.auth, query=filters.q, hosted_only=filters.hosted_only), filters)


@router.get("/agencies/{agency_id}", response={200: AgencyOut, **error_responses(401, 403, 404, 422)}, tags=["agencies"])
def get_agency(request, agency_id: AgencyId):
    return selectors.agency_detail(request.auth, agency_id)


@router.post("/agencies", response={201: AgencyOut, **error_responses(400, 401, 403, 422)}, tags=["agencies"])
def create_agency(request, payload: AgencyCreateIn):
    """Add an agency to the directory (instance operators only)."""
    data = payload.model_dump(exclude={"parent_id", "first_admin"})
    parent = _ref(selectors.agency_detail, request.auth, payload.parent_id, "parent_id", _("There is no such agency."))
    first_admin = payload.first_admin.model_dump() if payload.first_admin else None
    return Status(201, services.create_agency(request.auth, parent=parent, first_admin=first_admin, request=request, **data))


@router.patch("/agencies/{agency_id}", response={200: AgencyOut, **error_responses(400, 401, 403, 404, 422)}, tags=["agencies"])
def update_agency(request, agency_id: AgencyId, payload: AgencyUpdateIn):
    """Change a directory entry (instance operators only). Only the fields sent change."""
    agency = selectors.agency_detail(request.auth, agency_id)
    fields = payload.model_dump(exclude_unset=True)
    if "parent_id" in fields:
        fields["parent"] = _ref(selectors.agency_detail, request.auth, fields.pop("parent_id"), "parent_id", _("There is no such agency."))
    return services.update_agency(request.auth, agency, request=request, **fields)


# ---- units --------------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    agency_id: int
    parent_id: int | None
    name: str
    short_name: str
    sort_order: int
    depth: int
    is_active: bool


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


SortOrder = Annotated[int, Field(ge=0, le=2**31 - 1)]


class UnitCreateIn(InputSchema):
    name: Text(255, 1)
    short_name: Text(30) = Field("", description="Used in notations of công văn, e.g. VP in 45/UBND-VP.")
    sort_order: SortOrder = 0
    parent_id: Id | None = Field(None, description="A unit of your agency; null for a top-level unit.")


class UnitUpdateIn(InputSchema):
    name: Text(255, 1) = Absent()
    short_name: Text(30) = Absent()
    sort_order: SortOrder = Absent()
    is_active: bool = Absent()
    parent_id: Id | None = Field(None, description="A unit of your agency; null moves it to the top level.")


UnitId = Path[int, {"ge": 1, "le": MAX_ID}]


@router.get("/units", response={200: UnitPage, **error_responses(401, 403, 422)}, tags=["units"])
def list_units(request, filters: Query[PageQuery]):
    """The units of your own agency, parents before children."""
    return page(selectors.units_of_own_agency(request.auth).order_by("path", "sort_order", "name", "pk"), filters)


@router.get("/units/{unit_id}", response={200: UnitOut, **error_responses(401, 403, 404, 422)}, tags=["units"])
def get_unit(request, unit_id: UnitId):
    return selectors.unit_detail(request.auth, unit_id)


@router.post("/units", response={201: UnitOut, **error_responses(400, 401, 403, 422)}, tags=["units"])
def create_unit(request, payload: UnitCreateIn):
    """Create a unit in your agency (its administrators only)."""
    parent = _ref(selectors.unit_detail, request.auth, payload.parent_id, "parent_id", _("There is no such unit in your agency."))
    data = payload.model_dump(exclude={"parent_id"})
    return Status(201, services.create_unit(request.auth, request.auth.agency, parent=parent, request=request, **data))


@router.patch("/units/{unit_id}", response={200: UnitOut, **error_responses(400, 401, 403, 404, 422)}, tags=["units"])
def update_unit(request, unit_id: UnitId, payload: UnitUpdateIn):
    """Change or move a unit (administrators of its agency only). Only the fields sent change."""
    unit = selectors.unit_detail(request.auth, unit_id)
    fields = payload.model_dump(exclude_unset=True)
    if "parent_id" in fields:
        fields["parent"] = _ref(selectors.unit_detail, request.auth, fields.pop("parent_id"), "parent_id", _("There is no such unit in your agency."))
    return services.update_unit(request.auth, unit, request=request, **fields)


# ---- people -------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    position: str
    agency_id: int
    unit_id: int | None
    roles: list[RoleCode]
    clearance: ClearanceLevel
    is_active: bool
    must_change_password: bool
    has_second_factor: bool
    date_joined: datetime
    last_login: datetime | None

    @staticmethod
    def resolve_roles(person) -> list[str]:
        return sorted(role.code for role in person.roles.all())

    @staticmethod
    def resolve_has_second_factor(person) -> bool:
        return person.totp_confirmed


class PersonPage(Schema):
    count: int
    items: list[PersonOut]


class PeopleQuery(PageQuery):
    q: Text(100) = Field("", description="Part of the name or username; diacritics do not matter.")
    unit_id: Id = Field(None, description="Only people of this unit and its sub-units.", json_schema_extra=_no_default)


class PersonCreateIn(InputSchema):
    username: Username
    full_name: Text(150, 1)
    email: Email = ""
    phone: Text(40) = ""
    position: Text(150) = ""
    unit_id: Id | None = None
    roles: list[RoleCode] = Field(default_factory=list, max_length=len(Role.Code.values))
    clearance: ClearanceLevel = Clearance.NONE.value
    password: Password | None = Field(
        None, description="A temporary password, to be changed at first sign-in. Without one the person cannot sign in until an administrator sets one."
    )


class PersonUpdateIn(InputSchema):
    full_name: Text(150, 1) = Absent()
    email: Email = Absent()
    phone: Text(40) = Absent()
    position: Text(150) = Absent()
    unit_id: Id | None = Field(None, description="A unit of your agency; null for none.")
    roles: list[RoleCode] = Field(None, max_length=len(Role.Code.values), json_schema_extra=_no_default)
    clearance: ClearanceLevel = Absent()
    is_active: bool = Absent()


PersonId = Path[int, {"ge": 1, "le": MAX_ID}]


@router.get("/people", response={200: PersonPage, **error_responses(401, 403, 422)}, tags=["people"])
def list_people(request, filters: Query[PeopleQuery]):
    """People of your own agency (administrators and personnel officers)."""
    require_people_reader(request.auth)  # before the unit filter is resolved: 403 rather than 422
    unit = _ref(selectors.unit_detail, request.auth, filters.unit_id, "unit_id", _("There is no such unit in your agency."))
    qs = selectors.people_of_own_agency(request.auth, query=filters.q, unit=unit).order_by("sort_name", "pk")
    return page(qs, filters)


@router.get("/people/{person_id}", response={200: PersonOut, **error_responses(401, 403, 404, 422)}, tags=["people"])
def get_person(request, person_id: PersonId):
    return selectors.person_detail(request.auth, person_id)


@router.post("/people", response={201: PersonOut, **error_responses(400, 401, 403, 422)}, tags=["people"])
def create_person(request, payload: PersonCreateIn):
    """Add a person to your agency (its administrators only)."""
    unit = _ref(selectors.unit_detail, request.auth, payload.unit_id, "unit_id", _("There is no such unit in your agency."))
    data = payload.model_dump(exclude={"unit_id"})
    return Status(201, services.create_person(request.auth, request.auth.agency, unit=unit, request=request, **data))


@router.patch("/people/{person_id}", response={200: PersonOut, **error_responses(400, 401, 403, 404, 422)}, tags=["people"])
def update_person(request, person_id: PersonId, payload: PersonUpdateIn):
    """Change a person's record, roles or clearance (administrators of their agency only). Only the
    fields sent change."""
    person = selectors.person_detail(request.auth, person_id)
    fields = payload.model_dump(exclude_unset=True)
    if "unit_id" in fields:
        fields["unit"] = _ref(selectors.unit_detail, request.auth, fields.pop("unit_id"), "unit_id", _("There is no such unit in your agency."))
    return services.update_person(request.auth, person, request=request, **fields)


@router.get("/me", response={200: PersonOut, **error_responses(401)}, tags=["people"])
def me(request):
    """Your own record."""
    return selectors.own_record(request.auth)
