"""Isolation checks of the consultation-by-exchange endpoints, registered in tests/api/test_api_isolation.py (which
imports this module): only the drafting body's staff draft the invitation letters and read or enter an incoming
document that answers one; B's clerk, who sent the answer, and A's people who are not the consultation's staff get 404."""

from __future__ import annotations

from tests.api.test_api_isolation import covers
from tests.consultation.api_checks import consulted
from tests.consultation.exchange_helpers import issue, registered_answer, reply_from
from tests.factories import make_person
from vanphong.consultation import exchange_services
from vanphong.consultation.models import Answer
from vanphong.exchange import cycle


def _seals(w):
    from vanphong.pki import services as pki

    ca_op = make_person(w.agency_a, "chungthu.gopy", "Vận Hành Góp Ý", roles=["ca_operator"])
    pki.init_ca(ca_op, name="VănPhòng Góp ý", algorithm="p256")
    for agency in (w.agency_a, w.agency_b):
        pki.issue_with_held_key(ca_op, profile="agency-seal", holder_agency=agency)


def _clerk_b(w):
    return make_person(w.agency_b, "vanthu.gopy.b", "Hoàng Thị Góp Ý", roles=["clerk"], unit=w.unit_b)


def _answered_by_exchange(w):
    """A's consultation invites B by exchange; B replies with a Word file; A's clerk registers the reply."""
    _seals(w)
    consultation, _mine, theirs = consulted(w)
    [letter] = exchange_services.send_by_exchange(w.person_a, consultation)
    issue(w.clerk_a, letter)
    cycle.run_once()
    clerk_b = _clerk_b(w)
    reply_from(clerk_b, w.agency_b)
    return consultation, theirs, registered_answer(w.clerk_a, w.agency_a), clerk_b


@covers("POST", "/consultations/{consultation_id}/invitation-letters")
def check_send_invitation_letters(w, as_):
    consultation, _mine, theirs = consulted(w)
    for person in (w.admin_b, w.person_b, w.clerk_a):  # another agency; A's invited clerk, not the drafting body
        assert as_(person).post(f"/consultations/{consultation.pk}/invitation-letters").status_code == 404, person
    theirs.refresh_from_db()
    assert theirs.exchange_document_id is None
    response = as_(w.person_a).post(f"/consultations/{consultation.pk}/invitation-letters")
    assert response.status_code == 201
    theirs.refresh_from_db()
    assert response.json()["documents"] == [theirs.exchange_document_id]


@covers("GET", "/documents/{document_id}/consultation-answer")
def check_get_exchange_answer(w, as_):
    consultation, theirs, incoming, clerk_b = _answered_by_exchange(w)
    for person in (clerk_b, w.admin_b, w.person_b, w.clerk_a):  # A's clerk reads the document, but is not the staff
        assert as_(person).get(f"/documents/{incoming.pk}/consultation-answer").status_code == 404, person
    body = as_(w.person_a).get(f"/documents/{incoming.pk}/consultation-answer").json()
    assert body["consultation_id"] == consultation.pk and body["invitation_id"] == theirs.pk


@covers("POST", "/documents/{document_id}/consultation-answer")
def check_enter_exchange_answer(w, as_):
    _consultation, theirs, incoming, clerk_b = _answered_by_exchange(w)
    for person in (clerk_b, w.admin_b, w.person_b, w.clerk_a):
        assert as_(person).post(f"/documents/{incoming.pk}/consultation-answer", {"agreed": True}).status_code == 404, person
    assert not Answer.objects.filter(invitation=theirs).exists()
    response = as_(w.person_a).post(f"/documents/{incoming.pk}/consultation-answer", {"agreed": True})
    assert response.status_code == 201 and response.json()["agreed"]
