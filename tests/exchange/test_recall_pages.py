"""The recall's pages: the recall form on an outgoing document's page (its agency's clerks), the
recall request on the receiving clerk's page with its accept and refuse forms, the notice on a
recalled incoming document; isolation (another agency 404, a person who is not a clerk 403) and
bad input refused with a message, nothing changed."""

import pytest

from tests.conftest import signed_in
from tests.exchange.helpers import issued_document, recall_request, received_package
from tests.factories import make_person
from vanphong.exchange import cycle, services
from vanphong.exchange.models import InboundPackage, OutboundMessage, Receipt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_sending_clerk_recalls_from_the_document_page_and_sees_the_answers(client, clerk_a, clerk_b, agency_b, seals):
    document = issued_document(clerk_a, [agency_b])
    signed_in(client, clerk_a)
    assert "Recall this document" not in client.get(f"/documents/{document.pk}/").content.decode()  # nothing has left yet
    cycle.run_once()
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Recall this document" in page and f"/exchange/documents/{document.pk}/recall/" in page
    assert '<section class="panel exchange-timeline"' in page and "&lt;section" not in page  # rendered, not escaped
    response = client.post(f"/exchange/documents/{document.pk}/recall/", {"reason": ""}, follow=True)
    assert "This field is required" in response.content.decode() and not OutboundMessage.objects.filter(business_doc_type=1).exists()
    response = client.post(f"/exchange/documents/{document.pk}/recall/", {"reason": "Ban hành nhầm"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "The recall goes to" in body and "Ban hành nhầm" in body
    assert "Recall this document" not in body  # recalled from every agency it reached
    response = client.post(f"/exchange/documents/{document.pk}/recall/", {"reason": "Lần hai"}, follow=True)
    assert "already been recalled" in response.content.decode()
    assert OutboundMessage.objects.filter(business_doc_type=1).count() == 1

    cycle.run_once()
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=1)
    services.accept_request(clerk_b, request)
    cycle.run_once()
    body = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Recall requested" in body and "Recall or update accepted" in body
    assert [r.code for r in Receipt.objects.filter(package__business_doc_type=1).order_by("code")] == ["13", "15"]


def test_the_receiving_clerk_accepts_a_recall_and_the_document_page_says_it_is_withdrawn(client, clerk_a, clerk_b, agency_b, seals):
    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    original = InboundPackage.objects.get(agency=agency_b)
    incoming = services.register_received(clerk_b, original, doc_type="QĐ")
    services.recall_document(clerk_a, document, reason="Văn bản ban hành nhầm đối tượng")
    cycle.run_once()
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=1)
    signed_in(client, clerk_b)
    listing = client.get("/exchange/received/").content.decode()
    assert "Recall request" in listing
    page = client.get(f"/exchange/received/{request.pk}/").content.decode()
    assert "Văn bản ban hành nhầm đối tượng" in page and "Accept the recall" in page and "Refuse the recall" in page
    assert f"/exchange/received/{original.pk}/" in page and "Register it" not in page
    response = client.post(f"/exchange/received/{request.pk}/accept-request/", follow=True)
    assert "Recall accepted" in response.content.decode()
    original.refresh_from_db()
    assert original.state == "recalled"
    response = client.post(f"/exchange/received/{request.pk}/accept-request/", follow=True)  # twice
    assert "already been decided" in response.content.decode()
    notice = client.get(f"/documents/{incoming.pk}/").content.decode()
    assert "Recalled by the sender" in notice and "Văn bản ban hành nhầm đối tượng" in notice
    assert '<section class="errorbox"' in notice and "&lt;section" not in notice
    assert "Recalled by the sender" in client.get(f"/exchange/received/{original.pk}/").content.decode()
    for state, shown in (("recalled", original), ("accepted", request)):  # each state's tab lists its packages
        listing = client.get(f"/exchange/received/?state={state}").content.decode()
        assert f"/exchange/received/{shown.pk}/" in listing, state
    assert f"/exchange/received/{original.pk}/" not in client.get("/exchange/received/?state=accepted").content.decode()


