"""The clerk's pages of received packages: the list by state, one package with its fields,
attachments and signature, registering and rejecting it (each bad input refused with a clear
message, nothing changed), and their isolation: another agency's clerk gets 404, people of the
agency who are not clerks 403. The outgoing document's page shows the per-recipient timeline."""

import pytest

from tests.conftest import signed_in
from tests.exchange.helpers import issued_document, received_package
from tests.factories import make_person
from tests.signing.conftest import make_pdf
from vanphong.documents.models import Document
from vanphong.exchange.models import InboundPackage, OutboundMessage, Receipt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def package(agency_a, agency_b):
    return received_package(agency_a, agency_b, attachment=make_pdf(1, "Kế hoạch kiểm tra"))


def test_the_clerk_lists_opens_and_registers_a_received_package(client, clerk_a, package):
    signed_in(client, clerk_a)
    body = client.get("/exchange/received/").content.decode()
    assert "Về việc phối hợp kiểm tra công tác văn thư" in body and "000.00.00.H40" in body
    page = client.get(f"/exchange/received/{package.pk}/").content.decode()
    assert "12/KH-UBND" in page and "Kế hoạch.pdf" in page and "Sealed by" in page
    download = client.get(f"/exchange/received/{package.pk}/attachments/1/")
    assert download.status_code == 200 and download["Content-Type"] == "application/octet-stream"
    assert b"".join(download.streaming_content if download.streaming else [download.content]).startswith(b"%PDF")
    assert client.get(f"/exchange/received/{package.pk}/attachments/2/").status_code == 404
    response = client.post(f"/exchange/received/{package.pk}/register/", {"doc_type": "KH", "confidentiality": "0"})
    document = Document.objects.get(agency=clerk_a.agency)
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    assert (document.code_number, document.code_notation, document.urgency) == ("12", "KH-UBND", 1)
    assert document.attachments.get().filename == "Kế hoạch.pdf"
    package.refresh_from_db()
    assert package.state == "registered" and package.document == document
    assert "arrival no." in client.get(f"/exchange/received/{package.pk}/").content.decode()


def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, clerk_a, package):
    signed_in(client, clerk_a)
    response = client.post(f"/exchange/received/{package.pk}/register/", {"doc_type": "XX", "confidentiality": "0"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    response = client.post(f"/exchange/received/{package.pk}/register/", {"doc_type": "KH", "confidentiality": "3"})
    assert response.status_code == 400  # above the clerk's clearance: not offered
    response = client.post(f"/exchange/received/{package.pk}/reject/", {"reason": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(f"/exchange/received/{package.pk}/reject/", {"reason": "x" * 2001})
    assert response.status_code == 400
    package.refresh_from_db()
    assert package.state == "received" and not Document.objects.exists() and not OutboundMessage.objects.exists()


def test_rejecting_from_the_page_queues_02_with_the_reason(client, clerk_a, package):
    signed_in(client, clerk_a)
    response = client.post(f"/exchange/received/{package.pk}/reject/", {"reason": "Không thuộc thẩm quyền giải quyết"})
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.state == "rejected"
    status = OutboundMessage.objects.get(inbound=package)
    assert (status.status_code, status.description, status.recipient.code) == ("02", "Không thuộc thẩm quyền giải quyết", "000.00.00.H40")
    body = client.get("/exchange/received/?state=rejected").content.decode()
    assert "Về việc phối hợp" in body
    assert client.post(f"/exchange/received/{package.pk}/register/", {"doc_type": "KH", "confidentiality": "0"}).status_code == 400


def test_another_agency_gets_404_and_non_clerks_403(client, agency_a, agency_b, package):
    clerk_b = make_person(agency_b, "vanthu.b", "Văn Thư B", roles=["clerk"])
    specialist_a = make_person(agency_a, "chuyenvien.a", "Chuyên Viên A", roles=["specialist", "admin"])
    urls = [f"/exchange/received/{package.pk}/", f"/exchange/received/{package.pk}/attachments/1/"]
    posts = [(f"/exchange/received/{package.pk}/register/", {"doc_type": "KH", "confidentiality": "0"}),
             (f"/exchange/received/{package.pk}/reject/", {"reason": "không"})]
    signed_in(client, clerk_b)
    assert "Về việc phối hợp" not in client.get("/exchange/received/").content.decode()
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    client.logout()
    signed_in(client, specialist_a)
    for url in ["/exchange/received/", *urls]:
        assert client.get(url).status_code in (403, 404), url
    assert client.get("/exchange/received/").status_code == 403
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    package.refresh_from_db()
    assert package.state == "received"


def test_an_encrypted_package_is_hidden_from_clerks_without_clearance(client, clerk_a, agency_a, agency_b):
    secret = received_package(agency_a, agency_b, subject="Kế hoạch mật")
    InboundPackage.objects.filter(pk=secret.pk).update(encrypted=True)
    signed_in(client, clerk_a)
    assert "Kế hoạch mật" not in client.get("/exchange/received/").content.decode()
    assert client.get(f"/exchange/received/{secret.pk}/").status_code == 404


def test_the_outgoing_documents_page_shows_each_recipients_timeline(client, clerk_a, agency_b, seals):
    from vanphong.exchange import cycle

    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    package = OutboundMessage.objects.get(document=document)
    Receipt.objects.create(package=package, code="03", description="")
    signed_in(client, clerk_a)
    body = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Sent through the exchange" in body and "Ủy ban nhân dân tỉnh Nghệ An" in body
    assert "Arrived" in body and "Registered" in body


def test_a_package_that_looks_registered_already_asks_for_confirmation(client, clerk_a, agency_b, package):
    from vanphong.documents import services as documents

    documents.register_incoming(clerk_a, doc_type="KH", subject="Bản giấy", issuing_agency=agency_b, code_number="12",
                                code_notation="KH-UBND", issued_date=package.promulgation_date)
    signed_in(client, clerk_a)
    response = client.post(f"/exchange/received/{package.pk}/register/", {"doc_type": "KH", "confidentiality": "0"})
    assert response.status_code == 400 and "seems to be registered already" in response.content.decode()
    assert Document.objects.count() == 1
    response = client.post(f"/exchange/received/{package.pk}/register/", {"doc_type": "KH", "confidentiality": "0",
                                                                          "confirm_duplicate": "on"})
    assert response.status_code == 302 and Document.objects.count() == 2
