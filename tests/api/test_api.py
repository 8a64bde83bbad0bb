"""The REST API: authentication, CRUD on agencies, units and people, errors in the user's language."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.api.conftest import PREFIX, Api, token_of
from tests.conftest import signed_in
from tests.factories import make_person
from vanphong.accounts.models import ApiToken
from vanphong.accounts.services import create_api_token, revoke_api_token
from vanphong.core.models import AuditRecord
from vanphong.org.models import Agency, Person, Unit

pytestmark = pytest.mark.django_db


def fields_of(response) -> dict:
    """{field: message} of a 422 body."""
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["detail"]}


# ---- the document -------------------------------------------------------------------------------


def test_openapi_document_is_served_without_authentication():
    response = Client().get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "VănPhòng API"
    assert {"/api/v1/agencies", "/api/v1/units/{unit_id}", "/api/v1/people", "/api/v1/me"} <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    schemas = doc["components"]["schemas"]
    assert schemas["AgencyCreateIn"]["properties"]["code"]["pattern"] == r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$"
    assert schemas["PersonCreateIn"]["properties"]["clearance"]["enum"] == [0, 1, 2, 3]
    assert "admin" in schemas["PersonOut"]["properties"]["roles"]["items"]["enum"]
    assert schemas["UnitCreateIn"]["properties"]["name"]["maxLength"] == 255
    assert schemas["UnitCreateIn"]["additionalProperties"] is False


def test_no_two_schemas_of_the_api_share_a_name():
    """The OpenAPI document names each schema by its class name: two classes of one name (two apps' AttachmentOut)
    leave one of them described with the other's fields, and clients generated from it break."""
    from ninja import Schema

    import vanphong.api  # noqa: F401  (every app's API module, so every schema class, is imported)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    by_name: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("vanphong."):
            by_name.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: modules for name, modules in by_name.items() if len(modules) > 1} == {}


def test_output_schemas_never_carry_secrets():
    doc = Client().get(f"{PREFIX}/openapi.json").json()
    for name, schema in doc["components"]["schemas"].items():
        if name.endswith("Out") or name.endswith("Page"):
            assert not {"password", "totp_secret", "totp_last_step", "digest"} & set(schema.get("properties", {})), name


# ---- authentication -----------------------------------------------------------------------------


