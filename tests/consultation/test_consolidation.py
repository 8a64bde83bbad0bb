"""Consolidation from the web's side: runs (queued, run by the worker, progress), the staff's merges, splits, moves and
closed groups that survive a re-run, the drafting body's responses, and refusals that change nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks_db.models import DBTaskResult

from vanphong.consultation import consolidation, selectors, services, tasks
from vanphong.consultation.models import Comment, CommentGroup, ConsolidationRun, GroupingDecision, Node
from vanphong.core.models import AuditRecord

pytestmark = pytest.mark.django_db

SHORTER = "Đề nghị rút ngắn thời hạn tiếp nhận văn bản xuống còn bốn giờ làm việc kể từ khi nhận được."
SIGNATURE = "Cần bổ sung quy định về chữ ký số của văn thư khi đăng ký văn bản đến vào sổ."
URGENT = "Đề nghị làm rõ khái niệm văn bản khẩn, ai là người xác định độ khẩn của văn bản."
GENERAL = "Nhìn chung chúng tôi tán thành với bố cục của dự thảo."


def _node(consultation, key):
    return Node.objects.get(version=selectors.latest_version(consultation), key=key)


@pytest.fixture
def answered(consultation, invited, organiser, propagandist):
    """Two units: the same request twice on Điều 3 (a campaign), two other requests on it, one on the whole draft."""
    article3 = _node(consultation, "article:3")
    services.answer_on_web(organiser, invited["org"], comments=[(article3.pk, SHORTER), (article3.pk, SIGNATURE), (None, GENERAL)])
    services.answer_on_web(propagandist, invited["prop"], comments=[(article3.pk, SHORTER), (article3.pk, URGENT)])
    return {c.text[:12] + str(c.invitation_id): c for c in Comment.objects.filter(consultation=consultation)}


def _by_text(consultation, text):
    return list(Comment.objects.filter(consultation=consultation, text=text).order_by("id"))


def _run(drafter, consultation):
    run = consolidation.request_run(drafter, consultation)
    result = tasks.consolidate.call(run.pk)
    assert result["status"] == "done", ConsolidationRun.objects.get(pk=run.pk).error
    return ConsolidationRun.objects.get(pk=run.pk)


def _groups(consultation):
    """{frozenset of member texts' first words + ids}: the grouping as sets of comment ids."""
    return {frozenset(g.members.values_list("pk", flat=True)) for g in CommentGroup.objects.filter(consultation=consultation)}


def test_a_run_is_queued_then_groups_each_unit_with_its_progress(consultation, drafter, answered, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = consolidation.request_run(drafter, consultation)
    assert run.status == ConsolidationRun.Status.QUEUED
    queued = DBTaskResult.objects.get(task_path="vanphong.consultation.tasks.consolidate")
    assert queued.args_kwargs["args"] == [run.pk]
    assert tasks.consolidate.call(run.pk)["status"] == "done"
    run.refresh_from_db()
    assert run.status == "done" and run.comments == 5 and run.articles_total == 2 and run.articles_done == 2
    assert run.started_at and run.finished_at and run.version == selectors.latest_version(consultation)
    shorter = {c.pk for c in _by_text(consultation, SHORTER)}
    assert shorter in _groups(consultation)  # the campaign's copies are one group
    groups = list(CommentGroup.objects.filter(consultation=consultation, node=_node(consultation, "article:3")).order_by("position"))
    assert {m.pk for m in groups[0].members.all()} == shorter and groups[0].representative_id in shorter
    assert CommentGroup.objects.filter(consultation=consultation, node=None).count() == 1
    assert AuditRecord.objects.filter(action="consultation.consolidated", target_id=str(run.pk)).exists()
    assert tasks.consolidate.call(run.pk)["status"] == "skipped"  # a run is taken once


def test_a_second_request_while_one_is_queued_is_refused(consultation, drafter, answered):
    first = consolidation.request_run(drafter, consultation)
    with pytest.raises(ValidationError, match="already queued or running"):
        consolidation.request_run(drafter, consultation)
    assert list(consultation.runs.all()) == [first]
    tasks.consolidate.call(first.pk)
    assert consolidation.request_run(drafter, consultation).status == "queued"  # once done, a re-run is welcome


def test_only_the_staff_run_it_and_there_must_be_comments(consultation, drafter, organiser, answered):
    with pytest.raises(PermissionDenied):
        consolidation.request_run(organiser, consultation)
    Comment.objects.filter(consultation=consultation).update(excluded=True)
    with pytest.raises(ValidationError, match="no comments to consolidate"):
        consolidation.request_run(drafter, consultation)
    assert not consultation.runs.exists()


def test_a_failing_run_is_marked_failed_with_its_message(consultation, drafter, answered, monkeypatch):
    run = consolidation.request_run(drafter, consultation)

    def broken(*args, **kwargs):
        raise RuntimeError("engine broke")

    monkeypatch.setattr(consolidation.engine, "group", broken)
    assert tasks.consolidate.call(run.pk)["status"] == "failed"
    run.refresh_from_db()
    assert run.error == "engine broke" and run.finished_at
    assert not CommentGroup.objects.filter(consultation=consultation).exists()


def test_merge_split_move_and_close_survive_a_rerun_with_the_responses(consultation, drafter, answered):
    _run(drafter, consultation)
    article3 = _node(consultation, "article:3")
    shorter = _by_text(consultation, SHORTER)
    (signature,), (urgent,), (general,) = (_by_text(consultation, t) for t in (SIGNATURE, URGENT, GENERAL))
    # Merge the signature request into the campaign, and answer it.
    merged = consolidation.merge_groups(drafter, consultation, [shorter[0].group_id, signature.group_id])
    assert {m.pk for m in merged.members.all()} == {shorter[0].pk, shorter[1].pk, signature.pk}
    consolidation.respond(drafter, consultation, merged.pk, response="accepted", text="Đã sửa khoản 1 Điều 3.",
                          node=article3)
    # Split one copy of the campaign off; move the general comment onto Điều 3's urgent group; close that group.
    split = consolidation.split_group(drafter, consultation, merged.pk, [shorter[1].pk])
    assert list(split.members.values_list("pk", flat=True)) == [shorter[1].pk]
    moved_to = consolidation.move_comment(drafter, Comment.objects.get(pk=general.pk), Comment.objects.get(pk=urgent.pk).group_id)
    general.refresh_from_db()
    assert general.node == article3 and general.mapping == Comment.Mapping.STAFF  # moved across parts: placed too
    consolidation.set_closed(drafter, consultation, moved_to.pk, closed=True)
    consolidation.respond(drafter, consultation, moved_to.pk, response="explained", text="Khái niệm đã có ở luật.")
    before = _groups(consultation)
    assert before == {frozenset({shorter[0].pk, signature.pk}), frozenset({shorter[1].pk}),
                      frozenset({urgent.pk, general.pk})}

    _run(drafter, consultation)
    assert _groups(consultation) == before
    kept = Comment.objects.get(pk=signature.pk).group
    assert kept.response == "accepted" and kept.response_text == "Đã sửa khoản 1 Điều 3." and kept.response_node == article3
    closed = Comment.objects.get(pk=urgent.pk).group
    assert closed.closed and closed.response == "explained"
    assert Comment.objects.get(pk=shorter[1].pk).group.response == ""
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"consultation.groups_merged", "consultation.group_split", "consultation.comment_moved",
            "consultation.group_closed", "consultation.group_answered"} <= actions


def test_the_newest_decision_wins_over_an_earlier_one(consultation, drafter, answered):
    _run(drafter, consultation)
    shorter = _by_text(consultation, SHORTER)
    split = consolidation.split_group(drafter, consultation, shorter[0].group_id, [shorter[1].pk])
    merged = consolidation.merge_groups(drafter, consultation, [shorter[0].group_id, split.pk])  # changed their mind
    assert merged.members.count() == 2
    _run(drafter, consultation)
    assert frozenset(c.pk for c in shorter) in _groups(consultation)
    assert not GroupingDecision.objects.filter(kind="apart").exists()


def test_refusals_change_nothing(consultation, drafter, organiser, answered, consultation_b=None):
    _run(drafter, consultation)
    shorter = _by_text(consultation, SHORTER)
    (urgent,), (general,) = _by_text(consultation, URGENT), _by_text(consultation, GENERAL)
    group = CommentGroup.objects.get(pk=shorter[0].group_id)
    before = (_groups(consultation), GroupingDecision.objects.count(), AuditRecord.objects.count())
    refusals = [
        (lambda: consolidation.merge_groups(drafter, consultation, [group.pk]), "at least two"),
        (lambda: consolidation.merge_groups(drafter, consultation, [group.pk, general.group_id]), "same part"),
        (lambda: consolidation.merge_groups(drafter, consultation, [group.pk, 10**9]), "this consultation"),
        (lambda: consolidation.split_group(drafter, consultation, group.pk, []), "Choose the comments"),
        (lambda: consolidation.split_group(drafter, consultation, group.pk, [urgent.pk]), "comments of this group"),
        (lambda: consolidation.split_group(drafter, consultation, group.pk, [c.pk for c in shorter]), "at least one"),
        (lambda: consolidation.move_comment(drafter, shorter[0], group.pk), "in this group already"),
        (lambda: consolidation.respond(drafter, consultation, group.pk, response="maybe"), "accepted, explained or noted"),
        (lambda: consolidation.respond(drafter, consultation, group.pk, response="accepted", text=" "), "Write what"),
    ]
    for refused, message in refusals:
        with pytest.raises(ValidationError, match=message):
            refused()
    with pytest.raises(PermissionDenied):
        consolidation.merge_groups(organiser, consultation, [group.pk, urgent.group_id])
    consolidation.set_closed(drafter, consultation, group.pk, closed=True)
    with pytest.raises(ValidationError, match="reopen it first"):
        consolidation.split_group(drafter, consultation, group.pk, [shorter[1].pk])
    consolidation.set_closed(drafter, consultation, group.pk, closed=False)
    assert not GroupingDecision.objects.filter(kind="closed").exists()
    assert (_groups(consultation), GroupingDecision.objects.count()) == before[:2]


def test_a_contradiction_of_earlier_decisions_is_refused_clearly(consultation, drafter, answered):
    _run(drafter, consultation)
    shorter = _by_text(consultation, SHORTER)
    (signature,), (urgent,) = _by_text(consultation, SIGNATURE), _by_text(consultation, URGENT)
    # Apart: signature from urgent; together: the campaign with signature, then with urgent — the chain contradicts.
    merged = consolidation.merge_groups(drafter, consultation, [shorter[0].group_id, signature.group_id])
    consolidation.split_group(drafter, consultation, merged.pk, [signature.pk])
    consolidation.merge_groups(drafter, consultation, [shorter[0].group_id, urgent.group_id])
    GroupingDecision.objects.create(consultation=consultation, kind="together", first=[signature.pk, shorter[1].pk],
                                    made_by=drafter)  # an older decision that chains signature to the campaign
    before = _groups(consultation)
    with pytest.raises(ValidationError, match="contradicts an earlier decision"):
        consolidation.set_closed(drafter, consultation, Comment.objects.get(pk=urgent.pk).group_id, closed=True)
    assert _groups(consultation) == before


def test_changes_wait_while_a_run_is_queued_but_responses_do_not(consultation, drafter, answered):
    _run(drafter, consultation)
    shorter = _by_text(consultation, SHORTER)
    (urgent,) = _by_text(consultation, URGENT)
    consolidation.request_run(drafter, consultation)
    with pytest.raises(ValidationError, match="consolidation is running"):
        consolidation.merge_groups(drafter, consultation, [shorter[0].group_id, urgent.group_id])
    answered_group = consolidation.respond(drafter, consultation, urgent.group_id, response="noted")
    assert answered_group.response == "noted" and answered_group.responded_by == drafter
