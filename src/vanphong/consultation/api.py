"""REST endpoints of consultations: intake (an invitee's comments per unit of the draft, or a Word/PDF file split into
comments) and reading (the staff's consultations, their comments, a comment's place corrected). Same rules as the
pages: the staff of the drafting body see a consultation whole; a respondent sees the draft and their own invitation;
anything else is 404, as if it did not exist."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, UploadedFile

from vanphong.consultation import selectors, services
from vanphong.consultation.models import MAX_COMMENT, Comment, Consultation, Invitation, Node
from vanphong.core.api_support import MAX_ID, Id, InputSchema, PageQuery, Text, error_responses, page
from vanphong.core.errors import NotFound, ValidationError

router = Router(tags=["consultation"])

ConsultationId = Path[int, {"ge": 1, "le": MAX_ID}]
InvitationId = Path[int, {"ge": 1, "le": MAX_ID}]
CommentId = Path[int, {"ge": 1, "le": MAX_ID}]


class UnitOut(Schema):
    id: int
    key: str = Field(description="Its place in the draft: \"article:5/clause:2\".")
    level: Literal[tuple(Node.Level.values)]
    label: str = Field(description="\"Khoản 2 Điều 5\", as the draft names it.")
    title: str
    text: str
    parent_id: int | None
    continues_id: int | None = Field(description="The unit of the version before that this one continues (null: new).")

    @staticmethod
    def resolve_label(node) -> str:
        return node.full_label()

    @staticmethod
    def resolve_continues_id(node) -> int | None:
        return node.predecessor_id


class VersionOut(Schema):
    number: int
    filename: str
    layout: Literal[tuple(("legal", "report"))]
    uploaded_at: dt.datetime
    units: list[UnitOut]

    @staticmethod
    def resolve_units(version) -> list:
        return list(version.nodes.select_related("parent__parent"))


class TallyOut(Schema):
    invited: int
    waiting: int
    answered: int = Field(description="Answered with comments.")
    agreed: int = Field(description="Answered \"agree, no comment\" (nhất trí).")
    late: int = Field(description="Not answered, and the deadline has passed.")


class ConsultationOut(Schema):
    id: int
    title: str
    deadline: dt.date
    status: Literal[tuple(Consultation.Status.values)]
    drafting_unit_id: int | None
    created_at: dt.datetime


class ConsultationDetailOut(ConsultationOut):
    tally: TallyOut
    version: VersionOut


class InvitationOut(Schema):
    id: int
    consultation_id: int
    consultation_title: str
    kind: Literal[tuple(Invitation.Kind.values)]
    invitee: str
    deadline: dt.date
    state: Literal["waiting", "answered", "agreed", "late", "answered_late"]

    @staticmethod
    def resolve_consultation_title(invitation) -> str:
        return invitation.consultation.title

    @staticmethod
    def resolve_invitee(invitation) -> str:
        return invitation.invitee_name

    @staticmethod
    def resolve_state(invitation) -> str:
        return selectors.state_of(invitation)


class InvitationDetailOut(InvitationOut):
    can_answer: bool
    version: VersionOut


class CommentOut(Schema):
    id: int
    invitation_id: int
    invitee: str
    text: str
    unit_id: int | None = Field(description="The unit of the latest version it concerns; null: the draft as a whole, or none found.")
    reference: str = Field(description="What the comment named, e.g. \"khoản 2 Điều 3\".")
    mapping: Literal[tuple(Comment.Mapping.values)]
    source: Literal["web", "file", "paper"]
    received_on: dt.date

    @staticmethod
    def resolve_invitee(comment) -> str:
        return comment.invitation.invitee_name

    @staticmethod
    def resolve_unit_id(comment) -> int | None:
        return comment.node_id

    @staticmethod
    def resolve_source(comment) -> str:
        return comment.answer.source

    @staticmethod
    def resolve_received_on(comment) -> dt.date:
        return comment.answer.received_on


class CommentPage(Schema):
    count: int
    items: list[CommentOut]


class ConsultationPage(Schema):
    count: int
    items: list[ConsultationOut]


class InvitationPage(Schema):
    count: int
    items: list[InvitationOut]


class CommentIn(InputSchema):
    unit_id: Id | None = Field(None, description="A unit of the latest version; null or absent: the draft as a whole.")
    text: Text(MAX_COMMENT, min_length=1)


class AnswerIn(InputSchema):
    agreed: bool = Field(False, description="\"Agree, no comment\" (nhất trí): then send no comments.")
    comments: list[CommentIn] = Field(default_factory=list, max_length=services.MAX_COMMENTS_PER_ANSWER)


class AnswerOut(Schema):
    id: int
    agreed: bool
    comments: list[CommentOut]

    @staticmethod
    def resolve_comments(answer) -> list:
        return list(answer.comments.select_related("invitation__unit", "invitation__person", "invitation__agency", "answer")
                    .order_by("position"))


class PlaceIn(InputSchema):
    unit_id: Id | None = Field(description="A unit of the latest version, or null for the draft as a whole.")


@router.get("/consultations", response={200: ConsultationPage, **error_responses(401, 422)})
def list_consultations(request, query: Query[PageQuery]):
    """The consultations whose drafting body you are staff of, newest first."""
    return page(selectors.staff_consultations(request.auth).order_by("-created_at", "-id"), query)


@router.get("/consultations/{consultation_id}", response={200: ConsultationDetailOut, **error_responses(401, 404, 422)})
def get_consultation(request, consultation_id: ConsultationId):
    """A consultation with its answers' tally and its latest version, unit by unit (staff of the drafting body)."""
    consultation = selectors.consultation_for_staff(request.auth, consultation_id)
    tally = selectors.tally(selectors.invitation_rows(consultation))
    return {**{f: getattr(consultation, f) for f in ("id", "title", "deadline", "status", "drafting_unit_id", "created_at")},
            "tally": tally, "version": selectors.latest_version(consultation)}


