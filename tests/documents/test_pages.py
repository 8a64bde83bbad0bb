"""The documents pages: registering, drafting, issuing; and who sees what on every page."""

from datetime import date, timedelta

import pytest
from django.urls import get_resolver

from tests.conftest import signed_in
from tests.factories import make_person, make_unit
from vanphong.core.models import AuditRecord
from vanphong.documents import services
from vanphong.documents.models import Document

INCOMING = {"doc_type": "QĐ", "code_number": "123", "code_notation": "QĐ-UBND", "issuing_agency_name": "UBND tỉnh Bắc Ninh",
            "subject": "Quyết định về công tác cán bộ", "urgency": "0", "confidentiality": "0"}


def _post_incoming(client, **extra):
    data = {**INCOMING, "issued_date": date.today().isoformat(), **extra}
    return client.post("/documents/incoming/new/", data)


@pytest.mark.django_db
def test_clerk_registers_incoming_and_gets_arrival_number(client, clerk_doc):
    signed_in(client, clerk_doc)
    response = _post_incoming(client)
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    assert document.number == 1 and document.reference == "123/QĐ-UBND" and document.created_by == clerk_doc
    page = client.get(response["Location"]).content.decode()
    assert "Quyết định về công tác cán bộ" in page and "123/QĐ-UBND" in page
    assert "Quyết định về công tác cán bộ" in client.get("/documents/incoming/").content.decode()
    assert AuditRecord.objects.filter(action="documents.incoming.registered", target_id=str(document.pk)).exists()


@pytest.mark.django_db
def test_the_lists_show_every_column_in_a_fixed_number_of_queries(client, clerk_doc, agency_b, office_unit, django_assert_max_num_queries):
    for n in range(30):
        services.register_incoming(clerk_doc, doc_type="QĐ", code_number=str(n + 1), code_notation="QĐ-UBND", subject=f"Quyết định số {n + 1}",
                                   issuing_agency=agency_b if n % 2 else None, issuing_agency_name="" if n % 2 else "Sở Nội vụ",
                                   receiving_unit=office_unit, urgency=n % 4, confidentiality=n % 2, distribution=[clerk_doc])
        services.create_outgoing_draft(clerk_doc, doc_type="TB", subject=f"Thông báo số {n + 1}", signer_name="Trần Quốc Khánh",
                                       drafting_unit=office_unit)
    signed_in(client, clerk_doc)
    client.get("/documents/incoming/")  # the session and the year's registers, once
    with django_assert_max_num_queries(12):
        incoming = " ".join(client.get("/documents/incoming/").content.decode().split())
    with django_assert_max_num_queries(12):
        outgoing = " ".join(client.get("/documents/outgoing/").content.decode().split())
    for text in ("30/QĐ-UBND", "Quyết định số 30", agency_b.name, "Sở Nội vụ", "Văn phòng", "Hỏa tốc", "Mật"):
        assert text in incoming, text
    for text in ("Thông báo số 30", "Trần Quốc Khánh", "Văn phòng", "Dự thảo"):
        assert text in outgoing, text


@pytest.mark.django_db
def test_duplicate_is_warned_then_registered_on_confirmation(client, clerk_doc):
    signed_in(client, clerk_doc)
    _post_incoming(client)
    warned = _post_incoming(client)
    assert warned.status_code == 200 and Document.objects.count() == 1
    assert "confirm_duplicate" in warned.content.decode()
    confirmed = _post_incoming(client, confirm_duplicate="on")
    assert confirmed.status_code == 302 and Document.objects.count() == 2
    assert AuditRecord.objects.filter(action="documents.incoming.registered", data__duplicate_confirmed=True).count() == 1


@pytest.mark.django_db
def test_future_date_is_refused_and_nothing_is_stored(client, clerk_doc):
    signed_in(client, clerk_doc)
    response = _post_incoming(client, issued_date=(date.today() + timedelta(days=3)).isoformat())
    assert response.status_code == 200 and Document.objects.count() == 0
    assert "tương lai" in response.content.decode()  # Vietnamese by default


@pytest.mark.django_db
def test_missing_subject_and_issuer_are_explained(client, clerk_doc):
    signed_in(client, clerk_doc)
    response = _post_incoming(client, subject="", issuing_agency_name="")
    assert response.status_code == 200 and Document.objects.count() == 0


@pytest.mark.django_db
def test_only_clerks_register(client, agency_a):
    specialist = make_person(agency_a, "cv", "Chuyên Viên", roles=["specialist"])
    signed_in(client, specialist)
    assert client.get("/documents/incoming/new/").status_code == 403
    assert client.post("/documents/incoming/new/", INCOMING).status_code == 403
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_draft_then_issue_in_state_scheme(client, agency_b):
    office = make_unit(agency_b, "Văn phòng", "VP")
    clerk = make_person(agency_b, "vt.b", "Văn Thư B", roles=["clerk"], unit=office)
    signed_in(client, clerk)
    response = client.post("/documents/outgoing/new/", {"doc_type": "CV", "subject": "Về việc tổng kết năm", "urgency": "1",
                                                        "confidentiality": "0", "drafting_unit": office.pk,
                                                        "recipient_places": "Như trên;\nLưu: VT, VP."})
    draft = Document.objects.get()
    assert response.status_code == 302 and draft.status == "draft" and draft.reference == ""
    assert [str(r) for r in draft.recipients.all()] == ["Như trên;", "Lưu: VT, VP."]
    client.post(f"/documents/{draft.pk}/issue/", {"register": ""})
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.reference == "01/UBND-VP"
    assert "01/UBND-VP" in client.get("/documents/outgoing/").content.decode()


