"""Isolation checks of the consolidation endpoints, registered in tests/api/test_api_isolation.py (which imports this
module): only the drafting body's staff run a consolidation, read its groups and change them; a respondent of the
consultation and another agency get 404, and refusals (422) change nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.api.test_api_isolation import covers, unchanged
from tests.consultation.drafts import DRAFT, docx_bytes, upload
from vanphong.consultation import consolidation, services, tasks
from vanphong.consultation.models import Comment, CommentGroup, ConsolidationRun, GroupingDecision, Node

SHORTER = "Đề nghị rút ngắn thời hạn tiếp nhận văn bản xuống còn bốn giờ làm việc."
URGENT = "Đề nghị làm rõ khái niệm văn bản khẩn, ai là người xác định độ khẩn."


def consolidated(w, run: bool = True):
    """person_a (drafting unit: subunit_a) puts a draft out; clerk_a answers on Điều 3 (a request twice, another
    once) and on the whole draft; the consolidation has run."""
    consultation = services.start_consultation(w.person_a, title="Dự thảo riêng của A", deadline=timezone.localdate() + dt.timedelta(days=9),
                                               upload=upload(docx_bytes(DRAFT), "du-thao.docx"))
    (mine,) = services.invite(w.person_a, consultation, people=[w.clerk_a])
    article3 = Node.objects.get(version__consultation=consultation, key="article:3")
    services.answer_on_web(w.clerk_a, mine, comments=[(article3.pk, SHORTER), (article3.pk, SHORTER), (article3.pk, URGENT),
                                                      (None, "Ý kiến riêng của văn thư A")])
    if run:
        tasks.consolidate.call(consolidation.request_run(w.person_a, consultation).pk)
    return consultation


def _groups_of(consultation):
    return {frozenset(g.members.values_list("pk", flat=True)) for g in CommentGroup.objects.filter(consultation=consultation)}


OUTSIDERS = ("admin_b", "person_b", "clerk_a")  # clerk_a answered: a respondent, not staff


@covers("POST", "/consultations/{consultation_id}/consolidation/runs")
def check_run_consolidation(w, as_):
    consultation = consolidated(w, run=False)
    for person in OUTSIDERS:
        assert as_(getattr(w, person)).post(f"/consultations/{consultation.pk}/consolidation/runs").status_code == 404, person
    assert not ConsolidationRun.objects.exists()
    response = as_(w.person_a).post(f"/consultations/{consultation.pk}/consolidation/runs")
    assert response.status_code == 202 and response.json()["status"] == "queued" and response.json()["comments"] == 0
    again = as_(w.person_a).post(f"/consultations/{consultation.pk}/consolidation/runs")
    assert again.status_code == 422 and "already queued or running" in again.json()["detail"][0]["message"]
    assert ConsolidationRun.objects.count() == 1


@covers("GET", "/consultations/{consultation_id}/consolidation")
def check_get_consolidation(w, as_):
    consultation = consolidated(w)
    for person in OUTSIDERS:
        assert as_(getattr(w, person)).get(f"/consultations/{consultation.pk}/consolidation").status_code == 404, person
    body = as_(w.person_a).get(f"/consultations/{consultation.pk}/consolidation").json()
    assert body["run"]["status"] == "done" and body["run"]["comments"] == 4 and body["waiting_comments"] == 0
    assert body["run"]["articles_done"] == body["run"]["articles_total"] == 2 and body["run"]["version"] == 1


@covers("GET", "/consultations/{consultation_id}/groups")
def check_list_groups(w, as_):
    consultation = consolidated(w)
    for person in OUTSIDERS:
        response = as_(getattr(w, person)).get(f"/consultations/{consultation.pk}/groups")
        assert response.status_code == 404 and "riêng của văn thư" not in response.content.decode(), person
    body = as_(w.person_a).get(f"/consultations/{consultation.pk}/groups", {"limit": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    general, campaign = body["items"]
    assert general["unit_id"] is None and general["members"][0]["text"] == "Ý kiến riêng của văn thư A"
    assert campaign["unit_label"] == "Điều 3" and campaign["comments"] == 2 and campaign["respondents"] == 1
    assert campaign["representative_text"] == SHORTER and campaign["response"] == ""


@covers("POST", "/consultations/{consultation_id}/groups/merge")
def check_merge_groups(w, as_):
    consultation = consolidated(w)
    on_article = list(CommentGroup.objects.filter(consultation=consultation, node__isnull=False).values_list("pk", flat=True))
    general = CommentGroup.objects.get(consultation=consultation, node=None)
    before = _groups_of(consultation)
    for person in OUTSIDERS:
        assert as_(getattr(w, person)).post(f"/consultations/{consultation.pk}/groups/merge", {"group_ids": on_article}).status_code == 404
    response = as_(w.person_a).post(f"/consultations/{consultation.pk}/groups/merge", {"group_ids": [on_article[0], general.pk]})
    assert response.status_code == 422 and "same part" in response.json()["detail"][0]["message"]
    assert as_(w.person_a).post(f"/consultations/{consultation.pk}/groups/merge", {"group_ids": [on_article[0]]}).status_code == 422
    assert _groups_of(consultation) == before and not GroupingDecision.objects.exists()
    body = as_(w.person_a).post(f"/consultations/{consultation.pk}/groups/merge", {"group_ids": on_article}).json()
    assert body["comments"] == 3 and GroupingDecision.objects.get().kind == "together"


@covers("POST", "/groups/{group_id}/split")
def check_split_group(w, as_):
    consultation = consolidated(w)
    campaign = CommentGroup.objects.get(consultation=consultation, position=0, node__isnull=False)
    copy = campaign.members.order_by("id").last()
    before = _groups_of(consultation)
    for person in OUTSIDERS:
        assert as_(getattr(w, person)).post(f"/groups/{campaign.pk}/split", {"comment_ids": [copy.pk]}).status_code == 404
    other = Comment.objects.get(text=URGENT)
    assert as_(w.person_a).post(f"/groups/{campaign.pk}/split", {"comment_ids": [other.pk]}).status_code == 422
    assert as_(w.person_a).post(f"/groups/{campaign.pk}/split", {"comment_ids": []}).status_code == 422
    assert _groups_of(consultation) == before
    response = as_(w.person_a).post(f"/groups/{campaign.pk}/split", {"comment_ids": [copy.pk]})
    assert response.status_code == 201 and [m["id"] for m in response.json()["members"]] == [copy.pk]


@covers("POST", "/groups/{group_id}/move")
def check_move_to_group(w, as_):
    consultation = consolidated(w)
    urgent = Comment.objects.get(text=URGENT)
    general = Comment.objects.get(consultation=consultation, node=None)
    target = urgent.group
    for person in OUTSIDERS:
        assert as_(getattr(w, person)).post(f"/groups/{target.pk}/move", {"comment_ids": [general.pk]}).status_code == 404
    unchanged(general, group_id=general.group_id, node_id=None)
    assert as_(w.person_a).post(f"/groups/{target.pk}/move", {"comment_ids": [urgent.pk]}).status_code == 422  # there already
    body = as_(w.person_a).post(f"/groups/{target.pk}/move", {"comment_ids": [general.pk]}).json()
    assert {m["id"] for m in body["members"]} == {urgent.pk, general.pk}
    unchanged(general, node_id=urgent.node_id, mapping="staff")  # moved across parts: placed on Điều 3


@covers("POST", "/groups/{group_id}/close")
def check_close_group(w, as_):
    consultation = consolidated(w)
    group = CommentGroup.objects.filter(consultation=consultation).first()
    for person in OUTSIDERS:
        assert as_(getattr(w, person)).post(f"/groups/{group.pk}/close", {"closed": True}).status_code == 404
    unchanged(group, closed=False)
    assert as_(w.person_a).post(f"/groups/{group.pk}/close", {"closed": "maybe"}).status_code == 422
    assert as_(w.person_a).post(f"/groups/{group.pk}/close", {"closed": True}).json()["closed"] is True
    assert as_(w.person_a).post(f"/groups/{group.pk}/close", {"closed": False}).json()["closed"] is False


@covers("PUT", "/groups/{group_id}/response")
def check_respond(w, as_):
    consultation = consolidated(w)
    group = CommentGroup.objects.get(consultation=consultation, node=None)
    article3 = Node.objects.get(version__consultation=consultation, key="article:3")
    answer = {"response": "accepted", "text": "Đã bổ sung vào Điều 3.", "unit_id": article3.pk}
    for person in OUTSIDERS:
        assert as_(getattr(w, person)).put(f"/groups/{group.pk}/response", answer).status_code == 404
    for bad in ({**answer, "response": "maybe"}, {**answer, "text": ""}, {**answer, "unit_id": 10**9}):
        assert as_(w.person_a).put(f"/groups/{group.pk}/response", bad).status_code == 422, bad
    unchanged(group, response="", response_text="")
    body = as_(w.person_a).put(f"/groups/{group.pk}/response", answer).json()
    assert (body["response"], body["response_text"], body["response_unit_id"]) == ("accepted", answer["text"], article3.pk)
