"""The documents REST API: registers, registering incoming documents (numbers, duplicates, files),
drafting and issuing outgoing ones, search, and downloads. Who may see what is checked in
test_api_isolation.py; here, what each endpoint does for those who may."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import PREFIX, Api, token_of
from tests.documents.test_attachments import PDF_LINES, make_pdf, make_png
from tests.factories import make_person, make_unit
from vanphong.core import storage
from vanphong.core.models import AuditRecord
from vanphong.documents.models import Attachment, Document, Register

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


class DocumentsApi(Api):
    """Api with multipart requests: the fields as JSON in `payload`, files in `files`."""

    def send(self, path, payload, files=()):
        uploads = [_upload(name, data) for name, data in files]
        return self.client.post(PREFIX + path, {"payload": json.dumps(payload, default=str), "files": uploads}, headers=self._headers())


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")  # what a client claims is not looked at


def as_(person, language="en") -> DocumentsApi:
    return DocumentsApi(Client(), token_of(person), language)


def fields_of(response) -> dict:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["detail"]}


def stored_files(settings) -> list[Path]:
    root = Path(settings.VANPHONG_FILES_DIR)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def clerk_b(agency_b):
    """A clerk of a State agency (UBND: 123/QĐ-UBND), cleared for Mật."""
    return make_person(agency_b, "vanthu.b", "Phan Thị Văn Thư", roles=["clerk"], clearance=1)


@pytest.fixture
def office_b(agency_b):
    return make_unit(agency_b, "Văn phòng UBND tỉnh", "VP")


@pytest.fixture
def directory(db):
    from tests.factories import make_agency

    return make_agency("000.00.00.G09", "Bộ Nội vụ", "Bộ Nội vụ", notation_code="BNV")


def incoming_body(**fields) -> dict:
    return {"doc_type": "QĐ", "subject": "Quyết định về công tác cán bộ", "issuing_agency_name": "Sở Nội vụ tỉnh Nghệ An", **fields}


def _yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


# ---- registers --------------------------------------------------------------------------------------


def test_registers_are_opened_and_listed_by_kind_and_year(clerk_b, world):
    api = as_(clerk_b)
    year = timezone.localdate().year
    response = api.post("/registers", {"direction": "in", "year": year, "name": "Sổ đơn thư", "code": "dt"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["code"] == "DT" and created["next_number"] == 1 and created["confidential"] is False
    assert Register.objects.get(pk=created["id"]).agency == world.agency_b
    api.post("/registers", {"direction": "out", "year": year - 1, "name": "Sổ đi cũ", "code": "DI"})
    assert fields_of(api.post("/registers", {"direction": "in", "year": year, "name": "Trùng", "code": "DT"})) == {
        "code": "This agency already has a register with this code for that year."}
    assert set(fields_of(api.post("/registers", {"direction": "sideways", "year": 20000, "name": "", "code": "X"}))) == {
        "direction", "year", "name"}
    listed = api.get("/registers", {"direction": "in"}).json()
    assert [r["code"] for r in listed["items"]] == ["DT"] and listed["count"] == 1
    assert [r["code"] for r in api.get("/registers", {"year": year - 1}).json()["items"]] == ["DI"]
    # Specialists read the registers (the lists filter by them) but do not open them.
    assert as_(world.person_b).post("/registers", {"direction": "in", "year": year, "name": "Sổ", "code": "S"}).status_code == 403
    assert as_(world.person_b).get("/registers").json()["count"] == 2


# ---- incoming ---------------------------------------------------------------------------------------


def test_incoming_documents_get_arrival_numbers_1_then_2(clerk_b, world, directory):
    api = as_(clerk_b)
    first = api.send("/documents/incoming", incoming_body(
        issuing_agency_id=directory.pk, issuing_agency_name="", code_number="12", code_notation="QĐ-BNV", issued_date=_yesterday(),
        receiving_unit_id=world.unit_b.pk, receiving_person_id=world.person_b.pk, urgency=1, signer_name="Nguyễn Văn Ký",
        signer_competence="K/T", page_count=3))
    assert first.status_code == 201, first.content
    second = api.send("/documents/incoming", incoming_body(subject="Báo cáo tình hình kinh tế quý III", doc_type="BC"))
    assert second.status_code == 201, second.content
    one, two = first.json(), second.json()
    assert (one["number"], two["number"]) == (1, 2) and one["register_id"] == two["register_id"]
    register = Register.objects.get(pk=one["register_id"])
    assert register.agency == world.agency_b and register.direction == "in" and register.year == timezone.localdate().year
    assert one["reference"] == "12/QĐ-BNV" and one["issuer"] == "Bộ Nội vụ" and one["issuing_agency_id"] == directory.pk
    assert one["issued_date"] == _yesterday().isoformat() and one["status"] == "registered" and one["direction"] == "in"
    assert one["receiving_unit_id"] == world.unit_b.pk and one["receiving_person_id"] == world.person_b.pk
    assert one["signer_competence"] == "K/T" and one["urgency"] == 1 and one["page_count"] == 3
    assert dt.datetime.fromisoformat(one["arrival_date"]) <= timezone.now()
    # The list, latest arrival first, and the detail, for anyone of the agency.
    reader = as_(world.person_b)
    listed = reader.get("/documents/incoming").json()
    assert [d["number"] for d in listed["items"]] == [2, 1] and listed["count"] == 2
    assert reader.get("/documents/incoming", {"register": register.pk, "limit": 1}).json()["items"][0]["id"] == two["id"]
    assert reader.get("/documents/outgoing").json()["count"] == 0
    assert reader.get(f"/documents/{one['id']}").json()["subject"] == "Quyết định về công tác cán bộ"
    assert AuditRecord.objects.filter(action="documents.incoming.registered", actor=clerk_b).count() == 2


def test_arrival_time_without_offset_is_local_time(clerk_b):
    arrival = f"{_yesterday().isoformat()}T08:30:00"
    response = as_(clerk_b).send("/documents/incoming", incoming_body(arrival_date=arrival, issued_date=_yesterday()))
    assert response.status_code == 201, response.content
    stored = dt.datetime.fromisoformat(response.json()["arrival_date"])
    assert stored == dt.datetime.combine(_yesterday(), dt.time(1, 30), tzinfo=dt.UTC)  # 08:30 in Hà Nội is 01:30 UTC


def test_duplicate_is_a_409_that_stores_nothing_until_confirmed(clerk_b, directory):
    api = as_(clerk_b)
    body = incoming_body(issuing_agency_id=directory.pk, code_number="45", code_notation="QĐ-BNV", issued_date=_yesterday())
    original = api.send("/documents/incoming", body).json()
    again = api.send("/documents/incoming", {**body, "subject": "Quyết định về công tác cán bộ (bản fax)"})
    assert again.status_code == 409, again.content
    answer = again.json()
    assert "registered already" in answer["detail"] and "confirm_duplicate" in answer["detail"]
    assert answer["duplicates"] == [{"id": original["id"], "visible": True, "number": 1, "year": timezone.localdate().year,
                                     "reference": "45/QĐ-BNV", "subject": "Quyết định về công tác cán bộ"}]
    assert Document.objects.count() == 1 and Register.objects.get().next_number == 2
    confirmed = api.send("/documents/incoming", {**body, "confirm_duplicate": True})
    assert confirmed.status_code == 201 and confirmed.json()["number"] == 2
    record = AuditRecord.objects.filter(action="documents.incoming.registered").latest("pk")
    assert record.data["duplicate_confirmed"] is True


def test_the_same_file_is_a_duplicate_too_and_a_hidden_one_is_named_by_id_only(clerk_b, agency_b):
    secret_clerk = make_person(agency_b, "vanthu.mat", "Lý Thị Mật", roles=["clerk"], clearance=2)
    scan = make_pdf(PDF_LINES)
    hidden = as_(secret_clerk).send("/documents/incoming", incoming_body(confidentiality=2, subject="Báo cáo mật"),
                                    files=[("scan.pdf", scan)])
    assert hidden.status_code == 201, hidden.content
    again = as_(clerk_b).send("/documents/incoming", incoming_body(subject="Một văn bản khác"), files=[("bản chụp.pdf", scan)])
    assert again.status_code == 409
    assert again.json()["duplicates"] == [{"id": hidden.json()["id"], "visible": False, "number": None, "year": None,
                                           "reference": None, "subject": None}]
    assert "Báo cáo mật" not in again.content.decode()


def test_confidential_incoming_goes_to_the_confidential_register_and_its_distribution(clerk_b, world, agency_b):
    reader = make_person(agency_b, "doc.mat", "Vũ Thị Đọc", clearance=1)
    response = as_(clerk_b).send("/documents/incoming", incoming_body(confidentiality=1, distribution_ids=[reader.pk]))
    assert response.status_code == 201, response.content
    document = response.json()
    assert Register.objects.get(pk=document["register_id"]).code == "MAT-DEN" and document["number"] == 1
    assert {(r["person_id"], r["full_name"]) for r in document["distribution"]} == {
        (reader.pk, "Vũ Thị Đọc"), (clerk_b.pk, "Phan Thị Văn Thư")}
    assert as_(reader).get(f"/documents/{document['id']}").status_code == 200
    # Without the clearance, neither on the distribution nor able to register one.
    refused = as_(clerk_b).send("/documents/incoming", incoming_body(confidentiality=1, distribution_ids=[world.person_b.pk]))
    assert fields_of(refused) == {"distribution_ids": "Not allowed to read this document: Hoàng Văn Bảo."}
    plain_clerk = make_person(agency_b, "vanthu.thuong", "Đặng Văn Thường", roles=["clerk"])
    assert as_(plain_clerk).send("/documents/incoming", incoming_body(confidentiality=1)).status_code == 403
    assert Document.objects.count() == 1


def test_future_document_date_is_refused_and_nothing_stored(clerk_b):
    api = as_(clerk_b)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert fields_of(api.send("/documents/incoming", incoming_body(issued_date=tomorrow))) == {
        "issued_date": "The document date cannot be in the future."}
    later = (timezone.now() + dt.timedelta(days=2)).isoformat()
    assert fields_of(api.send("/documents/incoming", incoming_body(arrival_date=later))) == {
        "arrival_date": "The arrival date cannot be in the future."}
    # A document dated after it arrived cannot be either.
    arrived = f"{(timezone.localdate() - dt.timedelta(days=3)).isoformat()}T09:00:00+07:00"
    assert fields_of(api.send("/documents/incoming", incoming_body(arrival_date=arrived, issued_date=_yesterday()))) == {
        "issued_date": "The document date is after its arrival."}
    assert not Document.objects.exists() and not Register.objects.exists()


def test_input_is_checked_field_by_field(clerk_b, world, agency_a):
    api = as_(clerk_b)
    errors = fields_of(api.send("/documents/incoming", {"doc_type": "XX", "subject": "", "urgency": 7, "agency_id": 1,
                                                        "issued_date": "25/11/2026", "code_number": "1" * 12}))
    assert set(errors) == {"doc_type", "subject", "urgency", "agency_id", "issued_date", "code_number"}
    assert errors["agency_id"] == "This field is not accepted here."
    assert fields_of(api.send("/documents/incoming", incoming_body(issuing_agency_name=""))) == {
        "issuing_agency_name": "Give the issuing agency, from the directory or written out."}
    # Ids of another agency's units and people, of the agency itself as its own issuer, of nothing.
    assert fields_of(api.send("/documents/incoming", incoming_body(receiving_unit_id=world.unit_a.pk))) == {
        "receiving_unit_id": "There is no such unit in your agency."}
    assert fields_of(api.send("/documents/incoming", incoming_body(receiving_person_id=world.person_a.pk))) == {
        "receiving_person_id": "There is no such person in your agency."}
    assert fields_of(api.send("/documents/incoming", incoming_body(issuing_agency_id=world.agency_b.pk))) == {
        "issuing_agency_id": "Choose an agency other than your own."}
    assert fields_of(api.send("/documents/incoming", incoming_body(register_id=999_999))) == {
        "register_id": "There is no such register in your agency."}
    outgoing_register = Register.objects.create(agency=world.agency_b, direction="out", year=timezone.localdate().year, name="Đi",
                                                code="DI")
    assert fields_of(api.send("/documents/incoming", incoming_body(register_id=outgoing_register.pk))) == {
        "register_id": "Choose a register of your agency for this kind of document."}
    # Not JSON in the payload part; no payload part at all (a JSON body instead of multipart).
    broken = api.client.post(PREFIX + "/documents/incoming", {"payload": "{not json"}, headers=api._headers())
    assert broken.status_code == 400
    assert api.post("/documents/incoming", incoming_body()).status_code == 422
    assert not Document.objects.exists()


# ---- files ---------------------------------------------------------------------------------------------


def test_files_sent_at_registration_are_listed_and_downloaded(clerk_b, world, settings):
    pdf = make_pdf(PDF_LINES)
    response = as_(clerk_b).send("/documents/incoming", incoming_body(),
                                 files=[("Quyết định số 12.pdf", pdf), ("ảnh chụp", make_png())])
    assert response.status_code == 201, response.content
    document = response.json()
    first, second = document["attachments"]
    assert first == {"id": first["id"], "filename": "Quyết định số 12.pdf", "size": len(pdf), "content_type": "application/pdf",
                     "sha256": hashlib.sha256(pdf).hexdigest(), "page_count": 1, "uploaded_at": first["uploaded_at"], "text": None}
    assert second["filename"] == "ảnh chụp.png" and second["content_type"] == "image/png"  # named after what it is
    with_text = as_(world.person_b).get(f"/documents/{document['id']}", {"include_text": "true"}).json()
    assert "Về việc giao chỉ tiêu kế hoạch năm 2026" in with_text["attachments"][0]["text"]
    download = as_(world.person_b).get(f"/attachments/{first['id']}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf
    # The headers of the web's download (documents.attachment_views).
    assert download["Content-Type"] == "application/pdf" and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == (
        "attachment; filename=\"Quyet dinh so 12.pdf\"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%2012.pdf")
    assert "no-store" in download["Cache-Control"]
    assert as_(world.person_b).get("/attachments/999999").status_code == 404


def test_confidential_download_is_audited(clerk_b):
    response = as_(clerk_b).send("/documents/incoming", incoming_body(confidentiality=1), files=[("mat.pdf", make_pdf(PDF_LINES))])
    attachment = response.json()["attachments"][0]
    assert as_(clerk_b).get(f"/attachments/{attachment['id']}").status_code == 200
    record = AuditRecord.objects.get(action="documents.attachment.downloaded")
    assert record.actor == clerk_b and record.target_id == str(attachment["id"])


def test_executable_renamed_pdf_is_refused_and_nothing_stored(clerk_b, settings):
    api = as_(clerk_b)
    errors = fields_of(api.send("/documents/incoming", incoming_body(), files=[("hoa-don.pdf", EXE)]))
    assert errors["files"].startswith("hoa-don.pdf: The file is named “hoa-don.pdf” but it is really a Windows program (executable)")
    assert stored_files(settings) == []
    assert not Document.objects.exists() and not Attachment.objects.exists() and not Register.objects.exists()
    # With a good file beside it, still nothing is registered.
    response = api.send("/documents/outgoing", {"doc_type": "TB", "subject": "Thông báo"},
                        files=[("thong-bao.pdf", make_pdf(PDF_LINES)), ("hoa-don.pdf", EXE)])
    assert set(fields_of(response)) == {"files"} and not Document.objects.exists()


def test_empty_file_is_refused(clerk_b, settings):
    errors = fields_of(as_(clerk_b).send("/documents/incoming", incoming_body(), files=[("rỗng.pdf", b"")]))
    assert errors == {"files": "rỗng.pdf: The file is empty (0 bytes)."}
    assert stored_files(settings) == [] and not Document.objects.exists()


def test_file_over_the_limit_is_refused(clerk_b, settings):
    settings.VANPHONG_MAX_UPLOAD_BYTES = 1024
    errors = fields_of(as_(clerk_b).send("/documents/incoming", incoming_body(), files=[("lớn.png", make_png(200, 200) + b"\x00" * 2048)]))
    assert errors["files"].startswith("lớn.png: The file is larger than the limit")
    assert stored_files(settings) == [] and not Document.objects.exists()


# ---- outgoing ---------------------------------------------------------------------------------------


def test_outgoing_draft_then_issue_gives_the_notation_of_a_state_agency(clerk_b, world, office_b, directory):
    drafter = as_(world.person_b)
    response = drafter.send("/documents/outgoing", {
        "doc_type": "QĐ", "subject": "Quyết định ban hành quy chế làm việc", "signer_name": "Lê Văn Chủ Tịch",
        "signer_position": "Chủ tịch", "signer_competence": "T/M", "recipient_unit_ids": [office_b.pk],
        "recipient_agency_ids": [directory.pk], "recipient_places": ["Như Điều 3", "Lưu: VT"], "copies": 5})
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["reference"] == "" and draft["number"] is None
    assert draft["issuing_agency_id"] == world.agency_b.pk and draft["drafting_unit_id"] == world.unit_b.pk  # the drafter's unit
    assert [(r["unit_id"], r["agency_id"], r["name"]) for r in draft["recipients"]] == [
        (office_b.pk, None, "Văn phòng UBND tỉnh"), (None, directory.pk, "Bộ Nội vụ"), (None, None, "Như Điều 3"), (None, None, "Lưu: VT")]
    # Only a clerk issues it.
    assert drafter.post(f"/documents/{draft['id']}/issue").status_code == 403
    issued = as_(clerk_b).post(f"/documents/{draft['id']}/issue")
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert body["reference"] == "01/QĐ-UBND" and body["status"] == "issued" and body["number"] == 1
    assert body["issued_date"] == timezone.localdate().isoformat() and body["issued_at"]
    assert as_(clerk_b).post(f"/documents/{draft['id']}/issue").status_code == 422  # once only
    # A công văn names its drafting unit; the next number follows.
    letter = drafter.send("/documents/outgoing", {"doc_type": "CV", "subject": "Về việc cử cán bộ dự tập huấn",
                                                  "drafting_unit_id": office_b.pk}).json()
    assert as_(clerk_b).post(f"/documents/{letter['id']}/issue", {}).json()["reference"] == "02/UBND-VP"
    listed = drafter.get("/documents/outgoing").json()
    assert [d["reference"] for d in listed["items"]] == ["02/UBND-VP", "01/QĐ-UBND"]


def test_party_agency_issues_in_its_own_scheme(agency_a):
    clerk = make_person(agency_a, "vanthu.dang", "Hà Thị Văn Thư", roles=["clerk"])
    draft = as_(clerk).send("/documents/outgoing", {"doc_type": "QĐ", "subject": "Quyết định chuẩn y"}).json()
    assert as_(clerk).post(f"/documents/{draft['id']}/issue").json()["reference"] == "01-QĐ/TU"


def test_issue_into_a_chosen_register(clerk_b):
    api = as_(clerk_b)
    register = api.post("/registers", {"direction": "out", "year": timezone.localdate().year, "name": "Sổ quyết định", "code": "QD"}).json()
    draft = api.send("/documents/outgoing", {"doc_type": "QĐ", "subject": "Quyết định khen thưởng"}).json()
    assert fields_of(api.post(f"/documents/{draft['id']}/issue", {"register_id": 999_999})) == {
        "register_id": "There is no such register in your agency."}
    issued = api.post(f"/documents/{draft['id']}/issue", {"register_id": register["id"]}).json()
    assert issued["register_id"] == register["id"] and issued["number"] == 1


def test_outgoing_recipients_are_checked(clerk_b, world, agency_b):
    api = as_(clerk_b)
    body = {"doc_type": "TB", "subject": "Thông báo kết luận"}
    assert fields_of(api.send("/documents/outgoing", {**body, "recipient_unit_ids": [world.unit_a.pk]})) == {
        "recipient_unit_ids": "There is no such unit in your agency."}
    assert fields_of(api.send("/documents/outgoing", {**body, "recipient_agency_ids": [agency_b.pk]})) == {
        "recipient_agency_ids": "Choose an agency other than your own."}
    world.agency_a.is_active = False
    world.agency_a.save()
    assert fields_of(api.send("/documents/outgoing", {**body, "recipient_agency_ids": [world.agency_a.pk]})) == {
        "recipient_agency_ids": "This agency is no longer active."}
    assert not Document.objects.exists()


# ---- search -----------------------------------------------------------------------------------------


def test_search_without_diacritics_finds_the_subject_and_marks_the_words(clerk_b, world):
    api = as_(clerk_b)
    wanted = api.send("/documents/incoming", incoming_body(doc_type="QĐ", subject="Quyết định về công tác cán bộ",
                                                           issued_date=_yesterday())).json()
    api.send("/documents/incoming", incoming_body(doc_type="BC", subject="Báo cáo tình hình kinh tế quý III"))
    result = as_(world.person_b).get("/documents/search", {"q": "quyet dinh ve cong tac can bo"})
    assert result.status_code == 200, result.content
    body = result.json()
    assert body["count"] == 1 and body["count_exact"] is True
    (hit,) = body["items"]
    assert hit["id"] == wanted["id"] and hit["subject"] == "Quyết định về công tác cán bộ" and hit["score"] is not None
    marked = [hit["subject"][s["start"]:s["end"]] for s in hit["subject_highlights"]]
    assert marked == ["Quyết", "định", "về", "công", "tác", "cán", "bộ"]
    # Filters narrow it; the empty box lists what is left, newest first.
    assert as_(world.person_b).get("/documents/search", {"q": "quyet dinh", "direction": "out"}).json()["count"] == 0
    assert as_(world.person_b).get("/documents/search", {"q": "quyet", "doc_type": "BC"}).json()["count"] == 0
    assert as_(world.person_b).get("/documents/search", {"date_from": _yesterday(), "date_to": _yesterday()}).json()["items"][0]["id"] == wanted["id"]
    everything = as_(world.person_b).get("/documents/search").json()
    assert everything["count"] == 2 and everything["items"][0]["subject_highlights"] == [] and everything["items"][0]["score"] is None
    assert fields_of(as_(world.person_b).get("/documents/search", {"date_from": "2026-03-02", "date_to": "2026-03-01"})) == {
        "date_to": "The end date is before the start date."}
    assert fields_of(as_(world.person_b).get("/documents/search", {"register": 999_999})) == {
        "register": "There is no such register in your agency."}


def test_search_finds_the_text_of_files_and_shows_a_snippet(clerk_b, world):
    document = as_(clerk_b).send("/documents/incoming", incoming_body(subject="Công văn gửi kèm"),
                                 files=[("chi-tieu.pdf", make_pdf(PDF_LINES))]).json()
    body = as_(world.person_b).get("/documents/search", {"q": "giao chi tieu ke hoach"}).json()
    (hit,) = body["items"]
    assert hit["id"] == document["id"] and "Về việc giao chỉ tiêu kế hoạch năm 2026" in hit["snippet"]
    assert [hit["snippet"][s["start"]:s["end"]] for s in hit["snippet_highlights"]] == ["giao", "chỉ", "tiêu", "kế", "hoạch"]


def test_search_pages_stop_at_the_ranked_window(clerk_b, world):
    from vanphong.documents import search as engine

    for subject in ("Kế hoạch một", "Kế hoạch hai", "Kế hoạch ba"):
        as_(clerk_b).send("/documents/incoming", incoming_body(doc_type="KH", subject=subject))
    page = as_(world.person_b).get("/documents/search", {"q": "ke hoach", "limit": 2, "offset": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert set(fields_of(as_(world.person_b).get("/documents/search", {"offset": engine.COUNT_LIMIT, "limit": 101}))) == {
        "offset", "limit"}


def test_messages_in_vietnamese(clerk_b):
    response = as_(clerk_b, language="vi").send("/documents/incoming", incoming_body(issued_date=timezone.localdate() + dt.timedelta(days=1)))
    assert response.status_code == 422
    message = response.json()["detail"][0]["message"]
    assert message != "The document date cannot be in the future." and "ngày" in message.lower()


def test_stored_blob_of_a_refused_request_is_only_the_good_file(clerk_b, settings):
    """Files are checked one by one as on the web: a good file next to a refused one is kept in the content store (it costs
    nothing to send it again) but belongs to no document."""
    good = make_pdf(PDF_LINES)
    as_(clerk_b).send("/documents/incoming", incoming_body(), files=[("tot.pdf", good), ("xau.pdf", EXE)])
    assert stored_files(settings) == [storage.path_for(hashlib.sha256(good).hexdigest())]
    assert not Attachment.objects.exists()
