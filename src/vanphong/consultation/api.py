"""REST endpoints of consultations: intake (an invitee's comments per unit of the draft, or a Word/PDF file split into
comments) and reading (the staff's consultations, their comments, a comment's place corrected). Same rules as the
pages: the staff of the drafting body see a consultation whole; a respondent sees the draft and their own invitation;
anything else is 404, as if it did not exist."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status, UploadedFile

from vanphong.consultation import permissions, selectors, services
from vanphong.consultation.models import MAX_COMMENT, MAX_TITLE, Answer, Comment, Consultation, Invitation, Node
from vanphong.core.api_support import MAX_ID, Absent, Id, InputSchema, PageQuery, Text, error_responses, page
from vanphong.core.errors import NotFound, ValidationError
from vanphong.org.models import Agency, Person, Unit

router = Router(tags=["consultation"])

ConsultationId = Path[int, {"ge": 1, "le": MAX_ID}]
InvitationId = Path[int, {"ge": 1, "le": MAX_ID}]
CommentId = Path[int, {"ge": 1, "le": MAX_ID}]


class DraftUnitOut(Schema):
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


class DraftVersionOut(Schema):
    number: int
    filename: str
    layout: Literal[tuple(("legal", "report"))]
    uploaded_at: dt.datetime
    units: list[DraftUnitOut]

    @staticmethod
    def resolve_units(version) -> list:
        return list(version.nodes.select_related("parent__parent"))


class ConsultationTallyOut(Schema):
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
    tally: ConsultationTallyOut
    version: DraftVersionOut


class ConsultationInvitationOut(Schema):
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


class ConsultationInvitationDetailOut(ConsultationInvitationOut):
    can_answer: bool
    version: DraftVersionOut


class ConsultationCommentOut(Schema):
    id: int
    invitation_id: int
    invitee: str
    text: str
    unit_id: int | None = Field(description="The unit of the latest version it concerns; null: the draft as a whole, or none found.")
    reference: str = Field(description="What the comment named, e.g. \"khoản 2 Điều 3\".")
    mapping: Literal[tuple(Comment.Mapping.values)]
    excluded: bool = Field(description="Staff found it is no comment: not counted.")
    source: Literal[tuple(Answer.Source.values)] = Field(description="How its answer came: web form, file, paper, exchange.")
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


class ConsultationCommentPage(Schema):
    count: int
    items: list[ConsultationCommentOut]


class ConsultationPage(Schema):
    count: int
    items: list[ConsultationOut]


class ConsultationInvitationPage(Schema):
    count: int
    items: list[ConsultationInvitationOut]


class ConsultationCommentIn(InputSchema):
    unit_id: Id | None = Field(None, description="A unit of the latest version; null or absent: the draft as a whole.")
    text: Text(MAX_COMMENT, min_length=1)


class ConsultationAnswerIn(InputSchema):
    agreed: bool = Field(False, description="\"Agree, no comment\" (nhất trí): then send no comments.")
    comments: list[ConsultationCommentIn] = Field(default_factory=list, max_length=services.MAX_COMMENTS_PER_ANSWER)


class ConsultationAnswerOut(Schema):
    id: int
    agreed: bool
    comments: list[ConsultationCommentOut]

    @staticmethod
    def resolve_comments(answer) -> list:
        return list(answer.comments.select_related("invitation__unit", "invitation__person", "invitation__agency", "answer")
                    .order_by("position"))


class ConsultationCommentPatch(InputSchema):
    unit_id: Id | None = Absent()
    excluded: bool = Absent()


@router.get("/consultations", response={200: ConsultationPage, **error_responses(401, 422)})
def list_consultations(request, query: Query[PageQuery]):
    """The consultations whose drafting body you are staff of, newest first."""
    return page(selectors.staff_consultations(request.auth).order_by("-created_at", "-id"), query)


@router.get("/consultations/{consultation_id}", response={200: ConsultationDetailOut, **error_responses(401, 404, 422)})
def get_consultation(request, consultation_id: ConsultationId):
    """A consultation with its answers' tally and its latest version, unit by unit (staff of the drafting body)."""
    return _consultation_detail(selectors.consultation_for_staff(request.auth, consultation_id))