@pytest.mark.django_db
def test_confidential_documents_need_clearance_and_distribution(client, agency_a, clerk_doc):
    reader_on_list = make_person(agency_a, "mat.a", "Người Được Đọc", roles=["specialist"], clearance=1)
    reader_off_list = make_person(agency_a, "mat.b", "Người Không Được Đọc", roles=["specialist"], clearance=3)
    no_clearance = make_person(agency_a, "thuong", "Người Thường", roles=["specialist"], clearance=0)
    secret = services.register_incoming(clerk_doc, doc_type="CV", subject="Tài liệu mật về quốc phòng", issuing_agency_name="Bộ Quốc phòng",
                                        confidentiality=1, distribution=[reader_on_list])
    assert secret.register.confidential
    for person, visible in [(reader_on_list, True), (clerk_doc, True), (reader_off_list, False), (no_clearance, False)]:
        signed_in(client, person)
        assert (client.get(f"/documents/{secret.pk}/").status_code == 200) is visible, person.username
        assert ("Tài liệu mật về quốc phòng" in client.get("/documents/incoming/").content.decode()) is visible, person.username
    with pytest.raises(services.ValidationError):
        services.register_incoming(clerk_doc, doc_type="CV", subject="Mật", issuing_agency_name="X", confidentiality=1,
                                   distribution=[no_clearance])


@pytest.mark.django_db
def test_clerk_cannot_register_above_own_clearance(clerk_doc):
    from vanphong.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.register_incoming(clerk_doc, doc_type="CV", subject="Tối mật", issuing_agency_name="X", confidentiality=2)
    assert Document.objects.count() == 0


# ---- isolation on every page ----------------------------------------------------------------------

COVERED = {"incoming", "incoming_new", "outgoing", "outgoing_new", "detail", "issue", "registers",
           "search", "attachment_download", "attachment_preview",
           # tests/documents/test_attachments.py: another agency and the off-distribution get 404
           "attachment_page",
           # tests/documents/test_ocr.py::test_another_agency_cannot_reach_a_scan
           "scan_new", "scan_status", "scan_page",
           # test_another_agency_gets_no_register_book below
           "register_book"}


def test_every_documents_page_is_covered():
    names = set()
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) == "documents":
            names |= {p.name for p in pattern.url_patterns}
    assert names <= COVERED, f"documents pages without an isolation check: {sorted(names - COVERED)}"


@pytest.mark.django_db
def test_another_agency_sees_and_changes_nothing(client, clerk_doc, agency_b):
    incoming = services.register_incoming(clerk_doc, doc_type="CV", subject="Riêng của cơ quan A", issuing_agency_name="X")
    draft = services.create_outgoing_draft(clerk_doc, doc_type="QĐ", subject="Dự thảo riêng của A")
    clerk_b = make_person(agency_b, "vt.b", "Văn Thư B", roles=["clerk"], clearance=3)
    signed_in(client, clerk_b)
    for url in [f"/documents/{incoming.pk}/", f"/documents/{draft.pk}/"]:
        assert client.get(url).status_code == 404
    assert client.post(f"/documents/{draft.pk}/issue/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"
    for url in ["/documents/incoming/", "/documents/outgoing/", "/documents/registers/",
                f"/documents/incoming/?register={incoming.register_id}"]:
        response = client.get(url)
        assert response.status_code in (200, 404)
        assert "Riêng của cơ quan A" not in response.content.decode() and "Dự thảo riêng của A" not in response.content.decode()


@pytest.mark.django_db
def test_another_agency_gets_no_register_book(client, clerk_doc, agency_b):
    incoming = services.register_incoming(clerk_doc, doc_type="CV", subject="Riêng của cơ quan A", issuing_agency_name="X")
    clerk_b = make_person(agency_b, "vt.b", "Văn Thư B", roles=["clerk", "admin"], clearance=3)
    signed_in(client, clerk_b)
    book = f"/documents/registers/book/?register={incoming.register_id}"
    today = date.today().strftime("%d/%m/%Y")
    for url in [book, f"{book}&start={today}&end={today}&format=xlsx", f"{book}&start={today}&end={today}&format=pdf"]:
        assert client.get(url).status_code == 404
    assert f'value="{incoming.register_id}"' not in client.get("/documents/registers/book/").content.decode()
    assert not AuditRecord.objects.filter(action="documents.register.exported").exists()


@pytest.mark.django_db
def test_registers_page_is_for_clerks_and_admins(client, agency_a, clerk_doc):
    specialist = make_person(agency_a, "cv2", "Chuyên Viên", roles=["specialist"])
    signed_in(client, specialist)
    assert client.get("/documents/registers/").status_code == 403
    signed_in(client, clerk_doc)
    response = client.post("/documents/registers/", {"direction": "in", "year": date.today().year, "name": "Sổ đến của Văn phòng",
                                                     "code": "vp"})
    assert response.status_code == 302
    assert "Sổ đến của Văn phòng" in client.get("/documents/registers/").content.decode()