@router.get("/consultations/{consultation_id}/comments", response={200: CommentPage, **error_responses(401, 404, 422)})
def list_comments(request, consultation_id: ConsultationId, query: Query[PageQuery]):
    """Every comment received, with the unit it concerns (staff of the drafting body)."""
    consultation = selectors.consultation_for_staff(request.auth, consultation_id)
    comments = selectors.all_comments(consultation).select_related("invitation__unit", "invitation__person", "invitation__agency", "answer")
    return page(comments.order_by("id"), query)


@router.patch("/comments/{comment_id}", response={200: CommentOut, **error_responses(400, 401, 404, 422)})
def place_comment(request, comment_id: CommentId, payload: PlaceIn):
    """Correct the unit a comment concerns (staff of the drafting body)."""
    comment = selectors.comment_for_staff(request.auth, comment_id)
    try:
        node = selectors.node_of_latest(comment.consultation, payload.unit_id)
    except NotFound:
        raise ValidationError({"unit_id": _("Choose a part of the current version of the draft.")}) from None
    services.place_comment(request.auth, comment, node=node, request=request)
    return Comment.objects.select_related("invitation__unit", "invitation__person", "invitation__agency", "answer").get(pk=comment.pk)


@router.get("/invitations", response={200: InvitationPage, **error_responses(401, 422)})
def list_invitations(request, query: Query[PageQuery]):
    """The invitations you answer (yours, your unit's, or your agency's if you are its clerk, leader or administrator)."""
    return page(selectors.invitations_to(request.auth), query)


@router.get("/invitations/{invitation_id}", response={200: InvitationDetailOut, **error_responses(401, 404, 422)})
def get_invitation(request, invitation_id: InvitationId):
    """Your invitation, with the draft's latest version unit by unit (the unit ids to comment on)."""
    invitation = selectors.invitation_for_respondent(request.auth, invitation_id)
    invitation.can_answer = selectors.can_answer(invitation)
    invitation.version = selectors.latest_version(invitation.consultation)
    return invitation


@router.post("/invitations/{invitation_id}/answer", response={201: AnswerOut, **error_responses(400, 401, 404, 422)})
def answer(request, invitation_id: InvitationId, payload: AnswerIn):
    """Send comments, each on a unit of the latest version (or the draft as a whole), or "agree, no comment".
    Refused (422) after the deadline."""
    invitation = selectors.invitation_for_respondent(request.auth, invitation_id)
    result = services.answer_on_web(request.auth, invitation, comments=[(c.unit_id, c.text) for c in payload.comments],
                                    agreed=payload.agreed, request=request)
    return 201, result


@router.post("/invitations/{invitation_id}/answer-file", response={201: AnswerOut, **error_responses(400, 401, 404, 422)},
             description="multipart/form-data with one part `file`: a Word (.docx) or PDF answer. It is cut into comments, each "
                         "placed on the unit of the draft it names (\"Về Điều 5:\", \"khoản 2 Điều 3\"); the answer lists them "
                         "with their mapping (`unresolved`: it names a unit the draft does not have).")
def answer_file(request, invitation_id: InvitationId, file: File[UploadedFile]):
    invitation = selectors.invitation_for_respondent(request.auth, invitation_id)
    return 201, services.answer_with_file(request.auth, invitation, upload=file, request=request)
