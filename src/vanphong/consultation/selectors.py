"""Every read of a consultation that a person sees, filtered by what they may see: the staff of the drafting body
see all of a consultation; a respondent sees the draft and their own invitation's answers, nothing of others'."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanphong.consultation import permissions
from vanphong.consultation.models import Comment, Consultation, DraftVersion, Invitation, Node
from vanphong.core.errors import NotFound

STATES = {"waiting": _("Waiting"), "answered": _("Answered"), "agreed": _("Agreed, no comment"), "late": _("Late"),
          "answered_late": _("Answered late")}


def staff_consultations(person) -> QuerySet[Consultation]:
    return Consultation.objects.filter(permissions.staff_filter(person)).select_related("drafting_unit")


def invitations_to(person) -> QuerySet[Invitation]:
    """The invitations the person answers, newest first."""
    return (Invitation.objects.filter(permissions.respondent_filter(person))
            .select_related("consultation__agency", "unit", "person", "agency")
            .order_by("-invited_at", "-id"))


def consultation_for_staff(person, pk: int) -> Consultation:
    found = staff_consultations(person).filter(pk=pk).select_related("agency", "created_by").first()
    if found is None:
        raise NotFound()
    return found


def invitation_for_respondent(person, pk: int) -> Invitation:
    found = invitations_to(person).filter(pk=pk).select_related("consultation__agency").first()
    if found is None:
        raise NotFound()
    return found


def version_for_reader(person, consultation_pk: int, number: int) -> DraftVersion:
    """A version of the draft, for the staff of the drafting body and the respondents of any of its invitations."""
    consultation = Consultation.objects.filter(pk=consultation_pk).first()
    if consultation is None or not (permissions.is_staff_of(person, consultation)
                                    or consultation.invitations.filter(permissions.respondent_filter(person)).exists()):
        raise NotFound()
    return version_of(consultation, number)


def invitation_for_staff(person, pk: int) -> Invitation:
    found = Invitation.objects.filter(pk=pk).select_related("consultation", "unit", "person", "agency").first()
    if found is None or not permissions.is_staff_of(person, found.consultation):
        raise NotFound()
    return found


def comment_for_staff(person, pk: int) -> Comment:
    found = Comment.objects.filter(pk=pk).select_related("consultation").first()
    if found is None or not permissions.is_staff_of(person, found.consultation):
        raise NotFound()
    return found


def node_of_latest(consultation: Consultation, pk: int | None) -> Node | None:
    if pk is None:
        return None
    found = Node.objects.filter(pk=pk, version=latest_version(consultation)).first()
    if found is None:
        raise NotFound()
    return found


def latest_version(consultation: Consultation) -> DraftVersion:
    return consultation.versions.order_by("-number").select_related("uploaded_by").first()


def versions(consultation: Consultation) -> list[DraftVersion]:
    return list(consultation.versions.order_by("-number").select_related("uploaded_by").annotate(unit_count=Count("nodes")))


def version_of(consultation: Consultation, number: int) -> DraftVersion:
    found = consultation.versions.filter(number=number).first()
    if found is None:
        raise NotFound()
    return found


def state_of(invitation: Invitation, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if invitation.answered_at is not None:
        if invitation.agreed:
            return "agreed"
        return "answered_late" if invitation.late else "answered"
    return "late" if invitation.deadline < today else "waiting"


@dataclass
class InvitationRow:
    invitation: Invitation
    state: str
    state_label: str
    comments: int


def invitation_rows(consultation: Consultation) -> list[InvitationRow]:
    """For the staff: every invitation, its state and its count of comments."""
    today = timezone.localdate()
    rows = []
    for invitation in (consultation.invitations.select_related("unit", "person", "agency")
                       .annotate(comment_count=Count("comments", filter=Q(comments__excluded=False))).order_by("id")):
        state = state_of(invitation, today)
        rows.append(InvitationRow(invitation, state, STATES[state], invitation.comment_count))
    return rows


def tally(rows: list[InvitationRow]) -> dict[str, int]:
    counts = {"invited": len(rows), "waiting": 0, "answered": 0, "agreed": 0, "late": 0}
    for row in rows:
        counts["answered" if row.state == "answered_late" else row.state] += 1
    counts["answered_total"] = counts["answered"] + counts["agreed"]
    return counts


@dataclass
class Article:
    node: Node
    comments: list[Comment]


def outline(version: DraftVersion, *, comments: QuerySet[Comment] | None = None) -> tuple[list[Article], list[Comment]]:
    """The version's units in order, each with the comments on it (of `comments`, if given), and the comments on the
    draft as a whole or on no part of it."""
    nodes = list(version.nodes.select_related("parent__parent"))
    node_of = {n.pk: n for n in nodes}
    by_node: dict[int | None, list[Comment]] = defaultdict(list)
    if comments is not None:
        for comment in comments.select_related("invitation__unit", "invitation__person", "invitation__agency", "answer",
                                               "source_node__version", "source_node__parent__parent"):
            if comment.node_id in node_of:
                comment.node = node_of[comment.node_id]  # its labels read the parents already loaded: no query per comment
            by_node[comment.node_id].append(comment)
    return [Article(n, by_node.get(n.pk, [])) for n in nodes], by_node.get(None, [])


def all_comments(consultation: Consultation) -> QuerySet[Comment]:
    """For the staff only (views call consultation_for_staff first)."""
    return consultation.comments.order_by("invitation_id", "answer_id", "position")


def own_comments(invitation: Invitation) -> QuerySet[Comment]:
    return invitation.comments.order_by("answer_id", "position")


def comments_to_check(consultation: Consultation) -> QuerySet[Comment]:
    return consultation.comments.filter(Q(mapping=Comment.Mapping.UNRESOLVED) | Q(mapping=Comment.Mapping.CARRIED), excluded=False)


def mapping_of(version: DraftVersion) -> list[Node]:
    """The version's units with the unit of the version before that each continues (None: new)."""
    return list(version.nodes.select_related("predecessor__parent__parent", "parent__parent"))


def can_answer(invitation: Invitation, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return invitation.consultation.status == Consultation.Status.OPEN and invitation.deadline >= today


def counts_by_article(articles: list[Article]) -> list[tuple[Node, int]]:
    """Each article (or a report's top sections) with the comments on it and on its clauses and points, in order."""
    top_levels = {Node.Level.ARTICLE} if any(a.node.level == Node.Level.ARTICLE for a in articles) else \
        {Node.Level.SECTION, Node.Level.PART}
    counted: list[tuple[Node, int]] = []
    owner: dict[int, int] = {}  # node id -> index in counted
    for article in articles:
        node = article.node
        if node.level in top_levels and not (node.level == Node.Level.PART and any(
                a.node.parent_id == node.pk and a.node.level == Node.Level.SECTION for a in articles)):
            counted.append((node, 0))
            owner[node.pk] = len(counted) - 1
        elif node.parent_id in owner:
            owner[node.pk] = owner[node.parent_id]
        if node.pk in owner:
            index = owner[node.pk]
            counted[index] = (counted[index][0], counted[index][1] + sum(1 for c in article.comments if not c.excluded))
    return counted
