# ruff: noqa: F811
"""The consultation-by-exchange endpoints over the real flow on one instance (local transport): staff draft the
invitation letter through the API, and enter B's reply through the API; B's clerk and A's other people get 404, and a
second entry, an unknown file and a document answering nothing are refused without changing anything."""

import pytest
from django.test import Client

from tests.api.conftest import Api, token_of
from tests.consultation.exchange_helpers import (  # noqa: F401  (fixtures, used as arguments: hence F811)
    _fast_passwords,
    clerk_b,
    issue,
    pki,
    registered_answer,
    reply_from,
    seals,
)
from vanphong.consultation import services
from vanphong.consultation.models import Answer, Comment, Invitation
from vanphong.exchange import cycle

pytestmark = pytest.mark.django_db


def api(person):
    return Api(Client(), token_of(person))


def test_letters_and_answers_by_exchange_through_the_api(drafter, consultation, clerk_a, clerk_b, agency_a, agency_b, seals):
    [invitation] = services.invite(drafter, consultation, agencies=[agency_b])
    path = f"/consultations/{consultation.pk}/invitation-letters"
    for outsider in (clerk_a, clerk_b):
        assert api(outsider).post(path).status_code == 404
    response = api(drafter).post(path)
    assert response.status_code == 201, response.content
    [letter_id] = response.json()["documents"]
    invitation.refresh_from_db()
    assert invitation.exchange_document_id == letter_id
    again = api(drafter).post(path)  # every invited agency has its letter already
    assert again.status_code == 422 and Invitation.objects.get(pk=invitation.pk).exchange_document_id == letter_id

    issue(clerk_a, invitation.exchange_document)
    cycle.run_once()
    reply_from(clerk_b, agency_b)
    incoming = registered_answer(clerk_a, agency_a)
    answer_path = f"/documents/{incoming.pk}/consultation-answer"

    assert api(clerk_a).get(answer_path).status_code == 404  # reads the document, but is not the consultation's staff
    assert api(clerk_b).get(answer_path).status_code == 404
    found = api(drafter).get(answer_path).json()
    assert found["consultation_id"] == consultation.pk and found["letter_id"] == letter_id
    assert found["invitation_id"] == invitation.pk and found["entered"] == []
    [attachment] = found["files"]
    assert attachment["filename"] == "Góp ý dự thảo.docx"

    wrong = api(drafter).post(answer_path, {"attachment_id": attachment["id"] + 1000})
    assert wrong.status_code == 422 and not Answer.objects.filter(invitation=invitation).exists()
    assert api(clerk_a).post(answer_path, {"attachment_id": attachment["id"]}).status_code == 404
    entered = api(drafter).post(answer_path, {"attachment_id": attachment["id"]})
    assert entered.status_code == 201, entered.content
    body = entered.json()
    assert not body["agreed"] and len(body["comments"]) == Comment.objects.filter(answer_id=body["id"]).count() > 0
    assert api(drafter).get(answer_path).json()["entered"] == [body["id"]]
    assert api(drafter).post(answer_path, {"agreed": True}).status_code == 422  # entered once
    assert Answer.objects.filter(invitation=invitation).count() == 1

    letter_page = f"/documents/{letter_id}/consultation-answer"  # our own letter answers nothing
    assert api(drafter).get(letter_page).status_code == 404
