"""Consolidation of a consultation's comments (issue 7, items 4 and 5): runs of the engine, and the staff's changes to
its groups and the drafting body's responses.

A run groups the included comments of each unit of the latest version (engine.group, article key = the unit's key,
"" for the draft as a whole) under the staff's GroupingDecisions, and replaces the consultation's groups at once at
its end. Each staff change is both recorded as a decision (so every re-run keeps it) and applied to the current
groups (so it shows at once). The newest decision wins: the parts of earlier decisions it contradicts are dropped;
what still contradicts (a chain of earlier decisions) is refused with a clear message (engine.ConstraintConflict).

Decisions the task left open, taken here:
- A move to a group on another unit places the comment on that unit too (as a staff correction of its place);
  merging groups of different units is refused (move their comments instead).
- A closed group takes no change of members: it is reopened first. Reopening drops its closed decision.
- Grouping changes wait while a run is queued or running (it would replace them); responses do not (a run's new
  groups inherit the responses as they are when it ends).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.consultation import engine, permissions
from vanphong.consultation.models import (
    Comment,
    CommentGroup,
    ConsolidationRun,
    Consultation,
    GroupingDecision,
    Node,
)
from vanphong.core import audit
from vanphong.core.errors import ValidationError

logger = logging.getLogger(__name__)

#: A run queued or running longer than this was lost (its worker stopped): a new request may replace it.
STALE_AFTER = dt.timedelta(hours=6)
Kind = GroupingDecision.Kind


def latest_version(consultation: Consultation):
    return consultation.versions.order_by("-number").first()


def current_run(consultation: Consultation) -> ConsolidationRun | None:
    return consultation.runs.order_by("-requested_at", "-id").first()


def _included_comments(consultation: Consultation):
    return Comment.objects.filter(consultation=consultation, excluded=False)


# ---- runs ---------------------------------------------------------------------------------------------


@transaction.atomic
def request_run(actor, consultation: Consultation, *, request=None) -> ConsolidationRun:
    """Queue a consolidation of the consultation's comments (the worker runs it). One at a time per consultation."""
    permissions.require_staff(actor, consultation)
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()  # one request at a time decides
    active = consultation.runs.filter(status__in=[ConsolidationRun.Status.QUEUED, ConsolidationRun.Status.RUNNING]).first()
    if active is not None:
        if active.requested_at > timezone.now() - STALE_AFTER:
            raise ValidationError(_("A consolidation of this consultation is already queued or running (asked at "
                                    "%(time)s): wait for it to finish, then run it again if needed.")
                                  % {"time": timezone.localtime(active.requested_at).strftime("%H:%M %d/%m/%Y")})
        ConsolidationRun.objects.filter(pk=active.pk).update(
            status=ConsolidationRun.Status.FAILED, finished_at=timezone.now(),
            error=_("Stopped: the worker did not finish it."))
    if not _included_comments(consultation).exists():
        raise ValidationError(_("There are no comments to consolidate yet."))
    try:
        with transaction.atomic():
            run = ConsolidationRun.objects.create(consultation=consultation, version=latest_version(consultation),
                                                  requested_by=actor)
    except IntegrityError:  # another request made one between our check and our insert
        raise ValidationError(_("A consolidation of this consultation is already queued or running: wait for it to "
                                "finish, then run it again if needed.")) from None
    audit.record("consultation.consolidation_requested", actor=actor, target=run, agency=consultation.agency,
                 request=request)
    from vanphong.consultation import tasks

    transaction.on_commit(lambda: tasks.consolidate.enqueue(run.pk))
    return run


def _decisions_for(consultation: Consultation, article_of: dict[int, str]) -> engine.Constraints:
    """The staff's decisions as the engine takes them, on the comments there are now: comments since excluded or
    deleted are left out, and a set spanning units (a comment placed elsewhere since) is kept per unit."""

    def per_unit(ids: Iterable[int]) -> list[list[int]]:
        parts: dict[str, list[int]] = defaultdict(list)
        for cid in ids:
            if cid in article_of:
                parts[article_of[cid]].append(cid)
        return list(parts.values())

    together, apart, closed = [], [], []
    for decision in consultation.grouping_decisions.order_by("made_at", "id"):
        if decision.kind == Kind.TOGETHER:
            together += [p for p in per_unit(decision.first) if len(p) > 1]
        elif decision.kind == Kind.CLOSED:
            closed += [p for p in per_unit(decision.first) if p]
        else:
            left = [c for c in decision.first if c in article_of]
            right = [c for c in decision.second if c in article_of]
            if left and right:
                apart.append((left, right))
    return engine.Constraints(together=together, apart=apart, closed=closed)


