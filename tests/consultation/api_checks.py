"""Isolation checks of the consultation endpoints, registered in tests/api/test_api_isolation.py (which imports this
module): only the drafting body's staff read a consultation; only an invitation's own respondents read and answer it."""

from __future__ import annotations

import datetime as dt
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.api.conftest import PREFIX
from tests.api.test_api_isolation import covers, ids, unchanged
from tests.consultation.drafts import ANSWER, DRAFT, docx_bytes, upload
from vanphong.consultation import services
from vanphong.consultation.models import Answer, Comment, Consultation, Invitation, Node


def consulted(w):
    """person_a (drafting unit: subunit_a) puts a draft out; clerk_a is invited in person, agency B as a whole."""
    consultation = services.start_consultation(w.person_a, title="Dự thảo riêng của A", deadline=timezone.localdate() + dt.timedelta(days=9),
                                               upload=upload(docx_bytes(DRAFT), "du-thao.docx"))
    mine, theirs = services.invite(w.person_a, consultation, people=[w.clerk_a], agencies=[w.agency_b])
    services.answer_on_web(w.clerk_a, mine, comments=[(None, "Ý kiến riêng của văn thư A")])
    return consultation, mine, theirs


def _file_post(api, path):
    headers = api._headers()
    return api.client.post(PREFIX + path, {"file": SimpleUploadedFile("gop-y.docx", docx_bytes(ANSWER))}, headers=headers)


@covers("GET", "/consultations")
def check_list_consultations(w, as_):
    consultation, _mine, _theirs = consulted(w)
    for person in (w.admin_b, w.person_b, w.clerk_a):
        response = as_(person).get("/consultations")
        assert ids(response) == set() and "riêng của A" not in response.content.decode(), person
    assert ids(as_(w.person_a).get("/consultations")) == {consultation.pk}
    assert ids(as_(w.admin_a).get("/consultations")) == {consultation.pk}  # administrators of the drafting agency are its staff


@covers("GET", "/consultations/{consultation_id}")
def check_get_consultation(w, as_):
    consultation, _mine, _theirs = consulted(w)
    for person in (w.admin_b, w.person_b, w.clerk_a):
        assert as_(person).get(f"/consultations/{consultation.pk}").status_code == 404, person
    body = as_(w.person_a).get(f"/consultations/{consultation.pk}").json()
    assert body["tally"]["invited"] == 2 and [u["label"] for u in body["version"]["units"]][:2] == ["Chương I", "Điều 1"]


@covers("GET", "/consultations/{consultation_id}/comments")
def check_list_consultation_comments(w, as_):
    consultation, _mine, _theirs = consulted(w)
    for person in (w.admin_b, w.person_b, w.clerk_a):
        response = as_(person).get(f"/consultations/{consultation.pk}/comments")
        assert response.status_code == 404 and "riêng của văn thư" not in response.content.decode(), person
    body = as_(w.person_a).get(f"/consultations/{consultation.pk}/comments").json()
    assert [c["text"] for c in body["items"]] == ["Ý kiến riêng của văn thư A"]


@covers("PATCH", "/comments/{comment_id}")
def check_place_comment(w, as_):
    consultation, _mine, _theirs = consulted(w)
    comment = Comment.objects.get()
    article = Node.objects.get(key="article:3")
    for person in (w.admin_b, w.person_b, w.clerk_a):
        assert as_(person).patch(f"/comments/{comment.pk}", {"unit_id": article.pk}).status_code == 404, person
    unchanged(comment, node_id=None, mapping="none")
    response = as_(w.person_a).patch(f"/comments/{comment.pk}", {"unit_id": 10**9})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "unit_id"
    for person in (w.admin_b, w.clerk_a):
        assert as_(person).patch(f"/comments/{comment.pk}", {"excluded": True}).status_code == 404, person
    unchanged(comment, excluded=False)
    body = as_(w.person_a).patch(f"/comments/{comment.pk}", {"unit_id": article.pk}).json()
    assert (body["unit_id"], body["mapping"], body["excluded"]) == (article.pk, "staff", False)
    body = as_(w.person_a).patch(f"/comments/{comment.pk}", {"excluded": True}).json()
    assert (body["unit_id"], body["excluded"]) == (article.pk, True)


@covers("GET", "/invitations")
def check_list_invitations(w, as_):
    _consultation, mine, theirs = consulted(w)
    assert ids(as_(w.admin_b).get("/invitations")) == {theirs.pk}  # B's administrator answers for B
    assert ids(as_(w.person_b).get("/invitations")) == set()  # a specialist of B does not
    assert ids(as_(w.clerk_a).get("/invitations")) == {mine.pk}
    assert ids(as_(w.admin_a).get("/invitations")) == set()


@covers("GET", "/invitations/{invitation_id}")
def check_get_invitation(w, as_):
    _consultation, mine, theirs = consulted(w)
    for person in (w.admin_b, w.person_b, w.person_a):
        assert as_(person).get(f"/invitations/{mine.pk}").status_code == 404, person
    body = as_(w.admin_b).get(f"/invitations/{theirs.pk}").json()
    assert body["state"] == "waiting" and body["can_answer"] and len(body["version"]["units"]) == 16


