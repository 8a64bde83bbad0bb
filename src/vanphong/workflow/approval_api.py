"""REST endpoints for the approval of outgoing drafts: submitting, approving, returning, editing (a new
version), the versions and their comparison, and "awaiting my approval".

As thin as the pages: workflow.approval_selectors decides what a caller sees (a draft they may not read is a
404), the services in workflow.approval decide what may change."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status, UploadedFile

from vanphong.core.api_support import MAX_ID, Absent, Id, InputSchema, PageQuery, Text, error_responses, page
from vanphong.documents.api import CompetenceCode as Competence
from vanphong.documents.api import Count, Day, UrgencyLevel, _stored_files
from vanphong.workflow import approval
from vanphong.workflow import approval_selectors as selectors
from vanphong.workflow.handling import MAX_TEXT
from vanphong.workflow.models import Approval, ApprovalEvent, ApprovalStep, StepRole

router = Router(tags=["approval"])

DraftId = Path[int, {"ge": 1, "le": MAX_ID}]


# ---- output ----------------------------------------------------------------------------------------------------


class ApprovalStepOut(Schema):
    position: int
    role: Literal[tuple(StepRole.values)] = Field(description="unit_head, office, signing_leader, person or unit.")
    person_id: int | None
    unit_id: int | None = Field(description="A unit's step may be approved by any active member of the unit.")
    holder: str
    drafter_may_approve: bool
    status: Literal[tuple(ApprovalStep.Status.values)] = Field(description="waiting (not reached), pending, approved.")
    decided_by_id: int | None
    decided_at: dt.datetime | None
    approved_version: int | None

    @staticmethod
    def resolve_holder(step) -> str:
        return step.holder_name


class EventOut(Schema):
    kind: Literal[tuple(ApprovalEvent.Kind.values)]
    actor_id: int
    step_position: int | None
    version: int | None
    comment: str
    returned_to: int | None = Field(description="Returned: the position of the step it went back to; null: to the drafter.")
    created_at: dt.datetime

    @staticmethod
    def resolve_step_position(event) -> int | None:
        return event.step.position if event.step_id else None


class ApprovalOut(Schema):
    document_id: int
    status: Literal[tuple(Approval.Status.values)] | None = Field(description="in_progress, returned, approved; null: not submitted.")
    current_position: int | None
    latest_version: int | None
    steps: list[ApprovalStepOut]
    events: list[EventOut] = Field(description="The timeline, oldest first.")


class VersionOut(Schema):
    number: int
    created_by_id: int
    created_at: dt.datetime
    note: str
    metadata: dict
    files: list[dict] = Field(description="[{attachment, sha256, filename, size}], the main file first.")
    main_attachment_id: int | None


class FieldChangeOut(Schema):
    name: str
    old: str
    new: str


class DiffLineOut(Schema):
    kind: Literal["same", "added", "removed", "gap"]
    text: str


class ComparisonOut(Schema):
    old: int
    new: int
    fields: list[FieldChangeOut]
    main_changed: bool
    files_added: list[dict]
    files_removed: list[dict]
    text: list[DiffLineOut] = Field(description="The main file's text, line by line, with 3 lines of context around changes.")
    added: int
    removed: int
    truncated: bool


class AwaitingOut(Schema):
    id: int = Field(description="The step's id.")
    document_id: int
    subject: str
    drafter_id: int
    submitted_at: dt.datetime
    position: int
    role: str
    unit_id: int | None

    @staticmethod
    def resolve_document_id(step) -> int:
        return step.approval.document_id

    @staticmethod
    def resolve_subject(step) -> str:
        return step.approval.document.subject

    @staticmethod
    def resolve_drafter_id(step) -> int:
        return step.approval.drafter_id

    @staticmethod
    def resolve_submitted_at(step) -> dt.datetime:
        return step.approval.submitted_at


class AwaitingPage(Schema):
    count: int
    items: list[AwaitingOut]


def _state(reader, document) -> dict:
    state = selectors.approval_state(reader, document)
    return {"document_id": document.pk, "status": state.approval.status if state.approval else None,
            "current_position": state.approval.current_position if state.approval else None,
            "latest_version": state.latest.number if state.latest else None, "steps": state.steps, "events": state.events}


def _draft(request, document_id: int):
    return selectors.draft_for(request.auth, document_id)


# ---- input ---------------------------------------------------------------------------------------------------------


class SubmitIn(InputSchema):
    signer_id: Id | None = Field(None, description="The leader who signs, when the chain leaves the choice to the drafter.")
    comment: Text(MAX_TEXT) = ""


class ApproveIn(InputSchema):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read: it must be the latest.")
    comment: Text(MAX_TEXT) = ""


class ApprovalReturnIn(InputSchema):
    comment: Text(MAX_TEXT, 1)
    to: Literal["drafter", "previous"] = "drafter"


class EditIn(InputSchema):
    subject: Text(500, 1) = Absent()
    urgency: UrgencyLevel = Absent()
    due_date: Day | None = Absent()
    notes: Text(5000) = Absent()
    signer_name: Text(150) = Absent()
    signer_position: Text(150) = Absent()
    signer_competence: Competence = Absent()
    page_count: Count | None = Absent()
    copies: Count | None = Absent()
    note: Text(MAX_TEXT) = Field("", description="What changed, for the timeline.")


class CompareQuery(Schema):
    old: int = Field(ge=1, le=2**31 - 1)
    new: int = Field(ge=1, le=2**31 - 1)


# ---- endpoints ------------------------------------------------------------------------------------------------------


@router.get("/drafts/{document_id}/approval", response={200: ApprovalOut, **error_responses(401, 404, 422)})
def get_approval(request, document_id: DraftId):
    """A draft's approval: its steps with their holders, and its timeline."""
    return _state(request.auth, _draft(request, document_id))