def run_consolidation(run_id: int) -> ConsolidationRun | None:
    """The worker's part: group the comments, writing progress after each unit, and replace the groups at the end.
    A failure marks the run failed with its message. A run already taken (or gone) is left alone."""
    taken = ConsolidationRun.objects.filter(pk=run_id, status=ConsolidationRun.Status.QUEUED).update(
        status=ConsolidationRun.Status.RUNNING, started_at=timezone.now())
    if not taken:
        return None
    run = ConsolidationRun.objects.select_related("consultation").get(pk=run_id)
    consultation = run.consultation
    try:
        version = latest_version(consultation)
        rows = list(_included_comments(consultation).select_related("node").order_by("node__position", "id")
                    .values_list("pk", "node__key", "node__version_id", "text", "node_id"))
        # A comment on a unit of an older version (it should not happen: new versions carry them) counts as on the whole.
        comments = [engine.Comment(id=pk, article=key if key and vid == version.pk else "", text=text)
                    for pk, key, vid, text, _node in rows]
        node_of = {pk: (node if vid == version.pk else None) for pk, _key, vid, _text, node in rows}
        article_of = {c.id: c.article for c in comments}
        ConsolidationRun.objects.filter(pk=run.pk).update(
            version=version, comments=len(comments), articles_total=len(set(article_of.values())), articles_done=0)

        def progress(done: int, total: int) -> None:
            ConsolidationRun.objects.filter(pk=run.pk).update(articles_done=done, articles_total=total)

        groups = engine.group(comments, _decisions_for(consultation, article_of), progress=progress)
        _replace_groups(run, groups, node_of)
    except Exception as exc:
        logger.exception("consolidation run %s failed", run_id)
        message = (_("The staff's decisions contradict each other: %(detail)s") % {"detail": exc}
                   if isinstance(exc, engine.ConstraintConflict) else str(exc) or exc.__class__.__name__)
        ConsolidationRun.objects.filter(pk=run.pk).update(status=ConsolidationRun.Status.FAILED,
                                                          finished_at=timezone.now(), error=message[:2000])
    run.refresh_from_db()
    return run


RESPONSE_FIELDS = ("response", "response_text", "response_node_id", "responded_by_id", "responded_at")


@transaction.atomic
def _replace_groups(run: ConsolidationRun, groups: list[engine.Group], node_of: dict[int, int | None]) -> None:
    consultation = run.consultation
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()  # staff changes wait for the swap
    old_group_of = dict(Comment.objects.filter(consultation=consultation, group__isnull=False).values_list("pk", "group_id"))
    old = {g["id"]: g for g in CommentGroup.objects.filter(consultation=consultation).values("id", *RESPONSE_FIELDS)}
    made: list[tuple[CommentGroup, list[int]]] = []
    position: Counter = Counter()
    for found in groups:
        node_id = node_of.get(found.members[0])
        group = CommentGroup(consultation=consultation, run=run, node_id=node_id, position=position[node_id],
                             representative_id=found.representative, closed=found.closed)
        position[node_id] += 1
        # The response of the old group that shares most of its members, if it holds at least half of them.
        shared = Counter(old_group_of[c] for c in found.members if c in old_group_of)
        if shared:
            old_id, count = max(shared.items(), key=lambda item: (item[1], -item[0]))
            if count * 2 >= len(found.members) and old_id in old:
                for name in RESPONSE_FIELDS:
                    setattr(group, name, old[old_id][name])
        made.append((group, found.members))
    CommentGroup.objects.filter(consultation=consultation).delete()  # members' group becomes null
    CommentGroup.objects.bulk_create([g for g, _members in made], batch_size=1000)
    for group, members in made:
        Comment.objects.filter(pk__in=members).update(group=group)
    ConsolidationRun.objects.filter(pk=run.pk).update(status=ConsolidationRun.Status.DONE, finished_at=timezone.now())
    audit.record("consultation.consolidated", actor=run.requested_by, target=run, agency=consultation.agency,
                 data={"comments": len(node_of), "groups": len(made)})


