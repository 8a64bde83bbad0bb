"""What the staff see of a consolidation: its current run and, per part of the draft in draft order, its groups with
their members, counts of comments and of distinct respondents, and responses. For the staff of the drafting body only
(callers get the consultation or the group through these selectors or selectors.consultation_for_staff)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import F, QuerySet

from vanphong.consultation import consolidation, permissions
from vanphong.consultation.models import Comment, CommentGroup, ConsolidationRun, Consultation, Invitation, Node
from vanphong.core.errors import NotFound


def run_for_staff(person, consultation_pk: int) -> tuple[Consultation, ConsolidationRun | None]:
    consultation = Consultation.objects.filter(pk=consultation_pk).first()
    if consultation is None or not permissions.is_staff_of(person, consultation):
        raise NotFound()
    return consultation, consolidation.current_run(consultation)


def group_for_staff(person, pk: int) -> CommentGroup:
    found = CommentGroup.objects.filter(pk=pk).select_related("consultation").first()
    if found is None or not permissions.is_staff_of(person, found.consultation):
        raise NotFound()
    return found


def groups_of(consultation: Consultation) -> QuerySet[CommentGroup]:
    """The current groups in draft order (the draft as a whole first), biggest first within a part."""
    return (CommentGroup.objects.filter(consultation=consultation)
            .select_related("node__parent__parent", "representative", "response_node__parent__parent", "responded_by")
            .order_by(F("node__position").asc(nulls_first=True), "position", "id"))


def members_of(group_ids: list[int]) -> dict[int, list[Comment]]:
    members: dict[int, list[Comment]] = defaultdict(list)
    for comment in (Comment.objects.filter(group_id__in=group_ids)
                    .select_related("invitation__unit", "invitation__person", "invitation__agency").order_by("id")):
        members[comment.group_id].append(comment)
    return members


@dataclass
class GroupView:
    group: CommentGroup
    number: int  # 1, 2… within its part, as shown
    members: list[Comment]
    respondents: int
    by_kind: dict[str, int]  # distinct respondents per kind of invitee: unit, person, agency

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def representative_text(self) -> str:
        rep = self.group.representative
        return rep.text if rep is not None else (self.members[0].text if self.members else "")


@dataclass
class PartView:
    node: Node | None  # None: the draft as a whole
    groups: list[GroupView] = field(default_factory=list)

    @property
    def comments(self) -> int:
        return sum(g.size for g in self.groups)

    @property
    def outliers(self) -> int:
        return sum(1 for g in self.groups if g.size == 1)


def parts(consultation: Consultation) -> list[PartView]:
    groups = list(groups_of(consultation))
    members = members_of([g.pk for g in groups])
    by_part: dict[int | None, PartView] = {}
    for group in groups:
        part = by_part.setdefault(group.node_id, PartView(group.node))
        own = members.get(group.pk, [])
        kinds = {c.invitation_id: c.invitation.kind for c in own}
        part.groups.append(GroupView(group, len(part.groups) + 1, own, len(kinds), dict(Counter(kinds.values()))))
    return list(by_part.values())


def waiting_comments(consultation: Consultation) -> int:
    """Included comments in no group: they came (or were counted again) after the last run."""
    return Comment.objects.filter(consultation=consultation, excluded=False, group__isnull=True).count()


KIND_ORDER = [Invitation.Kind.UNIT, Invitation.Kind.PERSON, Invitation.Kind.AGENCY]
