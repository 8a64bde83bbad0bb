"""Agency isolation on every API endpoint.

Each endpoint has a check below, registered with @covers(method, path). A check acts as a person of
another agency (and, for changes, as a clerk without the right) and proves that agency A's units
and people can be neither read, listed, referred to nor changed. test_every_endpoint_is_covered
fails when an endpoint is added without a check here."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.api.conftest import PREFIX, Api, token_of
from tests.conftest import signed_in
from tests.documents.test_attachments import make_png
from tests.factories import make_person
from vanphong.api import api as ninja_api
from vanphong.documents import ocr_services, services
from vanphong.documents.attachments import store
from vanphong.documents.models import Document, OcrJob, Register
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


# ---- documents: another agency, no clearance, off the distribution -------------------------------


@dataclass
class Secrets:
    """A confidential incoming document of agency A with a file, read only by its distribution (the
    clerk who registered it), a confidential outgoing draft of the same clerk, and the people of agency
    A who must not see them although they may see the agency's other documents."""

    insider: object
    document: object
    attachment: object
    draft: object
    no_clearance: object  # clerk_a: a clerk, but not cleared for Mật
    off_distribution: object  # cleared for Tuyệt mật, a clerk, not on the distribution

    def strangers(self, w):
        """Who must get nothing: another agency's administrator (cleared for Mật), and the two above."""
        return [w.admin_b, self.no_clearance, self.off_distribution, w.operator]


def secrets(w) -> Secrets:
    insider = make_person(w.agency_a, "vanthu.mat.a", "Trương Thị Giữ Mật", roles=["clerk"], clearance=1)
    scan = store(SimpleUploadedFile("Kế hoạch phòng thủ.png", make_png()))
    document = services.register_incoming(insider, doc_type="KH", subject="Kế hoạch phòng thủ khu vực biên giới", confidentiality=1,
                                          issuing_agency=w.agency_b, code_number="07", code_notation="KH-UBND", files=[scan])
    draft = services.create_outgoing_draft(insider, doc_type="BC", subject="Báo cáo phòng thủ khu vực biên giới", confidentiality=1)
    off = make_person(w.agency_a, "vanthu.tm.a", "Ngô Văn Tối Mật", roles=["clerk"], clearance=3)
    return Secrets(insider, document, document.attachments.get(), draft, w.clerk_a, off)


def send(api: Api, path: str, payload: dict, files=()):
    """A multipart request: the fields as JSON in `payload`, files in `files`."""
    return api.client.post(PREFIX + path, {"payload": json.dumps(payload), "files": list(files)}, headers=api._headers())


@covers("GET", "/registers")
def check_list_registers(w, as_):
    s = secrets(w)
    own_a = set(Register.objects.filter(agency=w.agency_a).values_list("pk", flat=True))
    assert own_a and ids(as_(w.admin_a).get("/registers", {"limit": 500})) == own_a
    assert ids(as_(w.admin_b).get("/registers", {"limit": 500})) == set()
    assert s.document.register_id in own_a


@covers("POST", "/registers")
def check_create_register(w, as_):
    year = timezone.localdate().year
    body = {"direction": "in", "year": year, "name": "Sổ cài cắm", "code": "CC"}
    assert as_(w.person_a).post("/registers", body).status_code == 403  # a specialist
    assert as_(w.admin_b).post("/registers", {**body, "agency_id": w.agency_a.pk}).status_code == 422
    assert not Register.objects.filter(agency=w.agency_a).exists()
    response = as_(w.admin_b).post("/registers", body)
    assert response.status_code == 201 and Register.objects.get(pk=response.json()["id"]).agency == w.agency_b


@covers("GET", "/documents/incoming")
def check_list_incoming(w, as_):
    s = secrets(w)
    for person in s.strangers(w):
        assert s.document.pk not in ids(as_(person).get("/documents/incoming", {"limit": 500})), person
    assert ids(as_(s.insider).get("/documents/incoming")) == {s.document.pk}
    response = as_(w.admin_b).get("/documents/incoming", {"register": s.document.register_id})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "register"


@covers("GET", "/documents/outgoing")
def check_list_outgoing(w, as_):
    s = secrets(w)
    for person in s.strangers(w):
        assert s.draft.pk not in ids(as_(person).get("/documents/outgoing", {"limit": 500})), person
    assert ids(as_(s.insider).get("/documents/outgoing")) == {s.draft.pk}


@covers("GET", "/documents/search")
def check_search(w, as_):
    s = secrets(w)
    for person in s.strangers(w):
        assert ids(as_(person).get("/documents/search", {"q": "phong thu bien gioi"})) == set(), person
        assert not {s.document.pk, s.draft.pk} & ids(as_(person).get("/documents/search", {"limit": 100})), person
    assert ids(as_(s.insider).get("/documents/search", {"q": "phong thu bien gioi"})) == {s.document.pk, s.draft.pk}
    response = as_(w.admin_b).get("/documents/search", {"register": s.document.register_id})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "register"


@covers("GET", "/documents/{document_id}")
def check_get_document(w, as_):
    s = secrets(w)
    for person in s.strangers(w):
        for document in (s.document, s.draft):
            response = as_(person).get(f"/documents/{document.pk}")
            assert response.status_code == 404 and "phòng thủ" not in response.content.decode(), person
    assert as_(s.insider).get(f"/documents/{s.document.pk}").json()["subject"] == "Kế hoạch phòng thủ khu vực biên giới"


@covers("GET", "/attachments/{attachment_id}")
def check_download_attachment(w, as_):
    s = secrets(w)
    for person in s.strangers(w):
        assert as_(person).get(f"/attachments/{s.attachment.pk}").status_code == 404, person
    assert as_(s.insider).get(f"/attachments/{s.attachment.pk}").status_code == 200