@covers("POST", "/invitations/{invitation_id}/answer")
def check_answer(w, as_):
    _consultation, mine, theirs = consulted(w)
    for person in (w.admin_b, w.person_b, w.person_a):
        assert as_(person).post(f"/invitations/{mine.pk}/answer", {"agreed": True}).status_code == 404, person
    assert as_(w.person_b).post(f"/invitations/{theirs.pk}/answer", {"agreed": True}).status_code == 404
    assert Answer.objects.count() == 1
    article = Node.objects.get(key="article:5")
    response = as_(w.admin_b).post(f"/invitations/{theirs.pk}/answer", {"comments": [{"unit_id": article.pk, "text": "Góp ý Điều 5"}]})
    assert response.status_code == 201 and response.json()["comments"][0]["unit_id"] == article.pk


@covers("POST", "/invitations/{invitation_id}/answer-file")
def check_answer_file(w, as_):
    _consultation, mine, theirs = consulted(w)
    for person in (w.admin_b, w.person_b, w.person_a):
        assert _file_post(as_(person), f"/invitations/{mine.pk}/answer-file").status_code == 404, person
    assert Answer.objects.count() == 1
    response = _file_post(as_(w.admin_b), f"/invitations/{theirs.pk}/answer-file")
    assert response.status_code == 201, response.content
    assert [c["mapping"] for c in response.json()["comments"]] == ["none", "inherited", "unresolved", "found", "unresolved"]


def _multipart(api, path, payload, file=None):
    data = {"payload": json.dumps(payload)}
    if file is not None:
        data["file"] = file
    return api.client.post(PREFIX + path, data, headers=api._headers())


@covers("POST", "/consultations")
def check_start_consultation(w, as_):
    from tests.factories import make_person

    nobody = make_person(w.agency_a, "khongvaitro.a", "Không Vai Trò", unit=w.unit_a)
    payload = {"title": "Dự thảo qua API", "deadline": (timezone.localdate() + dt.timedelta(days=5)).isoformat()}
    response = _multipart(as_(nobody), "/consultations", payload, SimpleUploadedFile("d.docx", docx_bytes(DRAFT)))
    assert response.status_code == 403
    response = _multipart(as_(w.person_a), "/consultations", payload, SimpleUploadedFile("d.xlsx", b"PK\x03\x04" + b"x" * 50))
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "file"
    assert not Consultation.objects.exists()
    response = _multipart(as_(w.admin_b), "/consultations", payload, SimpleUploadedFile("d.docx", docx_bytes(DRAFT)))
    assert response.status_code == 201
    made = Consultation.objects.get()
    assert made.agency == w.agency_b and response.json()["version"]["units"][1]["label"] == "Điều 1"
    # What B made, A's people do not see.
    assert as_(w.person_a).get(f"/consultations/{made.pk}").status_code == 404


@covers("GET", "/consultations/{consultation_id}/invitations")
def check_list_consultation_invitations(w, as_):
    consultation, mine, theirs = consulted(w)
    for person in (w.admin_b, w.person_b, w.clerk_a):
        assert as_(person).get(f"/consultations/{consultation.pk}/invitations").status_code == 404, person
    rows = as_(w.person_a).get(f"/consultations/{consultation.pk}/invitations").json()
    assert [(r["id"], r["state"], r["comments"]) for r in rows] == [(mine.pk, "answered", 1), (theirs.pk, "waiting", 0)]


@covers("POST", "/consultations/{consultation_id}/invitations")
def check_invite(w, as_):
    consultation, _mine, _theirs = consulted(w)
    for person in (w.admin_b, w.person_b, w.clerk_a):
        assert as_(person).post(f"/consultations/{consultation.pk}/invitations", {"unit_ids": [w.unit_a.pk]}).status_code == 404
    response = as_(w.person_a).post(f"/consultations/{consultation.pk}/invitations", {"unit_ids": [w.unit_b.pk]})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "unit_ids"  # another agency's unit
    response = as_(w.person_a).post(f"/consultations/{consultation.pk}/invitations", {"person_ids": [w.person_b.pk]})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "person_ids"
    assert Invitation.objects.count() == 2
    response = as_(w.person_a).post(f"/consultations/{consultation.pk}/invitations", {"unit_ids": [w.unit_a.pk]})
    assert response.status_code == 201 and [i["invitee"] for i in response.json()] == ["Văn phòng Tỉnh ủy"]


@covers("POST", "/invitations/{invitation_id}/paper-answer")
def check_paper_answer(w, as_):
    _consultation, _mine, theirs = consulted(w)
    payload = {"received_on": timezone.localdate().isoformat(), "text": "Về Điều 4:\nĐề nghị bỏ."}
    for person in (w.admin_b, w.person_b, w.clerk_a):  # B's administrator answers for B, but does not type for the drafting body
        assert _multipart(as_(person), f"/invitations/{theirs.pk}/paper-answer", payload).status_code == 404, person
    assert Answer.objects.count() == 1
    response = _multipart(as_(w.person_a), f"/invitations/{theirs.pk}/paper-answer", {**payload, "received_on": "2099-01-01"})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "received_on"
    response = _multipart(as_(w.person_a), f"/invitations/{theirs.pk}/paper-answer", payload)
    assert response.status_code == 201 and response.json()["comments"][0]["mapping"] == "inherited"
    response = _multipart(as_(w.person_a), f"/invitations/{theirs.pk}/paper-answer", {**payload, "text": ""},
                          SimpleUploadedFile("gop-y.docx", docx_bytes(ANSWER)))
    assert response.status_code == 201 and len(response.json()["comments"]) == 5
