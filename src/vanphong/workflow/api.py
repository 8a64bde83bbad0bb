"""REST endpoints for the handling of incoming documents: assigning, what assignees do, the personal
lists, and a document's rounds and status events.

As thin as the pages: the same selectors decide what a caller sees (a document or task they may not see
is a 404), the same services in workflow.handling decide what may change. Units and people are named by
id, and only those of the caller's agency are found."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status, UploadedFile

from vanphong.core.api_support import MAX_ID, Id, InputSchema, PageQuery, Text, capped_page, error_responses
from vanphong.documents import selectors as documents
from vanphong.documents.api import MAX_LIST, Day, _stored_files
from vanphong.documents.types import DocumentType
from vanphong.workflow import handling
from vanphong.workflow import handling_selectors as selectors
from vanphong.workflow.handling import MAX_TEXT
from vanphong.workflow.models import Assignment, ExtensionRequest, StatusEvent, Step, Task

router = Router(tags=["handling"])

DocumentId = Path[int, {"ge": 1, "le": MAX_ID}]
TaskId = Path[int, {"ge": 1, "le": MAX_ID}]
RequestId = Path[int, {"ge": 1, "le": MAX_ID}]
RoleCode = Literal[tuple(Task.Role.values)]
TaskStatusCode = Literal[tuple(Task.Status.values)]


# ---- output -------------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    assignment_id: int
    document_id: int
    role: RoleCode = Field(description="lead (chủ trì), coordinate (phối hợp) or inform (để biết).")
    person_id: int | None
    unit_id: int | None = Field(description="A unit's task reaches every active member of the unit.")
    holder: str = Field(description="The person's or the unit's name.")
    parent_id: int | None = Field(description="The task it was passed down from.")
    given_by_id: int
    deadline: dt.date
    status: TaskStatusCode = Field(description="open, passed (down), returned, done, closed (with a returned round), withdrawn "
                                               "(still open when the sender recalled or replaced the document: ended, not done).")
    created_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_holder(task) -> str:
        return task.holder_name


class StepOut(Schema):
    id: int
    task_id: int | None
    kind: Literal[tuple(Step.Kind.values)]
    actor_id: int
    text: str
    deadline: dt.date | None = Field(description="The deadline set, asked for or granted.")
    attachment_ids: list[int] = Field(description="Files of a note; download them with GET /attachments/{id}.")
    created_at: dt.datetime

    @staticmethod
    def resolve_attachment_ids(step) -> list[int]:
        return [a.pk for a in step.attachments.all()]


class ExtensionRequestOut(Schema):
    id: int
    task_id: int
    assignment_id: int
    requested_by_id: int
    requested_deadline: dt.date
    reason: str
    status: Literal[tuple(ExtensionRequest.Status.values)]
    decided_by_id: int | None
    decided_at: dt.datetime | None
    granted_deadline: dt.date | None
    decision_note: str
    created_at: dt.datetime


class AssignmentOut(Schema):
    id: int
    document_id: int
    round: int
    assigned_by_id: int
    instructions: str
    deadline: dt.date
    status: Literal[tuple(Assignment.Status.values)] = Field(description=(
        "open, completed, returned (by its lead), withdrawn (ended when the sender recalled or replaced the document: "
        "nothing more can be done on it)."))
    created_at: dt.datetime
    closed_at: dt.datetime | None
    result: str
    completed_by_id: int | None
    reply_document_id: int | None = Field(description="The outgoing draft of the reply, if one was drafted.")
    tasks: list[TaskOut]
    steps: list[StepOut] = Field(description="The timeline, oldest first.")


class StatusEventOut(Schema):
    code: Literal[tuple(StatusEvent.Code.values)] = Field(description="edXML status: 03 registered, 04 assigned, 05 being processed, "
                                                                      "06 completed.")
    actor_id: int | None
    occurred_at: dt.datetime
    delivered_at: dt.datetime | None = Field(description="When the exchange delivered it to the sender; null until then.")


class WorkItemOut(TaskOut):
    subject: str
    reference: str
    arrival_number: int | None

    @staticmethod
    def resolve_subject(task) -> str:
        return task.document.subject

    @staticmethod
    def resolve_reference(task) -> str:
        return task.document.reference

    @staticmethod
    def resolve_arrival_number(task) -> int | None:
        return task.document.number


class WorkPage(Schema):
    count: int = Field(description="How many tasks the list holds, counted up to 1,000: see count_exact.")
    count_exact: bool = Field(description="false: the list holds more than `count` tasks.")
    items: list[WorkItemOut]


class WorkCountsOut(Schema):
    todo: int = Field(description="Open lead and coordinating tasks.")
    overdue: int = Field(description="Of those, the ones a working day or more past their deadline.")
    information: int = Field(description="Documents given for information, not yet marked read.")
    approval: int = Field(description="Outgoing drafts awaiting your approval (or your unit's).")


def _rounds(document) -> list[Assignment]:
    steps = Step.objects.prefetch_related("attachments").order_by("created_at", "pk")
    return list(Assignment.objects.filter(document=document).prefetch_related(
        Prefetch("tasks", queryset=Task.objects.select_related("person", "unit").order_by("pk")),
        Prefetch("steps", queryset=steps)).order_by("round"))


def _round(assignment_id: int) -> Assignment:
    return next(a for a in _rounds(Assignment.objects.get(pk=assignment_id).document) if a.pk == assignment_id)


# ---- resolving ids ------------------------------------------------------------------------------------


def _targets(reader, unit_ids, person_ids, field: str) -> list:
    unit_ids, person_ids = list(dict.fromkeys(unit_ids)), list(dict.fromkeys(person_ids))
    units = {u.pk: u for u in selectors.assignable_units(reader).filter(pk__in=unit_ids)}
    people = {p.pk: p for p in selectors.assignable_people(reader).filter(pk__in=person_ids)}
    if len(units) != len(unit_ids):
        raise ValidationError({f"{field}_unit_ids": _("There is no such unit in your agency.")})
    if len(people) != len(person_ids):
        raise ValidationError({f"{field}_person_ids": _("There is no such person in your agency.")})
    return [units[pk] for pk in unit_ids] + [people[pk] for pk in person_ids]


def _one_target(reader, unit_id, person_id, field: str):
    if (unit_id is None) == (person_id is None):
        raise ValidationError({field: _("Give either a unit or a person.")})
    unit_ids, person_ids = ([unit_id], []) if unit_id is not None else ([], [person_id])
    try:
        return _targets(reader, unit_ids, person_ids, field)[0]
    except ValidationError as exc:
        raise ValidationError({f"{field}_unit_id" if unit_id is not None else f"{field}_person_id": exc.messages}) from None


# ---- assigning ---------------------------------------------------------------------------------------------


class AssignIn(InputSchema):
    lead_unit_id: Id | None = Field(None, description="The lead (chủ trì): a unit of your agency …")
    lead_person_id: Id | None = Field(None, description="… or a person of your agency; exactly one of the two.")
    coordinator_unit_ids: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    coordinator_person_ids: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    informed_unit_ids: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    informed_person_ids: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    deadline: Day | None = Field(None, description="Not before today. By default the document's due date, else the agency's default "
                                                   "for its type and urgency, in working days from today.")
    instructions: Text(MAX_TEXT) = Field("", description="Ý kiến chỉ đạo.")


@router.post("/documents/{document_id}/assignments", response={201: AssignmentOut, **error_responses(400, 401, 403, 404, 422)})
def assign(request, document_id: DocumentId, payload: AssignIn):
    """Assign a registered incoming document (leaders of its agency): a new round, while none is open. A confidential
    document goes to named people cleared for it, who are put on its distribution."""
    reader = request.auth
    document = documents.document_detail(reader, document_id)
    lead = _one_target(reader, payload.lead_unit_id, payload.lead_person_id, "lead")
    coordinators = _targets(reader, payload.coordinator_unit_ids, payload.coordinator_person_ids, "coordinator")
    informed = _targets(reader, payload.informed_unit_ids, payload.informed_person_ids, "informed")
    assignment = handling.assign(reader, document, lead=lead, coordinators=coordinators, informed=informed, deadline=payload.deadline,
                                 instructions=payload.instructions, request=request)
    return Status(201, _round(assignment.pk))


@router.get("/documents/{document_id}/assignments", response={200: list[AssignmentOut], **error_responses(401, 404, 422)})
def list_assignments(request, document_id: DocumentId):
    """A document's rounds of handling, oldest first, each with its tasks and timeline."""
    return _rounds(documents.document_detail(request.auth, document_id))


