"""Agency isolation on every API endpoint.

Each endpoint has a check below, registered with @covers(method, path). A check acts as a person of
another agency (and, for changes, as a clerk without the right) and proves that agency A's units
and people can be neither read, listed, referred to nor changed. test_every_endpoint_is_covered
fails when an endpoint is added without a check here."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.api.conftest import PREFIX, Api, token_of
from tests.conftest import signed_in
from vanphong.api import api as ninja_api
from vanphong.org.models import Agency, Person, Unit

pytestmark = pytest.mark.django_db

CHECKS: dict[tuple[str, str], Callable] = {}


def covers(method: str, path: str):
    def register(check):
        CHECKS[(method, path)] = check
        return check

    return register


@pytest.fixture(params=["token", "session"])
def as_(request, world):
    """as_(person) → an Api acting as that person, by bearer token or by a complete session."""

    def make(person):
        if request.param == "token":
            return Api(Client(), token_of(person))
        return Api(signed_in(Client(), person))

    return make


def ids(page) -> set[int]:
    assert page.status_code == 200, page.content
    body = page.json()
    assert body["count"] == len(body["items"]) or body["count"] > len(body["items"])
    return {item["id"] for item in body["items"]}


def unchanged(obj, **expected):
    obj.refresh_from_db()
    for name, value in expected.items():
        assert getattr(obj, name) == value, name


# ---- agencies: a shared directory; only the instance operator changes it --------------------------


@covers("GET", "/agencies")
def check_list_agencies(w, as_):
    # The directory is shared by the network (codes, names, contacts), as on the national hub.
    assert ids(as_(w.admin_b).get("/agencies", {"limit": 500})) == {w.agency_a.pk, w.agency_b.pk}


@covers("GET", "/agencies/{agency_id}")
def check_get_agency(w, as_):
    body = as_(w.admin_b).get(f"/agencies/{w.agency_a.pk}").json()
    # Directory fields only: nothing about the agency's units or people.
    assert set(body) == {"id", "code", "name", "short_name", "notation_code", "notation_scheme", "parent_id", "hosted",
                         "address", "email", "phone", "website", "is_active", "created_at"}


@covers("POST", "/agencies")
def check_create_agency(w, as_):
    body = {"code": "000.00.00.H26", "name": "UBND tỉnh Hà Tĩnh", "short_name": "UBND Hà Tĩnh", "notation_code": "UBND"}
    for person in (w.admin_b, w.admin_a, w.clerk_a):
        assert as_(person).post("/agencies", body).status_code == 403
    assert not Agency.objects.filter(code="000.00.00.H26").exists()
    assert as_(w.operator).post("/agencies", body).status_code == 201


@covers("PATCH", "/agencies/{agency_id}")
def check_update_agency(w, as_):
    for person in (w.admin_b, w.admin_a, w.clerk_a):
        assert as_(person).patch(f"/agencies/{w.agency_a.pk}", {"name": "Chiếm quyền"}).status_code == 403
        assert as_(person).patch(f"/agencies/{w.agency_a.pk}", {"hosted": False}).status_code == 403
    unchanged(w.agency_a, name="Tỉnh ủy Bắc Ninh", hosted=True)
    assert as_(w.operator).patch(f"/agencies/{w.agency_b.pk}", {"phone": "0238 3844 000"}).status_code == 200


# ---- units --------------------------------------------------------------------------------------


@covers("GET", "/units")
def check_list_units(w, as_):
    assert ids(as_(w.admin_b).get("/units", {"limit": 500})) == {w.unit_b.pk}
    assert ids(as_(w.admin_a).get("/units", {"limit": 500})) == {w.unit_a.pk, w.subunit_a.pk}


@covers("GET", "/units/{unit_id}")
def check_get_unit(w, as_):
    assert as_(w.admin_b).get(f"/units/{w.unit_a.pk}").status_code == 404
    assert as_(w.admin_b).get(f"/units/{w.subunit_a.pk}").status_code == 404
    assert as_(w.admin_b).get(f"/units/{w.unit_b.pk}").status_code == 200
    # An operator is a person of agency A: instance-wide rights do not open other agencies' records.
    assert as_(w.operator).get(f"/units/{w.unit_b.pk}").status_code == 404


@covers("POST", "/units")
def check_create_unit(w, as_):
    response = as_(w.admin_b).post("/units", {"name": "Phòng cài cắm", "parent_id": w.unit_a.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "parent_id"
    assert as_(w.clerk_a).post("/units", {"name": "Phòng cài cắm"}).status_code == 403
    assert not Unit.objects.filter(name="Phòng cài cắm").exists()
    # What an administrator creates lands in their own agency, whatever they send.
    response = as_(w.admin_b).post("/units", {"name": "Phòng mới", "parent_id": w.unit_b.pk})
    assert response.status_code == 201 and response.json()["agency_id"] == w.agency_b.pk
    assert as_(w.admin_b).post("/units", {"name": "Phòng khác", "agency_id": w.agency_a.pk}).status_code == 422


@covers("PATCH", "/units/{unit_id}")
def check_update_unit(w, as_):
    assert as_(w.admin_b).patch(f"/units/{w.unit_a.pk}", {"name": "Đổi tên"}).status_code == 404
    assert as_(w.admin_b).patch(f"/units/{w.subunit_a.pk}", {"parent_id": None}).status_code == 404
    response = as_(w.admin_b).patch(f"/units/{w.unit_b.pk}", {"parent_id": w.unit_a.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "parent_id"
    assert as_(w.clerk_a).patch(f"/units/{w.unit_a.pk}", {"name": "Đổi tên"}).status_code == 403
    unchanged(w.unit_a, name="Văn phòng Tỉnh ủy", parent_id=None)
    unchanged(w.subunit_a, parent_id=w.unit_a.pk)
    unchanged(w.unit_b, parent_id=None)


# ---- people -------------------------------------------------------------------------------------


@covers("GET", "/people")
def check_list_people(w, as_):
    listed = ids(as_(w.admin_b).get("/people", {"limit": 500}))
    assert listed == {w.admin_b.pk, w.person_b.pk}
    assert not ids(as_(w.admin_b).get("/people", {"q": "chuyen", "limit": 500})) & {w.person_a.pk}
    response = as_(w.admin_b).get("/people", {"unit_id": w.unit_a.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "unit_id"
    assert as_(w.clerk_a).get("/people").status_code == 403


@covers("GET", "/people/{person_id}")
def check_get_person(w, as_):
    for target in (w.person_a, w.admin_a, w.operator):
        assert as_(w.admin_b).get(f"/people/{target.pk}").status_code == 404
    assert as_(w.operator).get(f"/people/{w.person_b.pk}").status_code == 404
    assert as_(w.clerk_a).get(f"/people/{w.person_a.pk}").status_code == 403
    assert as_(w.admin_b).get(f"/people/{w.person_b.pk}").status_code == 200


@covers("POST", "/people")
def check_create_person(w, as_):
    response = as_(w.admin_b).post("/people", {"username": "gian.diep", "full_name": "Gián Điệp", "unit_id": w.unit_a.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "unit_id"
    assert as_(w.clerk_a).post("/people", {"username": "gian.diep", "full_name": "Gián Điệp"}).status_code == 403
    assert as_(w.admin_b).post("/people", {"username": "gian.diep", "full_name": "Gián Điệp", "agency_id": w.agency_a.pk}).status_code == 422
    assert not Person.objects.filter(username="gian.diep").exists()
    response = as_(w.admin_b).post("/people", {"username": "nhanvien.b", "full_name": "Nhân Viên", "unit_id": w.unit_b.pk})
    assert response.status_code == 201 and response.json()["agency_id"] == w.agency_b.pk


@covers("PATCH", "/people/{person_id}")
def check_update_person(w, as_):
    for target in (w.person_a, w.admin_a):
        assert as_(w.admin_b).patch(f"/people/{target.pk}", {"is_active": False}).status_code == 404
        assert as_(w.admin_b).patch(f"/people/{target.pk}", {"roles": ["clerk"], "clearance": 0}).status_code == 404
    response = as_(w.admin_b).patch(f"/people/{w.person_b.pk}", {"unit_id": w.subunit_a.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "unit_id"
    assert as_(w.clerk_a).patch(f"/people/{w.person_a.pk}", {"roles": ["admin"]}).status_code == 403
    assert as_(w.clerk_a).patch(f"/people/{w.clerk_a.pk}", {"clearance": 3}).status_code == 403
    unchanged(w.person_a, is_active=True, unit_id=w.subunit_a.pk, clearance=0)
    unchanged(w.admin_a, is_active=True)
    assert w.person_a.role_codes() == {"specialist"} and w.clerk_a.role_codes() == {"clerk"}
    unchanged(w.person_b, unit_id=w.unit_b.pk)


@covers("GET", "/me")
def check_me(w, as_):
    assert as_(w.admin_b).get("/me").json()["id"] == w.admin_b.pk
    assert as_(w.clerk_a).get("/me").json()["id"] == w.clerk_a.pk


# ---- the harness --------------------------------------------------------------------------------


def registered_operations() -> set[tuple[str, str]]:
    doc = ninja_api.get_openapi_schema()
    return {(method.upper(), path.removeprefix(PREFIX)) for path, ops in doc["paths"].items() for method in ops}


def test_every_endpoint_is_covered():
    missing = registered_operations() - set(CHECKS)
    assert not missing, f"endpoints without an isolation check in {__name__}: {sorted(missing)}"
    assert not set(CHECKS) - registered_operations(), "checks for endpoints that no longer exist"


@pytest.mark.parametrize("operation", sorted(CHECKS), ids=lambda op: f"{op[0]} {op[1]}")
def test_isolation(operation, world, as_):
    CHECKS[operation](world, as_)


def test_unauthenticated_callers_get_nothing(world):
    anonymous = Api(Client())
    for method, path in sorted(registered_operations()):
        concrete = path.format(agency_id=world.agency_a.pk, unit_id=world.unit_a.pk, person_id=world.person_a.pk)
        response = getattr(anonymous, method.lower())(concrete) if method == "GET" else getattr(anonymous, method.lower())(concrete, {})
        assert response.status_code == 401, (method, path)