def test_refusing_needs_a_reason_and_sends_it(client, clerk_a, agency_a, agency_b):
    request = recall_request(received_package(agency_a, agency_b))
    signed_in(client, clerk_a)
    response = client.post(f"/exchange/received/{request.pk}/refuse-request/", {"reason": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "received" and not OutboundMessage.objects.exists()
    response = client.post(f"/exchange/received/{request.pk}/refuse-request/", {"reason": "Đã triển khai"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "rejected" and OutboundMessage.objects.get(inbound=request).status_code == "16"
    assert "Đã triển khai" in client.get(f"/exchange/received/{request.pk}/").content.decode()


def test_another_agency_gets_404_and_non_clerks_403(client, clerk_a, agency_a, agency_b, seals):
    request = recall_request(received_package(agency_a, agency_b))
    clerk_b = make_person(agency_b, "vanthu.b2", "Văn Thư B", roles=["clerk"])
    specialist_a = make_person(agency_a, "chuyenvien.a", "Chuyên Viên A", roles=["specialist"])
    signed_in(client, clerk_b)
    assert client.post(f"/exchange/received/{request.pk}/accept-request/").status_code == 404
    assert client.post(f"/exchange/received/{request.pk}/refuse-request/", {"reason": "x"}).status_code == 404
    client.logout()
    signed_in(client, specialist_a)
    assert client.post(f"/exchange/received/{request.pk}/accept-request/").status_code == 404
    assert client.post(f"/exchange/received/{request.pk}/refuse-request/", {"reason": "x"}).status_code == 404
    request.refresh_from_db()
    request.original.refresh_from_db()
    assert request.state == "received" and request.original.state == "received"

    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    client.logout()
    signed_in(client, clerk_b)  # another agency: the document is not theirs to see
    assert client.post(f"/exchange/documents/{document.pk}/recall/", {"reason": "x"}).status_code == 404
    assert not OutboundMessage.objects.filter(business_doc_type=1).exists()


def test_the_sending_clerk_corrects_the_document_and_the_receiving_clerk_sees_and_accepts_the_changes(client, clerk_a, clerk_b,
                                                                                                      agency_b, seals):
    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    incoming = services.register_received(clerk_b, InboundPackage.objects.get(agency=agency_b), doc_type="QĐ")
    signed_in(client, clerk_a)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Correct this document and send an update" in page
    form = {"update-subject": document.subject, "update-signer_name": "Trần Văn Ký", "update-signer_position": document.signer_position,
            "update-due_date": "", "update-urgency": "0", "update-page_count": "", "update-copies": "", "update-reason": ""}
    response = client.post(f"/exchange/documents/{document.pk}/update/", form, follow=True)
    assert "This field is required" in response.content.decode()
    response = client.post(f"/exchange/documents/{document.pk}/update/", {**form, "update-page_count": "0", "update-reason": "Sai"},
                           follow=True)
    assert "Pages" in response.content.decode() and not OutboundMessage.objects.filter(business_doc_type=2).exists()
    response = client.post(f"/exchange/documents/{document.pk}/update/", {**form, "update-reason": "Sai tên người ký"}, follow=True)
    body = response.content.decode()
    assert "the update goes to" in body and "Sai tên người ký" in body and "Correct this document" not in body
    document.refresh_from_db()
    assert document.signer_name == "Trần Văn Ký"

    cycle.run_once()
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=2)
    client.logout()
    signed_in(client, clerk_b)
    assert "Update request" in client.get("/exchange/received/").content.decode()
    page = client.get(f"/exchange/received/{request.pk}/").content.decode()
    assert "What the update changes" in page and "Nguyễn Văn Ký" in page and "Trần Văn Ký" in page and "Accept the update" in page
    response = client.post(f"/exchange/received/{request.pk}/accept-request/", follow=True)
    assert "Update accepted" in response.content.decode()
    incoming.refresh_from_db()
    assert incoming.signer_name == "Trần Văn Ký"
    notice = client.get(f"/documents/{incoming.pk}/").content.decode()
    assert "Corrected by the sender" in notice and "Nguyễn Văn Ký" in notice and "&lt;section" not in notice


def test_a_replacement_is_drafted_from_the_page_and_accepted_then_registered_by_the_receiving_clerk(client, clerk_a, clerk_b, agency_b,
                                                                                                   seals):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.signing.conftest import make_pdf
    from vanphong.documents import services as documents
    from vanphong.documents.attachments import store
    from vanphong.signing import document_services

    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    original = InboundPackage.objects.get(agency=agency_b)
    old_incoming = services.register_received(clerk_b, original, doc_type="QĐ")
    signed_in(client, clerk_a)
    assert "Replace this document by a new one" in client.get(f"/documents/{document.pk}/").content.decode()
    response = client.post(f"/exchange/documents/{document.pk}/replace/", {"replace-reason": ""}, follow=True)
    assert "This field is required" in response.content.decode()
    response = client.post(f"/exchange/documents/{document.pk}/replace/", {"replace-reason": "Sai nội dung điều 2"}, follow=True)
    draft = document.replacements.get().document
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/documents/{draft.pk}/" and "The replacement is drafted" in body
    assert "This document replaces" in body and "Sai nội dung điều 2" in body and "&lt;section" not in body
    assert "is replaced by" in client.get(f"/documents/{document.pk}/").content.decode()
    documents.attach_files(clerk_a, draft, [store(SimpleUploadedFile("Quyết định mới.pdf", make_pdf(1, "Mới")))])
    document_services.mark_signed_on_paper(clerk_a, draft)
    documents.issue_outgoing(clerk_a, draft)
    cycle.run_once()

    incoming = InboundPackage.objects.get(agency=agency_b, business_doc_type=3)
    client.logout()
    signed_in(client, clerk_b)
    page = client.get(f"/exchange/received/{incoming.pk}/").content.decode()
    assert "Replacement request" in page and "Sai nội dung điều 2" in page and "Quyết định mới.pdf" in page
    assert "Accept the replacement" in page and "Register it" not in page
    response = client.post(f"/exchange/received/{incoming.pk}/accept-request/", follow=True)
    body = response.content.decode()
    assert "Replacement accepted" in body and "Register it" in body and "which is now marked replaced" in body
    response = client.post(f"/exchange/received/{incoming.pk}/register/", {"doc_type": "QĐ", "confidentiality": "0"})
    assert response.status_code == 302
    notice = client.get(f"/documents/{old_incoming.pk}/").content.decode()
    assert "Replaced by the sender" in notice and "arrival no. 2" in notice