def test_no_authentication_is_401_json():
    response = Api(Client()).get("/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in response.json()["detail"]


def test_token_authentication(admin_a):
    response = Api(Client(), token_of(admin_a)).get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "quantri.a"
    assert body["roles"] == ["admin"]
    assert "password" not in body and "totp_secret" not in body
    assert ApiToken.objects.get(person=admin_a).last_used_at is not None


@pytest.mark.parametrize("header", ["Bearer vp_not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "vp_raw-without-scheme", "Bearer not-prefixed"])
def test_bad_credentials_are_401(admin_a, header):
    response = Client().get(f"{PREFIX}/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_revoked_token_is_401(admin_a):
    token, raw = create_api_token(admin_a, "ci")
    api = Api(Client(), raw)
    assert api.get("/me").status_code == 200
    revoke_api_token(admin_a, token)
    assert api.get("/me").status_code == 401


def test_expired_token_is_401(admin_a):
    raw = token_of(admin_a)
    ApiToken.objects.filter(person=admin_a).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Api(Client(), raw).get("/me").status_code == 401


def test_token_of_deactivated_person_is_401(admin_a):
    raw = token_of(admin_a)
    Person.objects.filter(pk=admin_a.pk).update(is_active=False)
    assert Api(Client(), raw).get("/me").status_code == 401


def test_session_authentication(client, admin_a):
    signed_in(client, admin_a)
    response = Api(client).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "quantri.a"


def test_incomplete_session_is_401(client, admin_a, clerk_a):
    client.force_login(admin_a)  # an administrator who has not given the second factor yet
    assert Api(client).get("/me").status_code == 401
    Person.objects.filter(pk=clerk_a.pk).update(must_change_password=True)
    other = Client()
    other.force_login(clerk_a)
    assert Api(other).get("/me").status_code == 401


def test_session_needs_csrf_for_unsafe_methods(admin_a):
    client = signed_in(Client(enforce_csrf_checks=True), admin_a)
    api = Api(client)
    assert api.get("/units").status_code == 200  # safe methods need no token
    response = api.post("/units", {"name": "Ban Tổ chức"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert api.patch(f"/people/{admin_a.pk}", {"position": "x"}).status_code == 403
    assert not Unit.objects.filter(name="Ban Tổ chức").exists()

    secret = "a" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = api.post("/units", {"name": "Ban Tổ chức"}, headers={"X-CSRFToken": secret})
    assert response.status_code == 201, response.content


def test_token_requests_need_no_csrf(admin_a):
    api = Api(Client(enforce_csrf_checks=True), token_of(admin_a))
    assert api.post("/units", {"name": "Ban Tuyên giáo"}).status_code == 201


def test_bad_token_does_not_fall_back_to_the_session(client, admin_a):
    signed_in(client, admin_a)
    response = client.get(f"{PREFIX}/me", headers={"Authorization": "Bearer vp_wrong"})
    assert response.status_code == 401


# ---- agencies -----------------------------------------------------------------------------------


def test_agency_directory_and_detail(api_as, world):
    api = api_as(world.admin_a)
    response = api.get("/agencies")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [a["code"] for a in body["items"]] == ["000.00.00.H40", "000.00.00.T27"]
    assert api.get("/agencies", {"q": "Nghệ"}).json()["count"] == 1
    assert api.get("/agencies", {"limit": 1, "offset": 1}).json()["items"][0]["code"] == "000.00.00.T27"
    Agency.objects.filter(pk=world.agency_b.pk).update(hosted=False)
    assert api.get("/agencies", {"hosted_only": "true"}).json()["count"] == 1

    detail = api.get(f"/agencies/{world.agency_a.pk}").json()
    assert detail["notation_scheme"] == "party"
    assert detail["created_at"].startswith(str(timezone.now().year))
    assert api.get("/agencies/999999").status_code == 404


def test_operator_creates_and_updates_an_agency(api_as, world):
    api = api_as(world.operator)
    response = api.post("/agencies", {
        "code": "000.00.00.H26", "name": "Ủy ban nhân dân tỉnh Hà Tĩnh", "short_name": "UBND Hà Tĩnh",
        "notation_code": "UBND", "parent_id": world.agency_b.pk,
        "first_admin": {"username": "quantri.ht", "full_name": "Ngô Văn Hà", "password": "Tam-thoi-2026-xyz"},
    })
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["code"] == "000.00.00.H26" and created["parent_id"] == world.agency_b.pk and created["hosted"] is True
    first_admin = Person.objects.get(username="quantri.ht")
    assert first_admin.agency_id == created["id"] and first_admin.must_change_password and first_admin.has_role("admin")

    response = api.patch(f"/agencies/{created['id']}", {"phone": "0239 3855 000", "parent_id": None})
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "0239 3855 000" and response.json()["parent_id"] is None
    assert response.json()["name"] == "Ủy ban nhân dân tỉnh Hà Tĩnh"  # untouched fields stay
    assert AuditRecord.objects.filter(action="org.agency.updated", actor=world.operator).exists()


def test_agency_validation(api_as, world):
    api = api_as(world.operator)
    base = {"name": "Sở Nội vụ", "short_name": "SNV", "notation_code": "SNV"}
    errors = fields_of(api.post("/agencies", {**base, "code": "12.34"}))
    assert "is not an agency code" in errors["code"]
    errors = fields_of(api.post("/agencies", {**base, "code": "000.00.00.T27"}))  # taken
    assert "code" in errors
    errors = fields_of(api.post("/agencies", {**base, "code": "000.00.00.H99", "parent_id": 999999}))
    assert errors == {"parent_id": "There is no such agency."}
    errors = fields_of(api.patch(f"/agencies/{world.agency_b.pk}", {"parent_id": world.agency_b.pk}))
    assert "parent_id" in errors
    assert fields_of(api.patch(f"/agencies/{world.agency_b.pk}", {"name": None})) == {"name": "This field cannot be null."}
    assert fields_of(api.post("/agencies", {**base, "code": "000.00.00.H98", "notation_scheme": "royal"}))["notation_scheme"].startswith(
        "Select a valid choice."
    )
    assert Agency.objects.count() == 2


# ---- units --------------------------------------------------------------------------------------


def test_unit_crud(api_as, world):
    api = api_as(world.admin_a)
    response = api.post("/units", {"name": "  Ban   Tổ chức ", "short_name": "BTC", "sort_order": 3})
    assert response.status_code == 201, response.content
    top = response.json()
    assert top["name"] == "Ban Tổ chức" and top["agency_id"] == world.agency_a.pk and top["parent_id"] is None and top["depth"] == 0

    child = api.post("/units", {"name": "Phòng Cán bộ", "parent_id": top["id"]}).json()
    assert child["parent_id"] == top["id"] and child["depth"] == 1

    listed = api.get("/units").json()
    assert listed["count"] == 4
    assert {u["name"] for u in listed["items"]} == {"Văn phòng Tỉnh ủy", "Phòng Hành chính", "Ban Tổ chức", "Phòng Cán bộ"}
    assert api.get(f"/units/{child['id']}").json()["name"] == "Phòng Cán bộ"

    moved = api.patch(f"/units/{child['id']}", {"parent_id": world.unit_a.pk, "name": "Phòng Cán bộ – Đảng viên"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["parent_id"] == world.unit_a.pk and moved.json()["depth"] == 1
    assert api.patch(f"/units/{child['id']}", {"is_active": False}).json()["is_active"] is False
    assert api.patch(f"/units/{world.unit_a.pk}", {"parent_id": None}).status_code == 200


def test_unit_validation(api_as, world):
    api = api_as(world.admin_a)
    assert fields_of(api.post("/units", {"name": "Văn phòng Tỉnh ủy"}))["name"].startswith("There is already a unit")
    assert fields_of(api.patch(f"/units/{world.unit_a.pk}", {"parent_id": world.subunit_a.pk}))["parent_id"].startswith("A unit cannot sit under")
    assert fields_of(api.post("/units", {"name": "x" * 256})) == {"name": "Ensure this value has at most 255 characters (it has 256)."}
    assert fields_of(api.post("/units", {"name": ""})) == {"name": "This field cannot be blank."}
    assert "name" in fields_of(api.post("/units", {"name": "   "}))
    assert fields_of(api.post("/units", {"name": "A", "sort_order": -1})) == {"sort_order": "Ensure this value is greater than or equal to 0."}
    assert fields_of(api.post("/units", {"name": "A", "colour": "red"})) == {"colour": "This field is not accepted here."}
    assert fields_of(api.post("/units", {"name": "A\x00B"})) == {"name": "The text contains control characters."}
    assert fields_of(api.get("/units", {"limit": 0})) == {"limit": "Ensure this value is greater than or equal to 1."}
    assert fields_of(api.get("/units", {"limit": "many"})) == {"limit": "Enter a whole number."}
    assert fields_of(api.get("/units/abc")) == {"unit_id": "Enter a whole number."}
    assert Unit.objects.filter(agency=world.agency_a).count() == 2


def test_malformed_json_is_400(api_as, world):
    api = api_as(world.admin_a)
    response = api.client.post(f"{PREFIX}/units", "{not json", content_type="application/json", headers=api._headers())
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON."}


# ---- people -------------------------------------------------------------------------------------


def test_person_crud(api_as, world):
    api = api_as(world.admin_a)
    response = api.post("/people", {
        "username": "lanhdao.a", "full_name": "Vũ Đức Lãnh", "email": "vdlanh@example.vn", "position": "Phó Chánh Văn phòng",
        "unit_id": world.unit_a.pk, "roles": ["leader", "specialist"], "clearance": 1, "password": "Tam-thoi-2026-abc",
    })
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["roles"] == ["leader", "specialist"] and created["clearance"] == 1 and created["unit_id"] == world.unit_a.pk
    assert created["must_change_password"] is True and created["has_second_factor"] is False
    person = Person.objects.get(username="lanhdao.a")
    assert person.check_password("Tam-thoi-2026-abc")

    no_password = api.post("/people", {"username": "chuyenvien.c", "full_name": "Lý Thị Cúc"}).json()
    assert not Person.objects.get(pk=no_password["id"]).has_usable_password()

    listed = api.get("/people").json()
    assert listed["count"] == 6  # admin, clerk, operator, specialist, and the two new
    assert [p["username"] for p in api.get("/people", {"q": "duc lanh"}).json()["items"]] == ["lanhdao.a"]
    in_unit = {p["username"] for p in api.get("/people", {"unit_id": world.unit_a.pk}).json()["items"]}
    assert in_unit == {"lanhdao.a", "chuyenvien.a"}  # sub-units included
    assert api.get(f"/people/{person.pk}").json()["full_name"] == "Vũ Đức Lãnh"

    response = api.patch(f"/people/{person.pk}", {"roles": ["leader"], "unit_id": None, "position": "Chánh Văn phòng"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["roles"] == ["leader"] and body["unit_id"] is None and body["position"] == "Chánh Văn phòng"
    assert body["email"] == "vdlanh@example.vn"
    assert api.patch(f"/people/{person.pk}", {"is_active": False}).json()["is_active"] is False


def test_person_validation(api_as, world):
    api = api_as(world.admin_a)
    errors = fields_of(api.post("/people", {"username": "Chuyenvien.A", "full_name": "Trùng Tên"}))
    assert errors == {"username": "The username “Chuyenvien.A” is already taken."}
    errors = fields_of(api.post("/people", {"username": "bad name", "full_name": "Có Dấu Cách"}))
    assert errors == {"username": "A username may not be empty or contain spaces."}
    errors = fields_of(api.post("/people", {"username": "x.y", "full_name": "X", "roles": ["king"], "clearance": 7}))
    assert set(errors) == {"roles.0", "clearance"}
    errors = fields_of(api.post("/people", {"username": "x.y", "full_name": "X", "clearance": 3}))
    assert errors == {"clearance": "You cannot grant a clearance higher than your own."}
    errors = fields_of(api.post("/people", {"username": "x.y", "full_name": "X", "email": "not-an-address"}))
    assert errors == {"email": "Enter a valid email address."}
    errors = fields_of(api.post("/people", {"username": "x.y", "full_name": "X", "password": "123"}))
    assert None in errors  # the password validators' messages
    errors = fields_of(api.patch(f"/people/{world.admin_a.pk}", {"roles": ["clerk"]}))
    assert errors == {None: "You cannot remove your own administrator role or deactivate yourself."}
    errors = fields_of(api.post("/people", {"full_name": "Không Tên"}))
    assert errors == {"username": "This field is required."}
    assert not Person.objects.filter(username="x.y").exists()


def test_readers_of_people(api_as, world):
    clerk = api_as(world.clerk_a)
    assert clerk.get("/me").json()["username"] == "vanthu.a"
    assert clerk.get("/units").status_code == 200
    assert clerk.get("/people").status_code == 403
    assert clerk.get(f"/people/{world.person_a.pk}").status_code == 403

    officer = make_person(world.agency_a, "tochuc.a", "Đinh Thị Tổ Chức", roles=["personnel"])
    personnel = api_as(officer)
    assert personnel.get("/people").status_code == 200
    assert personnel.get(f"/people/{world.person_a.pk}").status_code == 200
    assert personnel.post("/people", {"username": "moi", "full_name": "Người Mới"}).status_code == 403


def test_changes_are_audited_with_the_api_caller(api_as, world):
    api = api_as(world.admin_a)
    unit = api.post("/units", {"name": "Ban Dân vận"}).json()
    record = AuditRecord.objects.get(action="org.unit.created", target_id=str(unit["id"]))
    assert record.actor_id == world.admin_a.pk and record.agency_id == world.agency_a.pk


# ---- language -----------------------------------------------------------------------------------


def in_language(language, message, **params):
    with translation.override(language):
        return gettext(message) % params if params else gettext(message)


def test_errors_in_the_users_language(world):
    raw = token_of(world.admin_a)
    vi = Api(Client(), raw, language="vi")
    en = Api(Client(), raw, language="en")
    required = "This field is required."
    assert in_language("vi", required) != required  # the catalogue has it: the test below can fail
    assert fields_of(vi.post("/units", {})) == {"name": in_language("vi", required)}
    assert fields_of(en.post("/units", {})) == {"name": required}

    # A service's message, and a bound of the schema.
    taken = "The username “%(username)s” is already taken."
    body = {"username": "chuyenvien.a", "full_name": "Trùng"}
    assert fields_of(vi.post("/people", body)) == {"username": in_language("vi", taken, username="chuyenvien.a")}
    assert fields_of(en.post("/people", body)) == {"username": "The username “chuyenvien.a” is already taken."}
    assert in_language("vi", taken, username="x") != taken % {"username": "x"}
    bound = "Ensure this value is less than or equal to %(limit_value)s."
    assert fields_of(vi.get("/units", {"limit": 501})) == {"limit": in_language("vi", bound, limit_value=500)}
    assert fields_of(en.get("/units", {"limit": 501})) == {"limit": "Ensure this value is less than or equal to 500."}
    assert vi.get(f"/units/{world.unit_b.pk}").json() == {"detail": in_language("vi", "Not found, or you may not see it.")}


def test_default_language_is_vietnamese(world):
    client = Client()
    response = client.post(f"{PREFIX}/units", json.dumps({}), content_type="application/json",
                           headers={"Authorization": f"Bearer {token_of(world.admin_a)}"})
    assert fields_of(response) == {"name": in_language("vi", "This field is required.")}
