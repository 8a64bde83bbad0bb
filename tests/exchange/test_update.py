"""Update (BussinessDocType 2) end to end between two hosted agencies: A's clerk corrects fields of
an issued document and sends the update (the corrected header, DocumentInfo=1, the reason); B's
clerk accepts (15: the changed fields are applied to the registered document, or to the package
still waiting, audited and kept on the request) or refuses (16). Bad input changes nothing."""

import datetime as dt

import pytest

from tests.exchange.helpers import issued_document
from tests.exchange.test_recall import _recall_bytes
from tests.factories import make_agency, make_person
from vanphong.core import storage
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.documents.models import Document
from vanphong.exchange import cycle, inbox, selectors, services
from vanphong.exchange.edxml import model, reader
from vanphong.exchange.models import InboundPackage, OutboundMessage, Receipt
from vanphong.pki import services as pki_services

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 1, 15)


def update_codes(document):
    return [r.code for r in Receipt.objects.filter(package__document=document, package__business_doc_type=2).order_by("code")]


@pytest.fixture
def delivered(clerk_a, clerk_b, agency_b, seals):
    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    return document, InboundPackage.objects.get(agency=agency_b)


def test_a_corrects_and_sends_the_update_b_accepts_and_the_registered_document_changes(clerk_a, clerk_b, agency_b, delivered):
    document, original = delivered
    incoming = services.register_received(clerk_b, original, doc_type="QĐ")
    services.send_update(clerk_a, document, changes={"subject": "Về việc triển khai liên thông văn bản (đính chính)", "due_date": DUE,
                                                      "urgency": 2}, reason="Đính chính trích yếu và hạn xử lý")
    document.refresh_from_db()
    assert (document.subject, document.due_date, document.urgency) == ("Về việc triển khai liên thông văn bản (đính chính)", DUE, 2)
    sent = AuditRecord.objects.get(action="exchange.update_sent")
    assert sent.data["changes"]["due_date"] == [None, "2027-01-15"]

    cycle.run_once()
    update = OutboundMessage.objects.get(document=document, business_doc_type=2)
    assert update.state == "sent"
    package = reader.read(storage.read_bytes(update.payload_sha256)).package
    assert package.bussiness.bussiness_doc_type == model.BUSINESS_UPDATE and package.bussiness.document_info.document_info == "1"
    assert package.bussiness.bussiness_doc_reason == "Đính chính trích yếu và hạn xử lý" and package.due_date == DUE
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=2)
    assert request.state == "received" and request.original == original
    assert update_codes(document) == []  # nothing until B's clerk decides

    services.accept_request(clerk_b, request)
    cycle.run_once()
    incoming.refresh_from_db()
    assert (incoming.subject, incoming.due_date, incoming.urgency) == ("Về việc triển khai liên thông văn bản (đính chính)", DUE, 2)
    request.refresh_from_db()
    assert request.state == "accepted" and request.changes == {
        "subject": ["Về việc triển khai liên thông văn bản điện tử", "Về việc triển khai liên thông văn bản (đính chính)"],
        "due_date": [None, "2027-01-15"], "urgency": [0, 2]}
    assert AuditRecord.objects.get(action="exchange.update_accepted").data["changes"] == request.changes
    assert Document.objects.filter(agency=agency_b, search_text__contains="dinh chinh").exists()
    assert update_codes(document) == ["15"]
    timeline = {(t.package.recipient.code, t.package.business_doc_type): t.codes for t in selectors.document_timelines(clerk_a, document)}
    assert timeline == {("000.00.00.H40", 0): ["01", "03"], ("000.00.00.H40", 2): ["15"]}


def test_an_update_of_a_package_still_waiting_is_what_the_clerk_registers(clerk_a, clerk_b, agency_b, delivered):
    document, original = delivered
    services.send_update(clerk_a, document, changes={"signer_name": "Trần Văn Ký"}, reason="Sai tên người ký")
    cycle.run_once()
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=2)
    services.accept_request(clerk_b, request)
    original.refresh_from_db()
    assert original.state == "received"
    incoming = services.register_received(clerk_b, original, doc_type="QĐ")
    assert incoming.signer_name == "Trần Văn Ký" and incoming.attachments.get().filename == "Quyết định.pdf"


def test_b_refuses_the_update_and_a_sees_16(clerk_a, clerk_b, agency_b, delivered):
    document, original = delivered
    incoming = services.register_received(clerk_b, original, doc_type="QĐ")
    services.send_update(clerk_a, document, changes={"page_count": 3}, reason="Sai số trang")
    cycle.run_once()
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=2)
    with pytest.raises(ValidationError, match="Say why the update is refused"):
        services.refuse_request(clerk_b, request, reason="")
    services.refuse_request(clerk_b, request, reason="Văn bản đã được xử lý xong")
    cycle.run_once()
    incoming.refresh_from_db()
    assert incoming.page_count is None
    assert Receipt.objects.get(package__business_doc_type=2, code="16").description == "Văn bản đã được xử lý xong"
    with pytest.raises(ValidationError, match="already been decided"):
        services.accept_request(clerk_b, request)


def test_bad_updates_are_refused_and_change_nothing(clerk_a, clerk_b, agency_a, agency_b, delivered):
    document, original = delivered
    subject = document.subject
    cases = [
        ({"subject": subject}, "Nothing was changed"),
        ({"code_number": "99"}, "cannot be corrected by an update"),
        ({"subject": "  "}, "subject cannot be empty"),
        ({"urgency": 7}, "urgency levels"),
        ({"page_count": 0}, "whole number"),
        ({"due_date": "mai"}, "valid date"),
    ]
    for changes, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.send_update(clerk_a, document, changes=changes, reason="Đính chính")
    with pytest.raises(ValidationError, match="Say why the document is corrected"):
        services.send_update(clerk_a, document, changes={"page_count": 2}, reason="")
    specialist_a = make_person(agency_a, "chuyenvien.a", "Chuyên Viên A", roles=["specialist"])
    for person in (clerk_b, specialist_a):
        with pytest.raises(PermissionDenied):
            services.send_update(person, document, changes={"page_count": 2}, reason="Đính chính")
    never_sent = issued_document(clerk_a, [], subject="Văn bản không gửi liên thông")
    with pytest.raises(ValidationError, match="has not reached any agency"):
        services.send_update(clerk_a, never_sent, changes={"page_count": 2}, reason="Đính chính")
    document.refresh_from_db()
    assert document.subject == subject and document.page_count is None
    assert not OutboundMessage.objects.filter(business_doc_type=2).exists()
    assert not AuditRecord.objects.filter(action="exchange.update_sent").exists()

    services.send_update(clerk_a, document, changes={"page_count": 2}, reason="Đính chính")
    with pytest.raises(ValidationError, match="already sent to every agency"):  # one update per agency: then a replacement
        services.send_update(clerk_a, document, changes={"page_count": 4}, reason="Đính chính lần hai")
    document.refresh_from_db()
    assert document.page_count == 2


def test_an_update_from_an_agency_that_did_not_send_the_document_is_refused_with_02(agency_b, delivered, ca_operator):
    document, original = delivered
    agency_c = make_agency("000.00.00.H41", "Ủy ban nhân dân tỉnh Hà Tĩnh", "UBND Hà Tĩnh")
    pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_c)
    data = _recall_bytes(agency_c, agency_b, original.edxml_document_id, business_doc_type=2)
    intake = inbox.receive(data, agency=agency_b)
    assert intake.outcome == "refused" and "only its sender may correct it" in intake.reason
    assert not InboundPackage.objects.filter(business_doc_type=2).exclude(state="refused").exists()