@router.get("/consultations/{consultation_id}/comments", response={200: ConsultationCommentPage, **error_responses(401, 404, 422)})
def list_comments(request, consultation_id: ConsultationId, query: Query[PageQuery]):
    """Every comment received, with the unit it concerns (staff of the drafting body)."""
    consultation = selectors.consultation_for_staff(request.auth, consultation_id)
    comments = selectors.all_comments(consultation).select_related("invitation__unit", "invitation__person", "invitation__agency", "answer")
    return page(comments.order_by("id"), query)


@router.patch("/comments/{comment_id}", response={200: ConsultationCommentOut, **error_responses(400, 401, 404, 422)})
def update_comment(request, comment_id: CommentId, payload: ConsultationCommentPatch):
    """Staff of the drafting body correct the unit a comment concerns (`unit_id`: a unit of the latest version, or null
    for the draft as a whole), or mark it as no comment (`excluded`: kept, not counted nor consolidated)."""
    comment = selectors.comment_for_staff(request.auth, comment_id)
    sent = payload.model_dump(exclude_unset=True)
    with transaction.atomic():  # both changes or neither
        if "unit_id" in sent:
            try:
                node = selectors.node_of_latest(comment.consultation, sent["unit_id"])
            except NotFound:
                raise ValidationError({"unit_id": _("Choose a part of the current version of the draft.")}) from None
            services.place_comment(request.auth, comment, node=node, request=request)
        if "excluded" in sent:
            services.set_excluded(request.auth, comment, excluded=sent["excluded"], request=request)
    return Comment.objects.select_related("invitation__unit", "invitation__person", "invitation__agency", "answer").get(pk=comment.pk)


@router.get("/invitations", response={200: ConsultationInvitationPage, **error_responses(401, 422)})
def list_invitations(request, query: Query[PageQuery]):
    """The invitations you answer (yours, your unit's, or your agency's if you are its clerk, leader or administrator)."""
    return page(selectors.invitations_to(request.auth), query)


@router.get("/invitations/{invitation_id}", response={200: ConsultationInvitationDetailOut, **error_responses(401, 404, 422)})
def get_invitation(request, invitation_id: InvitationId):
    """Your invitation, with the draft's latest version unit by unit (the unit ids to comment on)."""
    invitation = selectors.invitation_for_respondent(request.auth, invitation_id)
    invitation.can_answer = selectors.can_answer(invitation)
    invitation.version = selectors.latest_version(invitation.consultation)
    return invitation


@router.post("/invitations/{invitation_id}/answer", response={201: ConsultationAnswerOut, **error_responses(400, 401, 404, 422)})
def answer(request, invitation_id: InvitationId, payload: ConsultationAnswerIn):
    """Send comments, each on a unit of the latest version (or the draft as a whole), or "agree, no comment".
    Refused (422) after the deadline."""
    invitation = selectors.invitation_for_respondent(request.auth, invitation_id)
    result = services.answer_on_web(request.auth, invitation, comments=[(c.unit_id, c.text) for c in payload.comments],
                                    agreed=payload.agreed, request=request)
    return Status(201, result)


@router.post("/invitations/{invitation_id}/answer-file", response={201: ConsultationAnswerOut, **error_responses(400, 401, 404, 422)},
             description="multipart/form-data with one part `file`: a Word (.docx) or PDF answer. It is cut into comments, each "
                         "placed on the unit of the draft it names (\"Về Điều 5:\", \"khoản 2 Điều 3\"); the answer lists them "
                         "with their mapping (`unresolved`: it names a unit the draft does not have).")
def answer_file(request, invitation_id: InvitationId, file: File[UploadedFile]):
    invitation = selectors.invitation_for_respondent(request.auth, invitation_id)
    return Status(201, services.answer_with_file(request.auth, invitation, upload=file, request=request))


# ---- the drafting body's intake: the draft, invitations, paper answers -------------------------------------------


class ConsultationStartIn(InputSchema):
    title: Text(MAX_TITLE, min_length=1)
    deadline: dt.date = Field(description="The deadline for comments: today or later.")


class ConsultationInviteIn(InputSchema):
    unit_ids: list[Id] = Field(default_factory=list, max_length=1000, description="Units of your agency.")
    person_ids: list[Id] = Field(default_factory=list, max_length=1000, description="People of your agency.")
    agency_ids: list[Id] = Field(default_factory=list, max_length=1000, description="Other agencies of the directory.")
    deadline: dt.date | None = Field(None, description="By default the consultation's.")