# ---- staff changes to the groups ----------------------------------------------------------------------


def _locked_for_change(actor, consultation: Consultation) -> None:
    permissions.require_staff(actor, consultation)
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    if consultation.runs.filter(status__in=[ConsolidationRun.Status.QUEUED, ConsolidationRun.Status.RUNNING]).exists():
        raise ValidationError(_("A consolidation is running: wait for it to finish before changing its groups."))


def _groups_of(consultation: Consultation, group_ids: Iterable[int]) -> list[CommentGroup]:
    ids = list(dict.fromkeys(int(g) for g in group_ids))
    found = {g.pk: g for g in CommentGroup.objects.select_for_update().filter(consultation=consultation, pk__in=ids).order_by()}
    if len(found) != len(ids):
        raise ValidationError({"groups": _("Choose groups of this consultation's current consolidation.")})
    return [found[g] for g in ids]


def _member_ids(group: CommentGroup) -> list[int]:
    return list(group.members.order_by("id").values_list("pk", flat=True))


def _refuse_closed(groups: Iterable[CommentGroup]) -> None:
    if any(g.closed for g in groups):
        raise ValidationError({"groups": _("A closed group keeps exactly its members: reopen it first.")})


def _drop_contradicted(consultation: Consultation, *, together: list[int] = (), apart: tuple[list[int], list[int]] | None = None) -> None:
    """The newest decision wins: remove from earlier decisions the pairs of comments it contradicts."""
    if together:
        members = set(together)
        for decision in consultation.grouping_decisions.filter(kind=Kind.APART):
            left, right = set(decision.first), set(decision.second)
            if left & members and right & members:
                decision.delete()
                # apart(L, R) without the pairs inside `members`: apart(L − M, R) and apart(L ∩ M, R − M).
                for first, second in ((left - members, right), (left & members, right - members)):
                    if first and second:
                        GroupingDecision.objects.create(consultation=consultation, kind=Kind.APART, first=sorted(first),
                                                        second=sorted(second), made_by=decision.made_by)
    if apart:
        left, right = set(apart[0]), set(apart[1])
        for decision in consultation.grouping_decisions.filter(kind=Kind.TOGETHER):
            members = set(decision.first)
            if members & left and members & right:
                decision.delete()
                for part in (members - right, members & right):
                    if len(part) > 1:
                        GroupingDecision.objects.create(consultation=consultation, kind=Kind.TOGETHER, first=sorted(part),
                                                        second=[], made_by=decision.made_by)


def _check_decisions(consultation: Consultation) -> None:
    """Refuse (rolling back) decisions that still contradict each other, with the engine's own test."""
    named = set()
    for first, second in consultation.grouping_decisions.values_list("first", "second"):
        named.update(first)
        named.update(second)
    rows = Comment.objects.filter(pk__in=named, excluded=False).values_list("pk", "node__key", "text")
    comments = [engine.Comment(id=pk, article=key or "", text=text) for pk, key, text in rows]
    try:
        engine.group(comments, _decisions_for(consultation, {c.id: c.article for c in comments}))
    except engine.ConstraintConflict:
        raise ValidationError(_("This contradicts an earlier decision on these comments: some of them were split "
                                "apart from each other, or belong to a closed group. Change those groups first.")) from None


def _decide(actor, consultation: Consultation, kind: str, first: list[int], second: list[int] = ()) -> GroupingDecision:
    return GroupingDecision.objects.create(consultation=consultation, kind=kind, first=sorted(first),
                                           second=sorted(second), made_by=actor)


def _renumber(consultation: Consultation, node_ids: Iterable[int | None]) -> None:
    """Positions within each unit again: biggest group first."""
    for node_id in set(node_ids):
        groups = (CommentGroup.objects.filter(consultation=consultation, node_id=node_id)
                  .annotate(size=Count("members")).order_by("-size", "id"))
        for position, group in enumerate(groups):
            if group.position != position:
                CommentGroup.objects.filter(pk=group.pk).update(position=position)


