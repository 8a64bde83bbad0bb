"""The exchange's API as a clerk's script uses it: list and read received packages, register one
(409 when it looks registered already, then confirmed), reject one, and follow an outgoing
document's timeline per recipient. Isolation is in tests/api/test_api_isolation.py."""

import pytest
from django.test import Client

from tests.api.conftest import Api, token_of
from tests.exchange.helpers import issued_document, received_package
from tests.signing.conftest import make_pdf
from vanphong.documents import services as documents
from vanphong.exchange import cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_a(clerk_a):
    return Api(Client(), token_of(clerk_a))


def test_a_clerk_lists_reads_and_registers_with_the_duplicate_check(api_a, clerk_a, agency_a, agency_b):
    package = received_package(agency_a, agency_b, attachment=make_pdf(1, "Kế hoạch"))
    listed = api_a.get("/exchange/received").json()
    assert listed["count"] == 1 and listed["items"][0]["reference"] == "12/KH-UBND"
    detail = api_a.get(f"/exchange/received/{package.pk}").json()
    assert detail["attachments"][0]["name"] == "Kế hoạch.pdf" and detail["attachments"][0]["size"] > 0
    assert detail["verification"]["valid"] is True and detail["priority"] == 1
    # The same document was registered from paper before it came through the exchange.
    documents.register_incoming(clerk_a, doc_type="KH", subject="Bản giấy", issuing_agency=agency_b, code_number="12",
                                code_notation="KH-UBND", issued_date=package.promulgation_date)
    response = api_a.post(f"/exchange/received/{package.pk}/register", {"doc_type": "KH"})
    assert response.status_code == 409 and response.json()["duplicates"][0]["reference"] == "12/KH-UBND"
    response = api_a.post(f"/exchange/received/{package.pk}/register", {"doc_type": "KH", "confirm_duplicate": True})
    assert response.status_code == 201 and response.json()["number"] == 2
    response = api_a.post(f"/exchange/received/{package.pk}/register", {"doc_type": "KH"})
    assert response.status_code == 422 and "already been decided" in response.content.decode()
    assert api_a.get("/exchange/received", {"state": "registered"}).json()["count"] == 1


def test_bad_input_gets_a_clear_answer(api_a, agency_a, agency_b):
    package = received_package(agency_a, agency_b)
    assert api_a.post(f"/exchange/received/{package.pk}/reject", {"reason": ""}).status_code == 422
    assert api_a.post(f"/exchange/received/{package.pk}/reject", {"reason": "x", "extra": 1}).status_code == 422
    assert api_a.post(f"/exchange/received/{package.pk}/register", {"doc_type": "ZZ"}).status_code == 422
    assert api_a.get("/exchange/received", {"state": "lost"}).status_code == 422
    assert api_a.get("/exchange/received/999999").status_code == 404
    response = api_a.post(f"/exchange/received/{package.pk}/reject", {"reason": "Sai nơi nhận"})
    assert response.status_code == 200 and response.json()["reason"] == "Sai nơi nhận"


def test_the_sender_follows_the_timeline(clerk_a, agency_b, seals):
    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    api = Api(Client(), token_of(clerk_a))
    [timeline] = api.get(f"/documents/{document.pk}/exchange").json()
    assert timeline["recipient_code"] == agency_b.code and timeline["state"] == "sent"
    assert [r["code"] for r in timeline["receipts"]] == ["01"]