class ConsultationPaperIn(InputSchema):
    received_on: dt.date = Field(description="The day the answer reached the drafting body (not in the future).")
    text: Text(MAX_COMMENT) = Field("", description="The answer as written, one comment a paragraph, naming the articles.")
    agreed: bool = Field(False, description="The answer agrees without comment (nhất trí).")


class ConsultationInvitationRowOut(ConsultationInvitationOut):
    comments: int

    @staticmethod
    def resolve_comments(invitation) -> int:
        return invitation.comment_count


def _consultation_detail(consultation) -> dict:
    return {**{f: getattr(consultation, f) for f in ("id", "title", "deadline", "status", "drafting_unit_id", "created_at")},
            "tally": selectors.tally(selectors.invitation_rows(consultation)), "version": selectors.latest_version(consultation)}


def _pick(model, ids: list[int], field: str, **within) -> list:
    ids = list(dict.fromkeys(ids))
    found = {o.pk: o for o in model.objects.filter(pk__in=ids, **within)}
    if len(found) != len(ids):
        raise ValidationError({field: _("Some of these do not exist, or are not yours to invite.")})
    return [found[pk] for pk in ids]


_MULTIPART = ("multipart/form-data: the fields as JSON in the part `payload`, and the file in the part `file` (Word .docx or "
              "PDF, judged by its content).")


@router.post("/consultations", response={201: ConsultationDetailOut, **error_responses(400, 401, 403, 422)},
             description="Leaders, specialists, clerks and administrators. " + _MULTIPART)
def start_consultation(request, payload: ConsultationStartIn, file: File[UploadedFile]):
    """Put a draft out for comments: its articles (or numbered sections) are found in the file."""
    permissions.require_starter(request.auth)  # before the file is read
    consultation = services.start_consultation(request.auth, title=payload.title, deadline=payload.deadline, upload=file,
                                               request=request)
    return Status(201, _consultation_detail(consultation))


@router.get("/consultations/{consultation_id}/invitations", response={200: list[ConsultationInvitationRowOut], **error_responses(401, 404, 422)})
def list_consultation_invitations(request, consultation_id: ConsultationId):
    """Everyone invited, with their state and count of comments (staff of the drafting body)."""
    consultation = selectors.consultation_for_staff(request.auth, consultation_id)
    return [row.invitation for row in selectors.invitation_rows(consultation)]


@router.post("/consultations/{consultation_id}/invitations", response={201: list[ConsultationInvitationOut], **error_responses(400, 401, 404, 422)})
def invite(request, consultation_id: ConsultationId, payload: ConsultationInviteIn):
    """Invite units and people of your agency and other agencies (staff of the drafting body); they are told in the app
    and by e-mail. Those invited already are left as they are; the answer lists the new invitations."""
    consultation = selectors.consultation_for_staff(request.auth, consultation_id)
    made = services.invite(
        request.auth, consultation, deadline=payload.deadline,
        units=_pick(Unit, payload.unit_ids, "unit_ids", agency_id=consultation.agency_id),
        people=_pick(Person, payload.person_ids, "person_ids", agency_id=consultation.agency_id),
        agencies=_pick(Agency, payload.agency_ids, "agency_ids"), request=request)
    return Status(201, Invitation.objects.filter(pk__in=[i.pk for i in made]).select_related("consultation", "unit", "person", "agency"))


@router.post("/invitations/{invitation_id}/paper-answer", response={201: ConsultationAnswerOut, **error_responses(400, 401, 404, 422)},
             description="Staff of the drafting body. " + _MULTIPART + " The file is optional: the text may be typed instead.")
def paper_answer(request, invitation_id: InvitationId, payload: ConsultationPaperIn, file: File[UploadedFile] = None):
    """Record an answer that came on paper (or by post, fax…): split into comments placed on the units it names, like a
    file. One received after the deadline is kept, and the invitation shows it as late."""
    invitation = selectors.invitation_for_staff(request.auth, invitation_id)
    answer = services.enter_paper_answer(request.auth, invitation, received_on=payload.received_on, text=payload.text,
                                         upload=file, agreed=payload.agreed, request=request)
    return Status(201, answer)