@router.get("/documents/{document_id}/status-events", response={200: list[StatusEventOut], **error_responses(401, 404, 422)})
def list_status_events(request, document_id: DocumentId):
    """The statuses of an incoming document that its sender is told of, each recorded once."""
    document = documents.document_detail(request.auth, document_id)
    return list(StatusEvent.objects.filter(document=document).order_by("code"))


# ---- assignee actions -----------------------------------------------------------------------------------------


class PassDownIn(InputSchema):
    to_unit_id: Id | None = Field(None, description="A unit below yours …")
    to_person_id: Id | None = Field(None, description="… or a person of your unit or below; exactly one of the two.")
    instructions: Text(MAX_TEXT) = ""


class NoteIn(InputSchema):
    text: Text(MAX_TEXT, 1)
    finished: bool = Field(False, description="Coordinators only: your part is finished.")


class ReturnIn(InputSchema):
    reason: Text(MAX_TEXT, 1)


class ExtensionIn(InputSchema):
    deadline: Day = Field(description="The new deadline asked for: after the current one.")
    reason: Text(MAX_TEXT, 1)


class DecisionIn(InputSchema):
    grant: bool
    deadline: Day | None = Field(None, description="When granting: the new deadline; by default the one asked for.")
    note: Text(MAX_TEXT) = Field("", description="Required when refusing: the reason.")