@covers("POST", "/documents/{document_id}/issue")
def check_issue_document(w, as_):
    s = secrets(w)
    clerk_b = make_person(w.agency_b, "vanthu.b", "Phan Thị Văn Thư", roles=["clerk"], clearance=3)
    for person in (clerk_b, s.no_clearance, s.off_distribution):
        assert as_(person).post(f"/documents/{s.draft.pk}/issue").status_code == 404, person
    # A clerk of the agency who may read a draft, but with another agency's register, or another
    # agency's clerk with a register of their own, changes nothing.
    public = services.create_outgoing_draft(w.person_a, doc_type="TB", subject="Thông báo lịch họp")
    register_b = Register.objects.create(agency=w.agency_b, direction="out", year=timezone.localdate().year, name="Sổ đi", code="DI")
    response = as_(w.clerk_a).post(f"/documents/{public.pk}/issue", {"register_id": register_b.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "register_id"
    assert as_(clerk_b).post(f"/documents/{public.pk}/issue", {"register_id": register_b.pk}).status_code == 404
    assert as_(w.person_a).post(f"/documents/{public.pk}/issue").status_code == 403  # not a clerk
    unchanged(s.draft, status="draft", number=None, code_number="")
    unchanged(public, status="draft", number=None)
    assert as_(s.insider).post(f"/documents/{s.draft.pk}/issue").json()["reference"] == "01-BC/TU"


@covers("POST", "/documents/incoming")
def check_register_incoming(w, as_):
    s = secrets(w)
    clerk_b = make_person(w.agency_b, "vanthu.b", "Phan Thị Văn Thư", roles=["clerk"], clearance=3)
    body = {"doc_type": "CV", "subject": "Công văn cài cắm", "issuing_agency_name": "Không rõ"}
    for refs, field in ((dict(register_id=s.document.register_id), "register_id"), (dict(receiving_unit_id=w.unit_a.pk), "receiving_unit_id"),
                        (dict(receiving_person_id=w.person_a.pk), "receiving_person_id"),
                        (dict(confidentiality=1, distribution_ids=[s.insider.pk]), "distribution_ids")):
        response = send(as_(clerk_b), "/documents/incoming", {**body, **refs})
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == field, refs
    assert send(as_(s.no_clearance), "/documents/incoming", {**body, "confidentiality": 1}).status_code == 403
    assert send(as_(w.person_a), "/documents/incoming", body).status_code == 403  # not a clerk
    # The same file as the secret document: a 409 that names it by id only.
    response = send(as_(s.no_clearance), "/documents/incoming", body, [SimpleUploadedFile("ban-sao.png", make_png())])
    assert response.status_code == 409 and response.json()["duplicates"] == [
        {"id": s.document.pk, "visible": False, "number": None, "year": None, "reference": None, "subject": None}]
    assert not Document.objects.filter(subject="Công văn cài cắm").exists()
    response = send(as_(clerk_b), "/documents/incoming", body)
    assert response.status_code == 201 and Document.objects.get(pk=response.json()["id"]).agency == w.agency_b


@covers("POST", "/documents/outgoing")
def check_draft_outgoing(w, as_):
    s = secrets(w)
    body = {"doc_type": "TB", "subject": "Thông báo cài cắm"}
    for refs, field in ((dict(recipient_unit_ids=[w.unit_a.pk]), "recipient_unit_ids"), (dict(drafting_unit_id=w.unit_a.pk), "drafting_unit_id"),
                        (dict(file_copy_unit_id=w.subunit_a.pk), "file_copy_unit_id"),
                        (dict(confidentiality=1, distribution_ids=[s.insider.pk]), "distribution_ids")):
        response = send(as_(w.admin_b), "/documents/outgoing", {**body, **refs})
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == field, refs
    assert send(as_(s.no_clearance), "/documents/outgoing", {**body, "confidentiality": 1}).status_code == 403
    assert not Document.objects.filter(subject="Thông báo cài cắm").exists()
    response = send(as_(w.admin_b), "/documents/outgoing", body)
    assert response.status_code == 201 and Document.objects.get(pk=response.json()["id"]).agency == w.agency_b


# ---- register books: another agency's register is not found; a row the reader may not see is absent --


def book_rows(response) -> str:
    """The text of the rows of an XLSX register book."""
    import io

    import openpyxl

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


@covers("GET", "/registers/{register_id}/book")
def check_register_book(w, as_):
    s = secrets(w)
    public = services.register_incoming(w.clerk_a, doc_type="CV", subject="Công văn công khai về lịch tiếp dân", issuing_agency_name="X")
    today = timezone.localdate()
    period = {"start": today.replace(month=1, day=1).isoformat(), "end": today.isoformat(), "format": "xlsx"}
    for register in (s.document.register_id, public.register_id):
        response = as_(w.admin_b).get(f"/registers/{register}/book", period)
        assert response.status_code == 404 and "phòng thủ" not in response.content.decode(errors="replace")
    # The confidential register: its document is in the book of the one on its distribution only.
    for person in (s.no_clearance, s.off_distribution, w.operator):
        assert "phòng thủ" not in book_rows(as_(person).get(f"/registers/{s.document.register_id}/book", period)), person
    assert "Kế hoạch phòng thủ khu vực biên giới" in book_rows(as_(s.insider).get(f"/registers/{s.document.register_id}/book", period))
    assert "Công văn công khai về lịch tiếp dân" in book_rows(as_(w.person_a).get(f"/registers/{public.register_id}/book", period))
    response = as_(w.clerk_a).get(f"/registers/{public.register_id}/book", {**period, "start": f"{today.year - 1}-12-01"})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "start"


# ---- scans of paper documents: for the clerks of the agency that uploaded them ---------------------


@covers("POST", "/scans")
def check_upload_scan(w, as_):
    def upload(person):
        return as_(person).client.post(PREFIX + "/scans", {"scan": SimpleUploadedFile("ban-quet.png", make_png())},
                                       headers=as_(person)._headers())

    for person in (w.person_a, w.admin_b, w.operator):  # a specialist, another agency's administrator, the operator
        assert upload(person).status_code == 403, person
    assert not OcrJob.objects.exists()
    response = upload(w.clerk_a)
    assert response.status_code == 202 and OcrJob.objects.get(pk=response.json()["id"]).agency == w.agency_a


@covers("GET", "/scans/{scan_id}")
def check_get_scan(w, as_):
    job = ocr_services.start_scan(w.clerk_a, SimpleUploadedFile("Quyết định mật.png", make_png()))
    clerk_b = make_person(w.agency_b, "vanthu.b", "Phan Thị Văn Thư", roles=["clerk"], clearance=3)
    for person in (clerk_b, w.admin_b, w.person_a, w.operator):
        response = as_(person).get(f"/scans/{job.pk}")
        assert response.status_code == 404 and "Quyết định mật" not in response.content.decode(), person
    assert as_(w.clerk_a).get(f"/scans/{job.pk}").json()["filename"] == "Quyết định mật.png"


# ---- handling of incoming documents: another agency's tasks are not found; in the agency, only the holder acts ----


@dataclass
class Handled:
    """Agency A's document assigned by its leader: the Office (unit_a) leads, person_a coordinates, the Administration
    room (subunit_a, person_a's) is informed; the Office's head asked for more time. Agency B's leader and people
    must reach none of it."""

    leader: object
    head: object
    document: object
    assignment: object
    lead: object
    coordinate: object
    inform: object
    ask: object
    leader_b: object

    def strangers(self, w):
        return [self.leader_b, w.admin_b, w.person_b]


def handled(w) -> Handled:
    from vanphong.workflow import handling

    leader = make_person(w.agency_a, "lanhdao.a", "Vũ Văn Lãnh Đạo", roles=["leader"], clearance=1)
    head = make_person(w.agency_a, "truongphong.a", "Hồ Thị Trưởng", roles=["specialist"], unit=w.unit_a)
    document = services.register_incoming(w.clerk_a, doc_type="CV", subject="Công văn giao nhiệm vụ riêng của A", issuing_agency_name="X")
    assignment = handling.assign(leader, document, lead=w.unit_a, coordinators=[w.person_a], informed=[w.subunit_a],
                                 deadline=timezone.localdate() + timezone.timedelta(days=5), instructions="Chỉ đạo riêng của A")
    tasks = {t.role: t for t in assignment.tasks.all()}
    ask = handling.request_extension(head, tasks["lead"], deadline=timezone.localdate() + timezone.timedelta(days=9),
                                     reason="Lý do riêng của A")
    leader_b = make_person(w.agency_b, "lanhdao.b", "Lãnh Đạo B", roles=["leader", "admin"], clearance=3)
    return Handled(leader, head, document, assignment, tasks["lead"], tasks["coordinate"], tasks["inform"], ask, leader_b)


def no_leak(response) -> bool:
    body = response.content.decode()
    return "riêng của A" not in body


def steps_and_tasks():
    from vanphong.workflow.models import Step, Task

    return list(Task.objects.order_by("pk").values_list("status", "deadline", "person_id", "unit_id")), Step.objects.count()


@covers("POST", "/documents/{document_id}/assignments")
def check_assign(w, as_):
    h = handled(w)
    fresh = services.register_incoming(w.clerk_a, doc_type="CV", subject="Công văn mới của A", issuing_agency_name="X")
    body = {"lead_person_id": h.head.pk}
    for person in h.strangers(w):
        response = as_(person).post(f"/documents/{fresh.pk}/assignments", body)
        assert response.status_code == 404 and "Công văn mới của A" not in response.content.decode(), person
    response = as_(h.leader).post(f"/documents/{fresh.pk}/assignments", {"lead_person_id": w.person_b.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "lead_person_id"
    response = as_(h.leader).post(f"/documents/{fresh.pk}/assignments", {"lead_person_id": h.head.pk, "informed_unit_ids": [w.unit_b.pk]})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "informed_unit_ids"
    assert as_(w.person_a).post(f"/documents/{fresh.pk}/assignments", body).status_code == 403  # not a leader
    assert as_(w.admin_a).post(f"/documents/{fresh.pk}/assignments", body).status_code == 403
    assert not fresh.assignments.exists()
    response = as_(h.leader).post(f"/documents/{fresh.pk}/assignments", body)
    assert response.status_code == 201 and response.json()["tasks"][0]["person_id"] == h.head.pk


@covers("GET", "/documents/{document_id}/assignments")
def check_list_assignments(w, as_):
    h = handled(w)
    s = secrets(w)
    for person in h.strangers(w):
        response = as_(person).get(f"/documents/{h.document.pk}/assignments")
        assert response.status_code == 404 and no_leak(response), person
    for person in s.strangers(w):
        assert as_(person).get(f"/documents/{s.document.pk}/assignments").status_code == 404, person
    rounds = as_(w.person_a).get(f"/documents/{h.document.pk}/assignments").json()
    assert [r["instructions"] for r in rounds] == ["Chỉ đạo riêng của A"]


@covers("GET", "/documents/{document_id}/status-events")
def check_list_status_events(w, as_):
    h = handled(w)
    for person in h.strangers(w):
        assert as_(person).get(f"/documents/{h.document.pk}/status-events").status_code == 404, person
    assert [e["code"] for e in as_(w.person_a).get(f"/documents/{h.document.pk}/status-events").json()] == ["03", "04"]


@covers("POST", "/tasks/{task_id}/pass-down")
def check_pass_down(w, as_):
    h = handled(w)
    before = steps_and_tasks()
    for person in h.strangers(w):
        response = as_(person).post(f"/tasks/{h.lead.pk}/pass-down", {"to_person_id": w.person_b.pk})
        assert response.status_code == 404 and no_leak(response), person
    response = as_(h.head).post(f"/tasks/{h.lead.pk}/pass-down", {"to_person_id": w.person_b.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "to_person_id"
    assert as_(w.operator).post(f"/tasks/{h.lead.pk}/pass-down", {"to_person_id": w.person_a.pk}).status_code == 403  # not the holder
    assert steps_and_tasks() == before
    response = as_(h.head).post(f"/tasks/{h.lead.pk}/pass-down", {"to_person_id": w.person_a.pk})
    assert response.status_code == 201 and response.json()["parent_id"] == h.lead.pk


@covers("POST", "/tasks/{task_id}/notes")
def check_add_note(w, as_):
    h = handled(w)
    before = steps_and_tasks()
    for person in h.strangers(w):
        response = send(as_(person), f"/tasks/{h.lead.pk}/notes", {"text": "Ghi chú cài cắm"}, [SimpleUploadedFile("a.png", make_png())])
        assert response.status_code == 404 and no_leak(response), person
    assert send(as_(w.operator), f"/tasks/{h.lead.pk}/notes", {"text": "Ghi chú cài cắm"}).status_code == 403
    assert steps_and_tasks() == before and not h.document.attachments.exists()
    response = send(as_(h.head), f"/tasks/{h.lead.pk}/notes", {"text": "Đang xử lý"}, [SimpleUploadedFile("so-lieu.png", make_png())])
    assert response.status_code == 201 and len(response.json()["attachment_ids"]) == 1


@covers("POST", "/tasks/{task_id}/return")
def check_return(w, as_):
    h = handled(w)
    before = steps_and_tasks()
    for person in h.strangers(w):
        assert as_(person).post(f"/tasks/{h.lead.pk}/return", {"reason": "Trả lại"}).status_code == 404, person
    assert as_(w.person_a).post(f"/tasks/{h.lead.pk}/return", {"reason": "Trả lại"}).status_code == 403  # a coordinator
    assert steps_and_tasks() == before
    assert as_(h.head).post(f"/tasks/{h.lead.pk}/return", {"reason": "Trả lại"}).json()["status"] == "returned"


@covers("POST", "/tasks/{task_id}/extension-requests")
def check_request_extension(w, as_):
    h = handled(w)
    day = (timezone.localdate() + timezone.timedelta(days=12)).isoformat()
    for person in h.strangers(w):
        assert as_(person).post(f"/tasks/{h.coordinate.pk}/extension-requests", {"deadline": day, "reason": "x"}).status_code == 404
    assert as_(h.head).post(f"/tasks/{h.coordinate.pk}/extension-requests", {"deadline": day, "reason": "x"}).status_code == 403
    assert h.coordinate.extension_requests.count() == 0
    response = as_(w.person_a).post(f"/tasks/{h.coordinate.pk}/extension-requests", {"deadline": day, "reason": "Chờ số liệu"})
    assert response.status_code == 201 and response.json()["status"] == "pending"


@covers("GET", "/extension-requests")
def check_list_extension_requests(w, as_):
    h = handled(w)
    for person in h.strangers(w) + [w.admin_a, h.head]:
        response = as_(person).get("/extension-requests")
        assert response.status_code == 200 and response.json() == [], person
    assert [a["id"] for a in as_(h.leader).get("/extension-requests").json()] == [h.ask.pk]


@covers("POST", "/extension-requests/{request_id}/decision")
def check_decide_extension(w, as_):
    h = handled(w)
    for person in h.strangers(w):
        response = as_(person).post(f"/extension-requests/{h.ask.pk}/decision", {"grant": True})
        assert response.status_code == 404 and no_leak(response), person
    assert as_(w.admin_a).post(f"/extension-requests/{h.ask.pk}/decision", {"grant": True}).status_code == 403
    unchanged(h.ask, status="pending", granted_deadline=None)
    assert as_(h.leader).post(f"/extension-requests/{h.ask.pk}/decision", {"grant": True}).json()["status"] == "granted"


@covers("POST", "/tasks/{task_id}/complete")
def check_complete(w, as_):
    h = handled(w)
    for person in h.strangers(w):
        assert as_(person).post(f"/tasks/{h.lead.pk}/complete", {"result": "Xong"}).status_code == 404, person
    assert as_(w.person_a).post(f"/tasks/{h.coordinate.pk}/complete", {"result": "Xong"}).status_code == 403  # not the lead
    assert as_(w.person_a).post(f"/tasks/{h.lead.pk}/complete", {"result": "Xong"}).status_code == 403
    unchanged(h.assignment, status="open", result="")
    assert as_(h.head).post(f"/tasks/{h.lead.pk}/complete", {"result": "Xong"}).json()["status"] == "completed"


@covers("POST", "/tasks/{task_id}/read")
def check_mark_read(w, as_):
    h = handled(w)
    for person in h.strangers(w):
        assert as_(person).post(f"/tasks/{h.inform.pk}/read").status_code == 404, person
    assert as_(h.head).post(f"/tasks/{h.inform.pk}/read").status_code == 403  # the Office is not the room informed
    unchanged(h.inform, status="open")
    assert as_(w.person_a).post(f"/tasks/{h.inform.pk}/read").json()["status"] == "done"


@covers("GET", "/work")
def check_my_work(w, as_):
    h = handled(w)
    for person in h.strangers(w):
        for name in ("todo", "overdue", "done", "information"):
            response = as_(person).get("/work", {"list": name})
            assert ids(response) == set() and no_leak(response), (person, name)
    assert ids(as_(h.head).get("/work", {"list": "todo"})) == {h.lead.pk}
    assert ids(as_(w.person_a).get("/work", {"list": "todo"})) == {h.coordinate.pk}
    assert ids(as_(w.person_a).get("/work", {"list": "information"})) == {h.inform.pk}


@covers("GET", "/work/counts")
def check_my_work_counts(w, as_):
    h = handled(w)
    for person in h.strangers(w):
        assert as_(person).get("/work/counts").json() == {"todo": 0, "overdue": 0, "information": 0, "approval": 0}, person
    assert as_(w.person_a).get("/work/counts").json() == {"todo": 1, "overdue": 0, "information": 1, "approval": 0}


# ---- a leader's view of their units: leaders only, their own agency's units only ----------------------------------------


@covers("GET", "/statistics")
def check_statistics(w, as_):
    h = handled(w)
    body = as_(h.leader_b).get("/statistics").json()
    assert body["total"]["received"] == 0 and [u["name"] for u in body["units"]] == ["Văn phòng UBND"] and body["people"] == []
    response = as_(h.leader_b).get("/statistics", {"unit_id": w.unit_a.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "unit_id"
    for person in (w.admin_b, w.person_b, w.person_a, h.head, w.admin_a):
        assert as_(person).get("/statistics").status_code == 403, person  # not leaders
    body = as_(h.leader).get("/statistics").json()
    assert body["total"]["received"] == 2 and {p["person_id"] for p in body["people"]} == {w.person_a.pk, None}


@covers("GET", "/statistics/report")
def check_statistics_report(w, as_):
    import openpyxl

    h = handled(w)
    response = as_(h.leader_b).get("/statistics/report", {"format": "xlsx"})
    assert response.status_code == 200
    cells = " ".join(str(v) for sheet in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets
                     for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    assert "Văn phòng Tỉnh ủy" not in cells and "Đỗ Thị Chuyên" not in cells and "Văn phòng UBND" in cells
    assert as_(h.leader_b).get("/statistics/report", {"unit_id": w.unit_a.pk}).status_code == 422
    for person in (w.admin_b, w.person_b, w.person_a):
        assert as_(person).get("/statistics/report").status_code == 403, person
    assert as_(h.leader).get("/statistics/report", {"format": "docx"}).status_code == 200


@covers("GET", "/unit-work")
def check_unit_work(w, as_):
    h = handled(w)
    for name in ("todo", "overdue", "done"):
        response = as_(h.leader_b).get("/unit-work", {"list": name})
        assert ids(response) == set() and no_leak(response), name
    for query, field in (({"person_id": w.person_a.pk}, "person_id"), ({"unit_id": w.unit_a.pk}, "unit_id")):
        response = as_(h.leader_b).get("/unit-work", query)
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == field and no_leak(response)
    for person in (w.admin_b, w.person_b, w.person_a):
        assert as_(person).get("/unit-work").status_code == 403, person
    assert ids(as_(h.leader).get("/unit-work", {"list": "todo"})) == {h.lead.pk, h.coordinate.pk}
    assert ids(as_(h.leader).get("/unit-work", {"person_id": w.person_a.pk})) == {h.coordinate.pk}


# ---- signing documents: the draft's named official signs, the agency's clerk seals; reports for the document's readers ----


@dataclass
class Signable:
    """Agency A's draft with a PDF, to be signed by its named official (who holds a certificate the system keeps), and
    the CA's seal certificate of agency A. Agency B's clerk and leader, and A's people who may not act, change nothing."""

    official: object
    draft: object
    attachment: object
    clerk_b: object

    def strangers(self, w):
        return [self.clerk_b, w.admin_b, w.person_b]


def signable(w) -> Signable:
    from tests.signing.conftest import make_pdf
    from vanphong.pki import services as pki

    ca_op = make_person(w.agency_a, "chungthu.ky", "Vận Hành Ký Số", roles=["ca_operator"])
    pki.init_ca(ca_op, name="VănPhòng Ký số", algorithm="p256")
    official = make_person(w.agency_a, "lanhdao.ky", "Phạm Minh Ký", roles=["leader"], position="Chánh Văn phòng")
    pki.issue_with_held_key(ca_op, profile="official", holder_person=official)
    pki.issue_with_held_key(ca_op, profile="agency-seal", holder_agency=w.agency_a)
    draft = services.create_outgoing_draft(w.clerk_a, doc_type="QĐ", subject="Quyết định cần ký số", signer_name=official.full_name,
                                           files=[store(SimpleUploadedFile("Quyết định.pdf", make_pdf()))])
    clerk_b = make_person(w.agency_b, "vanthu.ky.b", "Phan Thị Ký", roles=["clerk"], clearance=3)
    return Signable(official, draft, draft.attachments.get(), clerk_b)


def _no_signatures(draft):
    from vanphong.signing.models import DocumentSignature, PaperOriginal

    assert not DocumentSignature.objects.filter(document=draft).exists() and not PaperOriginal.objects.filter(document=draft).exists()
    assert draft.attachments.count() == 1


@covers("POST", "/documents/{document_id}/sign")
def check_sign_document(w, as_):
    s = signable(w)
    for person in s.strangers(w):
        assert as_(person).post(f"/documents/{s.draft.pk}/sign").status_code == 404, person
    for person in (w.clerk_a, w.person_a, w.admin_a):  # of the agency, but not the named signer
        assert as_(person).post(f"/documents/{s.draft.pk}/sign").status_code == 403, person
    response = as_(s.official).post(f"/documents/{s.draft.pk}/sign", {"level": "B-B"})
    assert response.status_code == 422
    _no_signatures(s.draft)
    response = as_(s.official).post(f"/documents/{s.draft.pk}/sign", {"level": "B-LT"})
    assert response.status_code == 201 and response.json()["kind"] == "official" and response.json()["level"] == "B-LT"


@covers("POST", "/documents/{document_id}/seal")
def check_seal_document(w, as_):
    from vanphong.signing import document_services

    s = signable(w)
    document_services.sign_document(s.official, s.draft)
    services.issue_outgoing(w.clerk_a, s.draft)
    for person in s.strangers(w):
        assert as_(person).post(f"/documents/{s.draft.pk}/seal").status_code == 404, person
    for person in (s.official, w.person_a):  # not clerks
        assert as_(person).post(f"/documents/{s.draft.pk}/seal").status_code == 403, person
    assert s.draft.attachments.count() == 2
    response = as_(w.clerk_a).post(f"/documents/{s.draft.pk}/seal")
    assert response.status_code == 201 and response.json()["kind"] == "seal"
    assert as_(w.clerk_a).post(f"/documents/{s.draft.pk}/seal").status_code == 422  # once


@covers("POST", "/documents/{document_id}/signed-on-paper")
def check_mark_signed_on_paper(w, as_):
    s = signable(w)
    for person in s.strangers(w):
        assert as_(person).post(f"/documents/{s.draft.pk}/signed-on-paper").status_code == 404, person
    assert as_(w.person_a).post(f"/documents/{s.draft.pk}/signed-on-paper").status_code == 403
    _no_signatures(s.draft)
    assert as_(w.clerk_a).post(f"/documents/{s.draft.pk}/signed-on-paper").status_code == 204


@covers("GET", "/documents/{document_id}/signatures")
def check_list_signatures(w, as_):
    from vanphong.signing import document_services

    s = signable(w)
    signed = document_services.sign_document(s.official, s.draft)
    for person in s.strangers(w):
        response = as_(person).get(f"/documents/{s.draft.pk}/signatures")
        assert response.status_code == 404 and signed.sha256_after not in response.content.decode(), person
    assert [x["id"] for x in as_(w.person_a).get(f"/documents/{s.draft.pk}/signatures").json()] == [signed.pk]


@covers("GET", "/documents/{document_id}/verification")
def check_verification_report(w, as_):
    from vanphong.signing import document_services

    s = signable(w)
    signed = document_services.sign_document(s.official, s.draft)
    document_services.run_verification(signed.result_id)
    secret = secrets(w)
    for person in s.strangers(w):
        response = as_(person).get(f"/documents/{s.draft.pk}/verification")
        assert response.status_code == 404 and "Phạm Minh Ký" not in response.content.decode(), person
    for person in secret.strangers(w):
        assert as_(person).get(f"/documents/{secret.document.pk}/verification").status_code == 404, person
    files = as_(w.person_a).get(f"/documents/{s.draft.pk}/verification").json()["files"]
    assert [(f["attachment_id"], f["status"]) for f in files] == [(s.attachment.pk, "not_verified"), (signed.result_id, "done")]
    assert files[1]["valid"] and files[1]["report"]["signatures"][0]["signer_name"] == "Phạm Minh Ký"


@covers("POST", "/attachments/{attachment_id}/verify")
def check_verify_again(w, as_):
    from vanphong.signing.models import AttachmentVerification

    s = signable(w)
    secret = secrets(w)
    for person in s.strangers(w):
        assert as_(person).post(f"/attachments/{s.attachment.pk}/verify").status_code == 404, person
    for person in secret.strangers(w):
        assert as_(person).post(f"/attachments/{secret.attachment.pk}/verify").status_code == 404, person
    assert not AttachmentVerification.objects.exists()
    assert as_(w.person_a).post(f"/attachments/{s.attachment.pk}/verify").status_code == 202
    assert AttachmentVerification.objects.get().status == "pending"
    assert as_(secret.insider).post(f"/attachments/{secret.attachment.pk}/verify").status_code == 422  # a PNG has no signature


# ---- notifications: each person's own; another's is not found, whatever their agency or role ----------------------


def notified(w):
    """Agency A's leader gives person_a a document, so that person_a has a notification."""
    from vanphong.notifications.models import Notification
    from vanphong.workflow import handling

    leader = make_person(w.agency_a, "lanhdao.tb.a", "Vũ Văn Thông Báo", roles=["leader"], clearance=1)
    document = services.register_incoming(w.clerk_a, doc_type="CV", subject="Công văn thông báo riêng của A", issuing_agency_name="X")
    handling.assign(leader, document, lead=w.person_a, deadline=timezone.localdate() + timezone.timedelta(days=5))
    return Notification.objects.get(recipient=w.person_a)


@covers("GET", "/notifications")
def check_list_notifications(w, as_):
    mine = notified(w)
    # Another agency, the agency's own administrator, the instance operator: none sees person_a's notifications.
    for person in (w.admin_b, w.person_b, w.admin_a, w.operator):
        response = as_(person).get("/notifications")
        assert ids(response) == set() and "riêng của A" not in response.content.decode(), person
        assert response.json()["unread"] == 0
    assert ids(as_(w.person_a).get("/notifications")) == {mine.pk}


@covers("POST", "/notifications/{notification_id}/read")
def check_mark_notification_read(w, as_):
    mine = notified(w)
    for person in (w.admin_b, w.person_b, w.admin_a, w.operator):
        response = as_(person).post(f"/notifications/{mine.pk}/read")
        assert response.status_code == 404 and "riêng của A" not in response.content.decode(), person
    unchanged(mine, read_at=None)
    assert as_(w.person_a).post(f"/notifications/{mine.pk}/read").json()["read_at"] is not None


@covers("POST", "/notifications/read-all")
def check_mark_all_notifications_read(w, as_):
    mine = notified(w)
    for person in (w.admin_b, w.person_b, w.admin_a, w.operator):
        assert as_(person).post("/notifications/read-all").json() == {"marked": 0}, person
    unchanged(mine, read_at=None)
    assert as_(w.person_a).post("/notifications/read-all").json() == {"marked": 1}


# ---- approval of outgoing drafts: another agency's drafts are not found; in the agency, only the step's holder acts ----


@dataclass
class Approving:
    """Agency A's draft by person_a, submitted along the default chain: the head of person_a's room, then the leader.
    Agency B's leader and people must reach none of it."""

    leader: object
    head: object
    draft: object
    leader_b: object

    def strangers(self, w):
        return [self.leader_b, w.admin_b, w.person_b]


def approving(w, *, submit=True) -> Approving:
    from vanphong.workflow import approval
    from vanphong.workflow.approval import StepSpec

    leader = make_person(w.agency_a, "lanhdao.duyet.a", "Vũ Văn Ký", roles=["leader"], clearance=1)
    head = make_person(w.agency_a, "truong.duyet.a", "Hồ Thị Duyệt", roles=["specialist"], unit=w.subunit_a, clearance=1)
    approval.set_unit_head(w.admin_a, w.subunit_a, head)
    approval.save_chain(w.admin_a, w.agency_a, doc_type="", steps=[StepSpec("unit_head"), StepSpec("signing_leader", person=leader)])
    draft = services.create_outgoing_draft(w.person_a, doc_type="CV", subject="Dự thảo công văn riêng của A")
    if submit:
        approval.submit(w.person_a, draft)
    leader_b = make_person(w.agency_b, "lanhdao.duyet.b", "Lãnh Đạo B", roles=["leader", "admin"], clearance=3)
    return Approving(leader, head, draft, leader_b)


def approval_rows():
    from vanphong.workflow.models import Approval, ApprovalEvent, ApprovalStep, DraftVersion

    return (list(Approval.objects.order_by("pk").values_list("status", "current_position")),
            list(ApprovalStep.objects.order_by("pk").values_list("status", "approved_version")), ApprovalEvent.objects.count(),
            DraftVersion.objects.count())


@covers("GET", "/drafts/{document_id}/approval")
def check_get_approval(w, as_):
    a, s = approving(w), secrets(w)
    for person in a.strangers(w):
        response = as_(person).get(f"/drafts/{a.draft.pk}/approval")
        assert response.status_code == 404 and no_leak(response), person
    for person in s.strangers(w):
        assert as_(person).get(f"/drafts/{s.draft.pk}/approval").status_code == 404, person
    body = as_(a.head).get(f"/drafts/{a.draft.pk}/approval").json()
    assert (body["status"], [step["person_id"] for step in body["steps"]]) == ("in_progress", [a.head.pk, a.leader.pk])


@covers("POST", "/drafts/{document_id}/approval")
def check_submit_for_approval(w, as_):
    a = approving(w, submit=False)
    before = approval_rows()
    for person in a.strangers(w):
        assert as_(person).post(f"/drafts/{a.draft.pk}/approval", {}).status_code == 404, person
    assert as_(a.head).post(f"/drafts/{a.draft.pk}/approval", {}).status_code == 403  # not the drafter
    response = as_(w.person_a).post(f"/drafts/{a.draft.pk}/approval", {"signer_id": a.leader_b.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "signer_id"
    assert approval_rows() == before
    assert as_(w.person_a).post(f"/drafts/{a.draft.pk}/approval", {"comment": "Kính trình"}).json()["status"] == "in_progress"


@covers("POST", "/drafts/{document_id}/approval/approve")
def check_approve(w, as_):
    a = approving(w)
    before = approval_rows()
    for person in a.strangers(w):
        assert as_(person).post(f"/drafts/{a.draft.pk}/approval/approve", {"version": 1}).status_code == 404, person
    assert as_(a.leader).post(f"/drafts/{a.draft.pk}/approval/approve", {"version": 1}).status_code == 403  # not yet the leader's step
    response = as_(a.head).post(f"/drafts/{a.draft.pk}/approval/approve", {"version": 2})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "version"
    assert approval_rows() == before
    assert as_(a.head).post(f"/drafts/{a.draft.pk}/approval/approve", {"version": 1}).json()["current_position"] == 2


@covers("POST", "/drafts/{document_id}/approval/return")
def check_return_draft(w, as_):
    a = approving(w)
    before = approval_rows()
    for person in a.strangers(w):
        assert as_(person).post(f"/drafts/{a.draft.pk}/approval/return", {"comment": "Trả lại"}).status_code == 404, person
    assert as_(w.person_a).post(f"/drafts/{a.draft.pk}/approval/return", {"comment": "Trả lại"}).status_code == 403
    assert approval_rows() == before
    assert as_(a.head).post(f"/drafts/{a.draft.pk}/approval/return", {"comment": "Bổ sung số liệu"}).json()["status"] == "returned"


@covers("POST", "/drafts/{document_id}/versions")
def check_edit_draft(w, as_):
    a = approving(w)
    before = approval_rows()

    def edit(person, payload, files=()):
        api = as_(person)
        return api.client.post(f"{PREFIX}/drafts/{a.draft.pk}/versions", {"payload": json.dumps(payload), **({"file": files[0]} if files else {})},
                               headers=api._headers())

    for person in a.strangers(w):
        assert edit(person, {"subject": "Chiếm quyền"}, [SimpleUploadedFile("a.png", make_png())]).status_code == 404, person
    assert edit(w.person_a, {"subject": "Chiếm quyền"}).status_code == 403  # the draft is with the head now
    assert approval_rows() == before and not a.draft.attachments.exists()
    response = edit(a.head, {"subject": "Công văn đã sửa riêng của A"}, [SimpleUploadedFile("du-thao.png", make_png())])
    assert response.status_code == 201 and response.json()["number"] == 2 and response.json()["files"][0]["filename"] == "du-thao.png"


@covers("GET", "/drafts/{document_id}/versions")
def check_list_versions(w, as_):
    a = approving(w)
    for person in a.strangers(w):
        response = as_(person).get(f"/drafts/{a.draft.pk}/versions")
        assert response.status_code == 404 and no_leak(response), person
    assert [v["number"] for v in as_(a.head).get(f"/drafts/{a.draft.pk}/versions").json()] == [1]


@covers("GET", "/drafts/{document_id}/versions/compare")
def check_compare_versions(w, as_):
    a = approving(w)
    for person in a.strangers(w):
        assert as_(person).get(f"/drafts/{a.draft.pk}/versions/compare", {"old": 1, "new": 1}).status_code == 404, person
    assert as_(a.head).get(f"/drafts/{a.draft.pk}/versions/compare", {"old": 1, "new": 2}).status_code == 404
    assert as_(a.head).get(f"/drafts/{a.draft.pk}/versions/compare", {"old": 1, "new": 1}).json()["fields"] == []


@covers("GET", "/approvals/awaiting")
def check_awaiting_my_approval(w, as_):
    a = approving(w)
    for person in [*a.strangers(w), w.person_a, a.leader]:
        response = as_(person).get("/approvals/awaiting")
        assert ids(response) == set() and no_leak(response), person
    body = as_(a.head).get("/approvals/awaiting").json()
    assert [item["document_id"] for item in body["items"]] == [a.draft.pk]


# ---- certificates: CA operators only, whatever their agency; the holder reads theirs on the web ----------


def certified(w):
    """A CA run by an operator of agency A, and an official's certificate for a person of agency A."""
    from tests.pki.conftest import make_csr
    from vanphong.pki import services as pki

    ca_op = make_person(w.agency_a, "chungthu.api", "Vận Hành CA", roles=["ca_operator"])
    pki.init_ca(ca_op, name="VănPhòng API", algorithm="p256")
    cert = pki.issue_from_csr(ca_op, profile="official", csr_data=make_csr(), holder_person=w.person_a)
    return ca_op, cert, make_csr


def _not_operators(w):
    # The holder, administrators of both agencies, a clerk and the instance operator: none runs the CA.
    return (w.person_a, w.admin_a, w.admin_b, w.clerk_a, w.operator)


@covers("GET", "/certificates")
def check_list_certificates(w, as_):
    ca_op, cert, _ = certified(w)
    for person in _not_operators(w):
        response = as_(person).get("/certificates")
        assert response.status_code == 403 and cert.serial not in response.content.decode(), person
    body = as_(ca_op).get("/certificates", {"profile": "official"}).json()
    assert [c["serial"] for c in body["items"]] == [cert.serial] and body["items"][0]["holder_person_id"] == w.person_a.pk


@covers("GET", "/certificates/{serial}")
def check_get_certificate(w, as_):
    ca_op, cert, _ = certified(w)
    for person in _not_operators(w):
        response = as_(person).get(f"/certificates/{cert.serial}")
        assert response.status_code == 403 and "BEGIN CERTIFICATE" not in response.content.decode(), person
    assert as_(ca_op).get(f"/certificates/{cert.serial}").json()["certificate_pem"] == cert.certificate_pem
    assert as_(ca_op).get("/certificates/abcdef").status_code == 404


@covers("POST", "/certificates")
def check_issue_certificate(w, as_):
    from vanphong.pki.models import Certificate

    ca_op, cert, make_csr = certified(w)
    body = {"profile": "official", "csr_pem": make_csr().decode(), "holder_person_id": w.person_b.pk}
    for person in _not_operators(w):
        assert as_(person).post("/certificates", body).status_code == 403, person
    assert not Certificate.objects.filter(holder_person=w.person_b).exists()
    # A person of an agency another instance hosts is not the operator's to certify.
    elsewhere = Agency.objects.create(code="000.00.00.H26", name="UBND tỉnh Hà Tĩnh", short_name="UBND Hà Tĩnh", hosted=False)
    stranger = make_person(elsewhere, "ngoai.mang", "Người Ngoài Mạng")
    response = as_(ca_op).post("/certificates", {**body, "holder_person_id": stranger.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "holder_person_id"
    response = as_(ca_op).post("/certificates", body)
    assert response.status_code == 201 and response.json()["holder_person_id"] == w.person_b.pk


@covers("POST", "/certificates/batch")
def check_issue_certificates(w, as_):
    from vanphong.pki.models import Certificate

    ca_op, cert, make_csr = certified(w)
    body = {"profile": "official", "requests": [{"csr_pem": make_csr().decode(), "holder_person_id": w.person_b.pk},
                                                {"csr_pem": make_csr().decode(), "holder_person_id": w.clerk_a.pk}]}
    for person in _not_operators(w):
        assert as_(person).post("/certificates/batch", body).status_code == 403, person
    assert not Certificate.objects.filter(holder_person__in=[w.person_b, w.clerk_a]).exists()
    elsewhere = Agency.objects.create(code="000.00.00.H26", name="UBND tỉnh Hà Tĩnh", short_name="UBND Hà Tĩnh", hosted=False)
    stranger = make_person(elsewhere, "ngoai.mang", "Người Ngoài Mạng")
    response = as_(ca_op).post("/certificates/batch", {**body, "requests": [*body["requests"], {
        "csr_pem": make_csr().decode(), "holder_person_id": stranger.pk}]})
    assert response.status_code == 422 and "requests[2].holder_person_id" in response.json()["detail"][0]["message"]
    assert not Certificate.objects.filter(holder_person__in=[w.person_b, w.clerk_a, stranger]).exists()
    response = as_(ca_op).post("/certificates/batch", body)
    assert response.status_code == 201
    assert [c["holder_person_id"] for c in response.json()["items"]] == [w.person_b.pk, w.clerk_a.pk]


@covers("POST", "/certificates/{serial}/revocation")
def check_revoke_certificate(w, as_):
    ca_op, cert, _ = certified(w)
    for person in _not_operators(w):
        assert as_(person).post(f"/certificates/{cert.serial}/revocation", {"reason": "keyCompromise"}).status_code == 403, person
    unchanged(cert, status="valid", revocation_reason="")
    response = as_(ca_op).post(f"/certificates/{cert.serial}/revocation", {"reason": "keyCompromise"})
    assert response.status_code == 200 and response.json()["status"] == "revoked"


# ---- the exchange: received packages are the receiving agency's clerks'; timelines follow the document ----


def exchanged(w):
    """A package agency B sent to agency A, waiting for A's clerk, and B's clerk (who must not reach it)."""
    from tests.exchange.helpers import received_package

    clerk_b = make_person(w.agency_b, "vanthu.b", "Văn Thư Bên B", roles=["clerk"])
    return received_package(w.agency_a, w.agency_b, subject="Kế hoạch riêng gửi Tỉnh ủy"), clerk_b


@covers("GET", "/exchange/received")
def check_list_received(w, as_):
    package, clerk_b = exchanged(w)
    assert ids(as_(w.clerk_a).get("/exchange/received")) == {package.pk}
    assert ids(as_(clerk_b).get("/exchange/received")) == set()
    for person in (w.admin_b, w.person_a, w.admin_a):
        assert as_(person).get("/exchange/received").status_code == 403, person


@covers("GET", "/exchange/received/{package_id}")
def check_get_received(w, as_):
    package, clerk_b = exchanged(w)
    response = as_(clerk_b).get(f"/exchange/received/{package.pk}")
    assert response.status_code == 404 and "Kế hoạch riêng" not in response.content.decode()
    assert as_(w.person_a).get(f"/exchange/received/{package.pk}").status_code == 403
    assert as_(w.clerk_a).get(f"/exchange/received/{package.pk}").json()["subject"] == "Kế hoạch riêng gửi Tỉnh ủy"


@covers("POST", "/exchange/received/{package_id}/register")
def check_register_received(w, as_):
    package, clerk_b = exchanged(w)
    assert as_(clerk_b).post(f"/exchange/received/{package.pk}/register", {"doc_type": "KH"}).status_code == 404
    assert as_(w.person_a).post(f"/exchange/received/{package.pk}/register", {"doc_type": "KH"}).status_code == 403
    unchanged(package, state="received", document_id=None)
    response = as_(w.clerk_a).post(f"/exchange/received/{package.pk}/register", {"doc_type": "KH", "receiving_unit_id": w.unit_b.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "receiving_unit_id"
    response = as_(w.clerk_a).post(f"/exchange/received/{package.pk}/register", {"doc_type": "KH"})
    assert response.status_code == 201 and Document.objects.get(pk=response.json()["document_id"]).agency == w.agency_a


@covers("POST", "/exchange/received/{package_id}/reject")
def check_reject_received(w, as_):
    package, clerk_b = exchanged(w)
    assert as_(clerk_b).post(f"/exchange/received/{package.pk}/reject", {"reason": "không"}).status_code == 404
    assert as_(w.person_a).post(f"/exchange/received/{package.pk}/reject", {"reason": "không"}).status_code == 403
    unchanged(package, state="received", reason="")
    response = as_(w.clerk_a).post(f"/exchange/received/{package.pk}/reject", {"reason": "Gửi nhầm"})
    assert response.status_code == 200 and response.json()["state"] == "rejected"


@covers("POST", "/exchange/sent/{package_id}/resend")
def check_resend_package(w, as_):
    from vanphong.exchange.models import OutboundMessage

    s = secrets(w)
    package = OutboundMessage.objects.create(kind="edoc", sender=w.agency_a, recipient=w.agency_b, document=s.draft, state="failed",
                                             occurred_at=timezone.now(), next_attempt_at=timezone.now(), last_error="Từ chối")
    for person in s.strangers(w):  # another agency, or not cleared for the document
        assert as_(person).post(f"/exchange/sent/{package.pk}/resend").status_code == 404, person
    unchanged(package, state="failed")
    response = as_(s.insider).post(f"/exchange/sent/{package.pk}/resend")
    assert response.status_code == 200 and response.json()["state"] == "pending"


@covers("GET", "/documents/{document_id}/exchange")
def check_document_timeline(w, as_):
    from vanphong.exchange.models import OutboundMessage

    s = secrets(w)
    OutboundMessage.objects.create(kind="edoc", sender=w.agency_a, recipient=w.agency_b, document=s.draft, occurred_at=timezone.now(),
                                   next_attempt_at=timezone.now())
    for person in s.strangers(w):
        assert as_(person).get(f"/documents/{s.draft.pk}/exchange").status_code == 404, person
    timeline = as_(s.insider).get(f"/documents/{s.draft.pk}/exchange").json()
    assert [t["recipient_code"] for t in timeline] == [w.agency_b.code]


@covers("POST", "/documents/{document_id}/exchange/recall")
def check_recall_document(w, as_):
    from vanphong.exchange.models import OutboundMessage

    s = secrets(w)
    Document.objects.filter(pk=s.draft.pk).update(status="issued")
    OutboundMessage.objects.create(kind="edoc", sender=w.agency_a, recipient=w.agency_b, document=s.draft, state="sent",
                                   occurred_at=timezone.now(), next_attempt_at=timezone.now())
    for person in s.strangers(w):  # another agency, or not cleared for the document
        assert as_(person).post(f"/documents/{s.draft.pk}/exchange/recall", {"reason": "Nhầm"}).status_code == 404, person
    assert not OutboundMessage.objects.filter(business_doc_type=1).exists()
    response = as_(s.insider).post(f"/documents/{s.draft.pk}/exchange/recall", {"reason": "Nhầm"})
    assert response.status_code == 201 and [t["business_doc_type"] for t in response.json()] == [1]


@covers("POST", "/documents/{document_id}/exchange/update")
def check_update_document(w, as_):
    from vanphong.exchange.models import OutboundMessage

    s = secrets(w)
    Document.objects.filter(pk=s.draft.pk).update(status="issued")
    OutboundMessage.objects.create(kind="edoc", sender=w.agency_a, recipient=w.agency_b, document=s.draft, state="sent",
                                   occurred_at=timezone.now(), next_attempt_at=timezone.now())
    for person in s.strangers(w):  # another agency, or not cleared for the document
        assert as_(person).post(f"/documents/{s.draft.pk}/exchange/update", {"reason": "Sai", "page_count": 3}).status_code == 404
    unchanged(s.draft, page_count=None)
    assert not OutboundMessage.objects.filter(business_doc_type=2).exists()
    response = as_(s.insider).post(f"/documents/{s.draft.pk}/exchange/update", {"reason": "Sai", "page_count": 3})
    assert response.status_code == 201 and [t["business_doc_type"] for t in response.json()] == [2]
    unchanged(s.draft, page_count=3)


@covers("POST", "/documents/{document_id}/exchange/replace")
def check_replace_document(w, as_):
    from vanphong.exchange.models import OutboundMessage, Replacement

    s = secrets(w)
    Document.objects.filter(pk=s.draft.pk).update(status="issued")
    OutboundMessage.objects.create(kind="edoc", sender=w.agency_a, recipient=w.agency_b, document=s.draft, state="sent",
                                   occurred_at=timezone.now(), next_attempt_at=timezone.now())
    for person in s.strangers(w):  # another agency, or not cleared for the document
        assert as_(person).post(f"/documents/{s.draft.pk}/exchange/replace", {"reason": "Thay thế"}).status_code == 404, person
    assert not Replacement.objects.exists()
    response = as_(s.insider).post(f"/documents/{s.draft.pk}/exchange/replace", {"reason": "Thay thế"})
    assert response.status_code == 201
    draft = Document.objects.get(pk=response.json()["document_id"])
    assert (draft.agency, draft.status, draft.confidentiality) == (w.agency_a, "draft", 1)


def recall_waiting(w):
    from tests.exchange.helpers import recall_request

    package, clerk_b = exchanged(w)
    return recall_request(package), clerk_b


@covers("POST", "/exchange/received/{package_id}/accept-request")
def check_accept_request(w, as_):
    request, clerk_b = recall_waiting(w)
    assert as_(clerk_b).post(f"/exchange/received/{request.pk}/accept-request").status_code == 404
    assert as_(w.person_a).post(f"/exchange/received/{request.pk}/accept-request").status_code == 403
    unchanged(request, state="received")
    unchanged(request.original, state="received")
    response = as_(w.clerk_a).post(f"/exchange/received/{request.pk}/accept-request")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    unchanged(request.original, state="recalled")


@covers("POST", "/exchange/received/{package_id}/refuse-request")
def check_refuse_request(w, as_):
    request, clerk_b = recall_waiting(w)
    assert as_(clerk_b).post(f"/exchange/received/{request.pk}/refuse-request", {"reason": "không"}).status_code == 404
    assert as_(w.person_a).post(f"/exchange/received/{request.pk}/refuse-request", {"reason": "không"}).status_code == 403
    unchanged(request, state="received", reason="")
    response = as_(w.clerk_a).post(f"/exchange/received/{request.pk}/refuse-request", {"reason": "Đã triển khai"})
    assert response.status_code == 200 and response.json()["state"] == "rejected"


import tests.consultation.api_checks  # noqa: E402,F401  (registers the checks of the consultation endpoints)
import tests.consultation.consolidation_api_checks  # noqa: E402,F401  (the consolidation's runs and groups)
import tests.consultation.exchange_api_checks  # noqa: E402,F401  (invitations and answers by exchange)
import tests.consultation.synthesis_api_checks  # noqa: E402,F401  (the consultation's results and report)
import tests.hub.api_checks  # noqa: E402,F401  (registers the check of the hub's endpoint)

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


class _Ids(dict):
    """Path parameters: the ones given, and 1 for any other (an id that need not exist: the answer is 401 first)."""

    def __missing__(self, name):
        return 1


def test_unauthenticated_callers_get_nothing(world):
    anonymous = Api(Client())
    for method, path in sorted(registered_operations()):
        concrete = path.format_map(_Ids(agency_id=world.agency_a.pk, unit_id=world.unit_a.pk, person_id=world.person_a.pk))
        response = getattr(anonymous, method.lower())(concrete) if method == "GET" else getattr(anonymous, method.lower())(concrete, {})
        assert response.status_code == 401, (method, path)