def _fix_representative(group: CommentGroup) -> None:
    members = _member_ids(group)
    if group.representative_id not in members:
        group.representative_id = members[0] if members else None
        CommentGroup.objects.filter(pk=group.pk).update(representative_id=group.representative_id)


@transaction.atomic
def merge_groups(actor, consultation: Consultation, group_ids: Iterable[int], *, request=None) -> CommentGroup:
    """The comments of two or more groups of one unit become one group (the biggest of them; a response given to
    one of them is kept)."""
    _locked_for_change(actor, consultation)
    groups = _groups_of(consultation, group_ids)
    if len(groups) < 2:
        raise ValidationError({"groups": _("Choose at least two groups to merge.")})
    if len({g.node_id for g in groups}) > 1:
        raise ValidationError({"groups": _("Only groups on the same part of the draft can be merged; move single "
                                           "comments to another part's group instead.")})
    _refuse_closed(groups)
    members = {g.pk: _member_ids(g) for g in groups}
    everyone = [c for g in groups for c in members[g.pk]]
    _drop_contradicted(consultation, together=everyone)
    _decide(actor, consultation, Kind.TOGETHER, everyone)
    _check_decisions(consultation)
    kept = max(groups, key=lambda g: (bool(g.response), len(members[g.pk]), -g.pk))
    others = [g for g in groups if g.pk != kept.pk]
    Comment.objects.filter(group__in=others).update(group=kept)
    CommentGroup.objects.filter(pk__in=[g.pk for g in others]).delete()
    _renumber(consultation, [kept.node_id])
    audit.record("consultation.groups_merged", actor=actor, target=kept, agency=consultation.agency, request=request,
                 data={"groups": [g.pk for g in groups], "comments": len(everyone)})
    kept.refresh_from_db()
    return kept


@transaction.atomic
def split_group(actor, consultation: Consultation, group_id: int, comment_ids: Iterable[int], *, request=None) -> CommentGroup:
    """The chosen members leave their group and make a new group of their own (with no response yet)."""
    _locked_for_change(actor, consultation)
    (group,) = _groups_of(consultation, [group_id])
    _refuse_closed([group])
    members = _member_ids(group)
    chosen = sorted({int(c) for c in comment_ids})
    if not chosen:
        raise ValidationError({"comments": _("Choose the comments to split off.")})
    if set(chosen) - set(members):
        raise ValidationError({"comments": _("Choose comments of this group.")})
    rest = [c for c in members if c not in chosen]
    if not rest:
        raise ValidationError({"comments": _("Leave at least one comment in the group: splitting off all of them "
                                             "changes nothing.")})
    _drop_contradicted(consultation, apart=(chosen, rest))
    _decide(actor, consultation, Kind.APART, chosen, rest)
    if len(chosen) > 1:
        _drop_contradicted(consultation, together=chosen)
        _decide(actor, consultation, Kind.TOGETHER, chosen)
    _check_decisions(consultation)
    new = CommentGroup.objects.create(consultation=consultation, run=group.run, node_id=group.node_id,
                                      position=group.position + 1, representative_id=chosen[0])
    Comment.objects.filter(pk__in=chosen).update(group=new)
    _fix_representative(group)
    _renumber(consultation, [group.node_id])
    audit.record("consultation.group_split", actor=actor, target=group, agency=consultation.agency, request=request,
                 data={"new_group": new.pk, "comments": chosen})
    new.refresh_from_db()
    return new


@transaction.atomic
def move_comment(actor, comment: Comment, group_id: int, *, request=None) -> CommentGroup:
    """One comment joins another group. A group on another part of the draft places the comment on that part too."""
    consultation = comment.consultation
    _locked_for_change(actor, consultation)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.excluded or comment.group_id is None:
        raise ValidationError({"comment": _("This comment is not in the consolidation (marked as no comment, or came "
                                            "after the last run): run the consolidation again first.")})
    (target,) = _groups_of(consultation, [group_id])
    if target.pk == comment.group_id:
        raise ValidationError({"group": _("The comment is in this group already.")})
    (source,) = _groups_of(consultation, [comment.group_id])
    _refuse_closed([source, target])
    joined = _member_ids(target)
    left = [c for c in _member_ids(source) if c != comment.pk]
    if left:
        _drop_contradicted(consultation, apart=([comment.pk], left))
        _decide(actor, consultation, Kind.APART, [comment.pk], left)
    _drop_contradicted(consultation, together=[comment.pk, *joined])
    _decide(actor, consultation, Kind.TOGETHER, [comment.pk, *joined])
    _check_decisions(consultation)
    placed = target.node_id != comment.node_id
    Comment.objects.filter(pk=comment.pk).update(
        group=target, **({"node_id": target.node_id, "mapping": Comment.Mapping.STAFF} if placed else {}))
    if left:
        _fix_representative(source)
    else:
        source.delete()
    _renumber(consultation, [source.node_id, target.node_id])
    audit.record("consultation.comment_moved", actor=actor, target=comment, agency=consultation.agency, request=request,
                 data={"from_group": source.pk, "to_group": target.pk,
                       **({"from_node": comment.node_id, "to_node": target.node_id} if placed else {})})
    target.refresh_from_db()
    return target