@router.post("/drafts/{document_id}/approval", response={200: ApprovalOut, **error_responses(400, 401, 403, 404, 422)})
def submit(request, document_id: DraftId, payload: SubmitIn):
    """Submit your draft for approval along its chain, or again to the step that returned it."""
    document = _draft(request, document_id)
    signer = None
    if payload.signer_id is not None:
        signer = selectors.leaders_of(request.auth).filter(pk=payload.signer_id).first()
        if signer is None:
            raise ValidationError({"signer_id": _("There is no such leader in your agency.")})
    approval.submit(request.auth, document, signer=signer, comment=payload.comment, request=request)
    return _state(request.auth, document)


@router.post("/drafts/{document_id}/approval/approve", response={200: ApprovalOut, **error_responses(400, 401, 403, 404, 422)})
def approve(request, document_id: DraftId, payload: ApproveIn):
    """Approve the current step (yours), for the version you read."""
    document = _draft(request, document_id)
    approval.approve(request.auth, document, version=payload.version, comment=payload.comment, request=request)
    return _state(request.auth, document)


@router.post("/drafts/{document_id}/approval/return", response={200: ApprovalOut, **error_responses(400, 401, 403, 404, 422)})
def return_draft(request, document_id: DraftId, payload: ApprovalReturnIn):
    """Return the draft with comments, to the drafter or to the previous step."""
    document = _draft(request, document_id)
    approval.return_draft(request.auth, document, comment=payload.comment, to_previous=payload.to == "previous", request=request)
    return _state(request.auth, document)


@router.post("/drafts/{document_id}/versions", response={201: VersionOut, **error_responses(400, 401, 403, 404, 422)},
             description="Send multipart/form-data: the fields as JSON in the part `payload`, and optionally the new main file in the "
                         "part `file`, checked by its content as the document's own files are.")
def edit(request, document_id: DraftId, payload: EditIn, file: File[UploadedFile] = None):
    """Change the draft you hold (its fields, or a new main file): a new version."""
    document = _draft(request, document_id)
    changes = payload.model_dump(exclude_unset=True)
    changes.pop("note", None)
    approval.check_may_edit(request.auth, document)  # before any file is kept
    stored = _stored_files([file])[0] if file is not None else None
    version = approval.edit_draft(request.auth, document, changes=changes, file=stored, note=payload.note, request=request)
    return Status(201, version)


@router.get("/drafts/{document_id}/versions", response={200: list[VersionOut], **error_responses(401, 404, 422)})
def list_versions(request, document_id: DraftId):
    """Every version of the draft, oldest first."""
    return selectors.versions_of(_draft(request, document_id))


@router.get("/drafts/{document_id}/versions/compare", response={200: ComparisonOut, **error_responses(401, 404, 422)})
def compare(request, document_id: DraftId, versions: Query[CompareQuery]):
    """The differences between two versions: fields, files, and the text of the main file."""
    result = selectors.compare(_draft(request, document_id), versions.old, versions.new)
    return {"old": result.old.number, "new": result.new.number, "fields": result.fields, "main_changed": result.main_changed,
            "files_added": result.files_added, "files_removed": result.files_removed, "text": result.text_lines,
            "added": result.added, "removed": result.removed, "truncated": result.truncated}


@router.get("/approvals/awaiting", response={200: AwaitingPage, **error_responses(401, 422)})
def awaiting(request, filters: Query[PageQuery]):
    """Drafts awaiting your approval (or your unit's), oldest submission first."""
    return page(selectors.awaiting_my_approval(request.auth), filters)
