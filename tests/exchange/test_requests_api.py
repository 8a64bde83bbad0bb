"""Recall, update and replacement through the API, both sides: the sender's clerk sends them, the
receiving clerk sees them (business_doc_type, original_id, awaiting_decision, changes) and accepts
or refuses; bad input gets 422 or 400 with the reason, and changes nothing."""

import pytest
from django.test import Client

from tests.api.conftest import Api, token_of
from tests.exchange.helpers import issued_document
from vanphong.documents.models import Document
from vanphong.exchange import cycle
from vanphong.exchange.models import InboundPackage, OutboundMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def apis(clerk_a, clerk_b):
    return Api(Client(), token_of(clerk_a)), Api(Client(), token_of(clerk_b))


@pytest.fixture
def delivered(clerk_a, agency_b, seals):
    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    return document, InboundPackage.objects.get(agency=agency_b)


def test_recall_through_the_api(apis, delivered):
    api_a, api_b = apis
    document, original = delivered
    assert api_a.post(f"/documents/{document.pk}/exchange/recall", {"reason": ""}).status_code == 422
    response = api_a.post(f"/documents/{document.pk}/exchange/recall", {"reason": "Ban hành nhầm"})
    assert response.status_code == 201 and response.json()[0]["reason"] == "Ban hành nhầm"
    response = api_a.post(f"/documents/{document.pk}/exchange/recall", {"reason": "Lần hai"})
    assert response.status_code == 422 and "already been recalled" in response.content.decode()
    cycle.run_once()
    [request] = [p for p in api_b.get("/exchange/received").json()["items"] if p["business_doc_type"] == 1]
    assert request["original_id"] == original.pk and request["awaiting_decision"] is True
    assert api_b.post(f"/exchange/received/{request['id']}/register", {"doc_type": "QĐ"}).status_code == 422  # not a document
    assert api_b.post(f"/exchange/received/{original.pk}/accept-request").status_code == 422  # not a request
    response = api_b.post(f"/exchange/received/{request['id']}/accept-request")
    assert response.status_code == 200 and response.json()["state"] == "accepted" and response.json()["awaiting_decision"] is False
    assert api_b.post(f"/exchange/received/{request['id']}/refuse-request", {"reason": "x"}).status_code == 422  # decided
    cycle.run_once()
    timeline = api_a.get(f"/documents/{document.pk}/exchange").json()
    assert {(t["business_doc_type"], tuple(r["code"] for r in t["receipts"])) for t in timeline} == {(0, ("01",)), (1, ("13", "15"))}


def test_update_through_the_api(apis, delivered):
    api_a, api_b = apis
    document, original = delivered
    assert api_a.post(f"/documents/{document.pk}/exchange/update", {"reason": "Sai", "page_count": 0}).status_code == 422
    assert api_a.post(f"/documents/{document.pk}/exchange/update", {"reason": "Sai", "urgency": 9}).status_code == 422
    assert api_a.post(f"/documents/{document.pk}/exchange/update", {"reason": "Sai", "code_number": "9"}).status_code == 422
    response = api_a.post(f"/documents/{document.pk}/exchange/update", {"reason": "Sai"})
    assert response.status_code == 422 and "Nothing was changed" in response.content.decode()
    assert not OutboundMessage.objects.filter(business_doc_type=2).exists()
    response = api_a.post(f"/documents/{document.pk}/exchange/update", {"reason": "Sai số trang", "page_count": 4, "urgency": 1})
    assert response.status_code == 201 and response.json()[0]["business_doc_type"] == 2
    cycle.run_once()
    request = InboundPackage.objects.get(business_doc_type=2)
    response = api_b.post(f"/exchange/received/{request.pk}/accept-request")
    assert response.status_code == 200 and response.json()["changes"] == {"urgency": [0, 1], "page_count": [None, 4]}
    assert api_b.get(f"/exchange/received/{request.pk}").json()["changes"] == {"urgency": [0, 1], "page_count": [None, 4]}


def test_replacement_through_the_api(apis, clerk_a, delivered):
    api_a, api_b = apis
    document, original = delivered
    assert api_a.post(f"/documents/{document.pk}/exchange/replace", {"reason": ""}).status_code == 422
    response = api_a.post(f"/documents/{document.pk}/exchange/replace", {"reason": "Thay thế"})
    assert response.status_code == 201
    draft = Document.objects.get(pk=response.json()["document_id"])
    assert draft.status == "draft" and draft.subject == document.subject
    response = api_a.post(f"/documents/{document.pk}/exchange/replace", {"reason": "Lần hai"})
    assert response.status_code == 422 and "already has a replacement" in response.content.decode()