@transaction.atomic
def set_closed(actor, consultation: Consultation, group_id: int, *, closed: bool, request=None) -> CommentGroup:
    """Close a group (exactly these members, on every re-run too) or reopen it."""
    _locked_for_change(actor, consultation)
    (group,) = _groups_of(consultation, [group_id])
    if not isinstance(closed, bool):
        raise ValidationError({"closed": _("Choose yes or no.")})
    if group.closed == closed:
        return group
    members = _member_ids(group)
    if closed:
        _decide(actor, consultation, Kind.CLOSED, members)
        _check_decisions(consultation)
    else:
        for decision in consultation.grouping_decisions.filter(kind=Kind.CLOSED):
            if set(decision.first) & set(members):
                decision.delete()
    CommentGroup.objects.filter(pk=group.pk).update(closed=closed)
    group.closed = closed
    audit.record("consultation.group_closed" if closed else "consultation.group_reopened", actor=actor, target=group,
                 agency=consultation.agency, request=request, data={"comments": members})
    return group


@transaction.atomic
def respond(actor, consultation: Consultation, group_id: int, *, response: str, text: str = "",
            node: Node | None = None, request=None) -> CommentGroup:
    """The drafting body's response to a group: accepted (tiếp thu), explained (giải trình) or noted, with its text,
    optionally pointing to the unit of the latest version it concerns. An empty response clears it."""
    permissions.require_staff(actor, consultation)
    (group,) = _groups_of(consultation, [group_id])
    errors = {}
    if response not in CommentGroup.Response.values:
        errors["response"] = _("Choose accepted, explained or noted.")
    text = (text or "").strip()
    if len(text) > 10_000:
        errors["response_text"] = _("The response is too long (at most %(max)d characters).") % {"max": 10_000}
    elif response in (CommentGroup.Response.ACCEPTED, CommentGroup.Response.EXPLAINED) and not text:
        errors["response_text"] = _("Write what was changed (accepted) or why not (explained).")
    version = latest_version(consultation)
    if node is not None and node.version_id != version.pk:
        errors["response_node"] = _("Choose a part of the current version of the draft.")
    if errors:
        raise ValidationError(errors)
    cleared = response == CommentGroup.Response.NONE
    CommentGroup.objects.filter(pk=group.pk).update(
        response=response, response_text="" if cleared else text, response_node=None if cleared else node,
        responded_by=None if cleared else actor, responded_at=None if cleared else timezone.now())
    group.refresh_from_db()
    audit.record("consultation.group_answered", actor=actor, target=group, agency=consultation.agency, request=request,
                 data={"response": response, "node": node.pk if node else None})
    return group


@transaction.atomic
def move_comments(actor, consultation: Consultation, comment_ids: Iterable[int], group_id: int, *, request=None) -> CommentGroup:
    """move_comment for each chosen comment of the consultation, all or none."""
    permissions.require_staff(actor, consultation)
    ids = sorted({int(c) for c in comment_ids})
    if not ids:
        raise ValidationError({"comments": _("Choose the comments to move.")})
    comments = list(Comment.objects.filter(consultation=consultation, pk__in=ids).select_related("consultation"))
    if len(comments) != len(ids):
        raise ValidationError({"comments": _("Choose comments of this consultation.")})
    target = None
    for comment in comments:
        target = move_comment(actor, comment, group_id, request=request)
    return target
