"""The consolidation page: run, progress while the worker runs, the groups per part with their controls; who reaches it
(the drafting body's staff; 404 for respondents and other agencies), and refusals shown without changing anything."""

import pytest

from tests.conftest import signed_in
from tests.consultation.test_consolidation import GENERAL, SHORTER, SIGNATURE, URGENT, _by_text, _groups, answered  # noqa: F401
from vanphong.consultation import tasks
from vanphong.consultation.models import CommentGroup, ConsolidationRun, GroupingDecision

pytestmark = pytest.mark.django_db


def _run_from_page(client, consultation):
    response = client.post(f"/consultation/{consultation.pk}/consolidation/run/")
    assert response.status_code == 302 and response["Location"] == f"/consultation/{consultation.pk}/consolidation/"
    run = ConsolidationRun.objects.get(consultation=consultation, status="queued")
    return run


def test_staff_run_it_watch_the_progress_and_see_the_groups(client, consultation, drafter, answered):  # noqa: F811
    signed_in(client, drafter)
    detail = client.get(f"/consultation/{consultation.pk}/").content.decode()
    assert f'href="/consultation/{consultation.pk}/consolidation/"' in detail
    page = client.get(f"/consultation/{consultation.pk}/consolidation/").content.decode()
    assert "have not been consolidated yet" in page and 'id="run-consolidation"' in page
    run = _run_from_page(client, consultation)
    page = client.get(f"/consultation/{consultation.pk}/consolidation/").content.decode()
    assert 'id="consolidation-bar"' in page and "Waiting for the background worker" in page and 'id="run-consolidation"' not in page
    polled = client.get(f"/consultation/{consultation.pk}/consolidation/progress/", HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and "HX-Refresh" not in polled and 'hx-trigger="every 1s"' in polled.content.decode()
    ConsolidationRun.objects.filter(pk=run.pk).update(status="running", articles_total=2, articles_done=1, comments=5)
    polled = client.get(f"/consultation/{consultation.pk}/consolidation/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert 'max="2" value="1"' in polled and "1 of 2 parts" in polled
    ConsolidationRun.objects.filter(pk=run.pk).update(status="queued")
    tasks.consolidate.call(run.pk)
    polled = client.get(f"/consultation/{consultation.pk}/consolidation/progress/", HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"  # done: the page reloads to show the groups
    page = client.get(f"/consultation/{consultation.pk}/consolidation/").content.decode()
    assert "Điều 3" in page and "The draft as a whole" in page and SHORTER in page and GENERAL in page
    assert "2 comments · from 2 respondents (2 units)" in page and "Single comment" in page
    assert 'id="run-consolidation"' in page and "Run the consolidation again" in page


def test_staff_merge_split_move_close_and_answer_from_the_page(client, consultation, drafter, answered):  # noqa: F811
    signed_in(client, drafter)
    tasks.consolidate.call(_run_from_page(client, consultation).pk)
    shorter = _by_text(consultation, SHORTER)
    (signature,), (urgent,), (general,) = (_by_text(consultation, t) for t in (SIGNATURE, URGENT, GENERAL))
    base = f"/consultation/{consultation.pk}/consolidation/"
    response = client.post(f"{base}merge/", {"groups": [shorter[0].group_id, signature.group_id]})
    kept = CommentGroup.objects.get(members=signature)
    assert response["Location"] == f"{base}#group-{kept.pk}" and kept.members.count() == 3
    response = client.post(f"/consultation/groups/{kept.pk}/members/", {"action": "split", "comments": [shorter[1].pk]})
    assert response.status_code == 302 and frozenset({shorter[1].pk}) in _groups(consultation)
    response = client.post(f"/consultation/groups/{general.group_id}/members/",
                           {"action": "move", "comments": [general.pk], "target": [urgent.group_id]})
    assert frozenset({general.pk, urgent.pk}) in _groups(consultation)
    client.post(f"/consultation/groups/{kept.pk}/close/", {"closed": "1"})
    article3 = shorter[0].node
    client.post(f"/consultation/groups/{kept.pk}/respond/", {"response": "accepted", "response_text": "Đã sửa.",
                                                             "response_node": article3.pk})
    kept.refresh_from_db()
    assert kept.closed and kept.response == "accepted" and kept.response_node == article3
    page = client.get(base).content.decode()
    assert "Accepted:</strong> Đã sửa." in page and "Reopen the group" in page


def test_refusals_are_shown_and_change_nothing(client, consultation, drafter, answered):  # noqa: F811
    signed_in(client, drafter)
    tasks.consolidate.call(_run_from_page(client, consultation).pk)
    shorter = _by_text(consultation, SHORTER)
    (general,) = _by_text(consultation, GENERAL)
    before = (_groups(consultation), GroupingDecision.objects.count())
    base = f"/consultation/{consultation.pk}/consolidation/"
    for url, data, message in [
        (f"{base}merge/", {"groups": [shorter[0].group_id]}, "at least two groups"),
        (f"{base}merge/", {"groups": [shorter[0].group_id, general.group_id]}, "same part"),
        (f"{base}merge/", {"groups": ["x"]}, "form was damaged"),
        (f"/consultation/groups/{shorter[0].group_id}/members/", {"action": "split"}, "Choose the comments to split off"),
        (f"/consultation/groups/{shorter[0].group_id}/members/", {"action": "move", "comments": [shorter[0].pk]}, "Choose the group"),
        (f"/consultation/groups/{shorter[0].group_id}/respond/", {"response": "accepted"}, "Write what was changed"),
        (f"{base}run/", {}, None),
    ]:
        response = client.post(url, data, follow=True)
        if message:
            assert message in response.content.decode(), url
    assert "already queued or running" in client.post(f"{base}run/", follow=True).content.decode()
    assert (_groups(consultation), GroupingDecision.objects.count()) == before
    assert ConsolidationRun.objects.filter(consultation=consultation, status="queued").count() == 1


def test_respondents_and_other_agencies_reach_nothing(client, consultation, drafter, organiser, clerk_b, answered):  # noqa: F811
    signed_in(client, drafter)
    tasks.consolidate.call(_run_from_page(client, consultation).pk)
    group = CommentGroup.objects.filter(consultation=consultation).first()
    before = (_groups(consultation), GroupingDecision.objects.count(), ConsolidationRun.objects.count())
    for outsider in (organiser, clerk_b):
        signed_in(client, outsider)
        for url in [f"/consultation/{consultation.pk}/consolidation/", f"/consultation/{consultation.pk}/consolidation/progress/"]:
            assert client.get(url).status_code == 404, url
        for url, data in [(f"/consultation/{consultation.pk}/consolidation/run/", {}),
                          (f"/consultation/{consultation.pk}/consolidation/merge/", {"groups": [group.pk, group.pk + 1]}),
                          (f"/consultation/groups/{group.pk}/members/", {"action": "split", "comments": [1]}),
                          (f"/consultation/groups/{group.pk}/close/", {"closed": "1"}),
                          (f"/consultation/groups/{group.pk}/respond/", {"response": "noted"})]:
            assert client.post(url, data).status_code == 404, url
    group.refresh_from_db()
    assert not group.closed and group.response == ""
    assert (_groups(consultation), GroupingDecision.objects.count(), ConsolidationRun.objects.count()) == before


def test_a_big_consolidation_is_shown_one_part_at_a_time(client, consultation, drafter, answered, monkeypatch):  # noqa: F811
    from vanphong.consultation import consolidation_views

    signed_in(client, drafter)
    tasks.consolidate.call(_run_from_page(client, consultation).pk)
    monkeypatch.setattr(consolidation_views, "ONE_PART_ABOVE", 2)
    monkeypatch.setattr(consolidation_views, "MOVE_ANYWHERE", 1)
    base = f"/consultation/{consultation.pk}/consolidation/"
    page = client.get(base).content.decode()
    assert "one part of the draft at a time" in page and GENERAL in page and SHORTER not in page
    article3 = _by_text(consultation, SHORTER)[0].node
    page = client.get(f"{base}?part={article3.pk}").content.decode()
    assert SHORTER in page and GENERAL not in page
    assert "The draft as a whole · Group" not in page  # moves offered within the part only