class CompleteIn(InputSchema):
    result: Text(MAX_TEXT, 1)
    reply_type: Literal[("",) + tuple(DocumentType.values)] = Field("", description=(
        "Draft the reply as an outgoing document of this type (e.g. CV); empty: no reply."))
    reply_subject: Text(500) = ""


def _task(request, task_id: int) -> Task:
    return selectors.task_for(request.auth, task_id)


@router.post("/tasks/{task_id}/pass-down", response={201: TaskOut, **error_responses(400, 401, 403, 404, 422)})
def pass_down(request, task_id: TaskId, payload: PassDownIn):
    """Pass your task down to a person of your unit or below, or a unit below yours. Answers the new task."""
    task = _task(request, task_id)
    to = _one_target(request.auth, payload.to_unit_id, payload.to_person_id, "to")
    return Status(201, handling.pass_down(request.auth, task, to=to, instructions=payload.instructions, request=request))


@router.post("/tasks/{task_id}/notes", response={201: StepOut, **error_responses(400, 401, 403, 404, 422)},
             description="Send multipart/form-data: the fields as JSON in the part `payload`, and zero or more parts `files`, "
                         "checked by their content as the document's own files are.")
def add_note(request, task_id: TaskId, payload: NoteIn, files: File[list[UploadedFile]] = None):
    """Add a progress note (lead or coordinator), with files."""
    task = _task(request, task_id)
    if not task.is_held_by(request.auth):  # before any file is kept; the service checks the rest
        raise PermissionDenied(_("This task is not yours: it is given to %(name)s.") % {"name": task.holder_name})
    step = handling.add_note(request.auth, task, text=payload.text, files=_stored_files(files), finished=payload.finished,
                             request=request)
    return Status(201, Step.objects.prefetch_related("attachments").get(pk=step.pk))


@router.post("/tasks/{task_id}/return", response={200: TaskOut, **error_responses(400, 401, 403, 404, 422)})
def return_task(request, task_id: TaskId, payload: ReturnIn):
    """Return your task with the reason: to whoever passed it to you, or to the assigning leader."""
    task = _task(request, task_id)
    handling.return_task(request.auth, task, reason=payload.reason, request=request)
    return Task.objects.select_related("person", "unit").get(pk=task.pk)


@router.post("/tasks/{task_id}/extension-requests", response={201: ExtensionRequestOut, **error_responses(400, 401, 403, 404, 422)})
def request_extension(request, task_id: TaskId, payload: ExtensionIn):
    """Ask the leader who assigned the round for a later deadline."""
    task = _task(request, task_id)
    return Status(201, handling.request_extension(request.auth, task, deadline=payload.deadline, reason=payload.reason, request=request))


@router.get("/extension-requests", response={200: list[ExtensionRequestOut], **error_responses(401)})
def list_extension_requests(request):
    """Requests for more time waiting for your decision, as the leader who assigned the round."""
    return selectors.decisions_for(request.auth).extension_requests


@router.post("/extension-requests/{request_id}/decision", response={200: ExtensionRequestOut, **error_responses(400, 401, 403, 404, 422)})
def decide_extension(request, request_id: RequestId, payload: DecisionIn):
    """Grant more time (to the whole chain of the task) or refuse with a reason: the leader who assigned the round."""
    ask = selectors.extension_request_for(request.auth, request_id)
    return handling.decide_extension(request.auth, ask, grant=payload.grant, deadline=payload.deadline, note=payload.note, request=request)


@router.post("/tasks/{task_id}/complete", response={200: AssignmentOut, **error_responses(400, 401, 403, 404, 422)})
def complete(request, task_id: TaskId, payload: CompleteIn):
    """Complete the round with its result (the lead), optionally drafting the reply as an outgoing document."""
    task = _task(request, task_id)
    handling.complete(request.auth, task, result=payload.result, reply_type=payload.reply_type, reply_subject=payload.reply_subject,
                      request=request)
    return _round(task.assignment_id)


@router.post("/tasks/{task_id}/read", response={200: TaskOut, **error_responses(400, 401, 403, 404, 422)})
def mark_read(request, task_id: TaskId):
    """Mark a document given to you for information as read."""
    task = _task(request, task_id)
    handling.acknowledge(request.auth, task, request=request)
    return Task.objects.select_related("person", "unit").get(pk=task.pk)


# ---- personal lists -----------------------------------------------------------------------------------------------


class WorkQuery(PageQuery):
    list: Literal[selectors.LISTS] = Field("todo", description=(
        "todo: open lead and coordinating tasks, earliest deadline first; overdue: those past their deadline; done: tasks "
        "closed, latest first; information: documents to read."))


@router.get("/work", response={200: WorkPage, **error_responses(401, 422)})
def my_work(request, filters: Query[WorkQuery]):
    """Your tasks, and those of your unit, in the documents you may read."""
    return capped_page(selectors.work_list(request.auth, filters.list), filters)


@router.get("/work/counts", response={200: WorkCountsOut, **error_responses(401)})
def my_work_counts(request):
    """How many tasks are in your lists (as the navigation shows)."""
    return selectors.work_counts(request.auth)
