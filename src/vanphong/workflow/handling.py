"""Every change in the handling of an incoming document: assigning it, and what its assignees do.

Each function is one thing a person does. It locks the round (the Assignment row), checks who may act
and what may change, writes the change, its timeline step, its status event for the exchange and its
audit record in one transaction, and otherwise raises PermissionDenied or ValidationError having
changed nothing. The rules (see workflow.models for the shapes):

- A leader of the document's agency assigns a registered incoming document they may read: one lead,
  any coordinators and people or units for information, all of the agency, a deadline not before
  today (by default the document's own due date, else the agency's default for its type and urgency),
  instructions. One round at a time; another may follow once it is completed or returned.
- A confidential document goes to named people only, each cleared for it; they are put on its
  distribution. A unit cannot be given one: its members are not all on the distribution.
- The holder of an open task (the person, or any member of the unit) passes it down to a person of
  their unit or below, or to a unit below theirs; returns it with a reason (to whoever passed it to
  them, or, from the top of the chain, to the assigning leader: a returned lead ends the round);
  asks for more time (the assigning leader grants a date or refuses with a reason); adds progress
  notes with files. A coordinator's note may close their part. The lead completes the round with a
  result, optionally drafting the reply as an outgoing document. People informed mark it read.
- A document its sender withdrew (a recall or a replacement its clerk accepted) has its handling ended from
  outside (end_handling): nothing of it can be assigned or done any more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.core.choices import choice_label
from vanphong.core.clearance import Clearance, may_read
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.documents import services as documents
from vanphong.documents.models import Direction, Document
from vanphong.documents.permissions import is_clerk
from vanphong.documents.selectors import documents_visible_to
from vanphong.documents.types import DocumentType
from vanphong.org.models import Person, Unit
from vanphong.workflow import calendar, completed_work, deadlines, events, hooks
from vanphong.workflow.models import Assignment, ExtensionRequest, StatusEvent, Step, Task, Withdrawal
from vanphong.workflow.permissions import is_leader, require_leader

MAX_TEXT = 5000
Target = Person | Unit
Code = StatusEvent.Code


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _text(value: str, field: str, *, required: bool, message: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message or _("This field is required.")})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: _("Keep it under %(n)s characters.") % {"n": MAX_TEXT}})
    return value


def _check_deadline(deadline, field: str = "deadline") -> dt.date:
    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        raise ValidationError({field: _("Enter a date.")})
    if deadline < timezone.localdate():
        raise ValidationError({field: _("The deadline %(date)s is before today.") % {"date": _fmt(deadline)}})
    try:
        calendar.check_year(deadline.year)
    except calendar.CalendarRangeError as exc:
        raise ValidationError({field: exc.messages}) from None
    return deadline


def default_deadline(document: Document) -> dt.date:
    """The deadline a new round gets unless the leader sets one: the document's own due date, else the
    agency's default for its type and urgency counted from today; never before today."""
    today = timezone.localdate()
    if document.due_date:
        return max(document.due_date, today)
    return deadlines.default_deadline(document.agency_id, document.doc_type, document.urgency, today)


def _check_target(document: Document, target: Target) -> str | None:
    """Why `target` cannot be given this document, or None."""
    if isinstance(target, Unit):
        if target.agency_id != document.agency_id:
            return _("%(name)s is a unit of another agency: a document is handled within its own agency.") % {"name": target.name}
        if not target.is_active:
            return _("The unit %(name)s is closed.") % {"name": target.name}
        if document.confidentiality > Clearance.NONE:
            return _("A confidential document is given to named people on its distribution, not to a unit: choose people of "
                     "%(name)s instead.") % {"name": target.name}
        return None
    if not isinstance(target, Person):
        raise TypeError(f"not a person or a unit: {target!r}")
    if target.agency_id != document.agency_id:
        return _("%(name)s works for another agency: a document is handled within its own agency.") % {"name": target.full_name}
    if not target.is_active:
        return _("The account of %(name)s is disabled.") % {"name": target.full_name}
    if not may_read(target.clearance, document.confidentiality):
        return _("%(name)s is not cleared to read %(level)s documents.") % {
            "name": target.full_name, "level": choice_label(Clearance, document.confidentiality)}
    return None


def _holder(target: Target) -> dict:
    return {"person": target, "unit": None} if isinstance(target, Person) else {"person": None, "unit": target}


def _name(target: Target) -> str:
    return target.full_name if isinstance(target, Person) else target.name


def _ref(target: Target) -> str:
    return f"{'person' if isinstance(target, Person) else 'unit'}:{target.pk}"


def _require_reader(actor, document: Document) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and documents_visible_to(actor).filter(pk=document.pk).exists()):
        raise PermissionDenied(_("You may not read this document."))


def _mark_processing(document: Document, actor) -> None:
    events.record(document, Code.PROCESSING, actor)


def withdrawn_message(withdrawal: Withdrawal) -> str:
    when = timezone.localtime(withdrawal.withdrawn_at).strftime("%d/%m/%Y")
    if withdrawal.kind == Withdrawal.Kind.REPLACED:
        return _("The sender replaced this document (accepted on %(date)s): its handling has ended, and nothing more can be "
                 "assigned or done on it. Handle the replacement instead.") % {"date": when}
    return _("The sender recalled this document (accepted on %(date)s): its handling has ended, and nothing more can be "
             "assigned or done on it.") % {"date": when}


def _refuse_if_withdrawn(document_id: int) -> None:
    withdrawal = Withdrawal.objects.filter(document_id=document_id).first()
    if withdrawal is not None:
        raise ValidationError(withdrawn_message(withdrawal))


# ---- assigning --------------------------------------------------------------------------------------


@transaction.atomic
def assign(actor, document: Document, *, lead: Target, coordinators: Iterable[Target] = (), informed: Iterable[Target] = (),
           deadline: dt.date | None = None, instructions: str = "", request=None) -> Assignment:
    """Give a registered incoming document to a lead, coordinators and people or units for information."""
    document = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)  # one round at a time
    require_leader(actor, document.agency)
    _require_reader(actor, document)
    if document.direction != Direction.INCOMING or document.status != Document.Status.REGISTERED:
        raise ValidationError(_("Only a registered incoming document is assigned."))
    _refuse_if_withdrawn(document.pk)
    current = Assignment.objects.filter(document=document, status=Assignment.Status.OPEN).first()
    if current is not None:
        raise ValidationError(_("This document is already being handled (round %(round)s, due %(date)s). A new round can start once "
                                "it is completed or returned.") % {"round": current.round, "date": _fmt(current.deadline)})
    if lead is None:
        raise ValidationError({"lead": _("Choose the lead (chủ trì): a unit or a person.")})
    coordinators, informed = list(coordinators), list(informed)
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for field, targets in (("lead", [lead]), ("coordinators", coordinators), ("informed", informed)):
        for target in targets:
            problem = _check_target(document, target)
            if problem is None and _ref(target) in seen:
                problem = _("%(name)s is named more than once: give each unit or person one part.") % {"name": _name(target)}
            seen.add(_ref(target))
            if problem:
                errors.setdefault(field, []).append(problem)
    deadline = default_deadline(document) if deadline is None else deadline
    try:
        _check_deadline(deadline)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    instructions = _text(instructions, "instructions", required=False)

    number = (Assignment.objects.filter(document=document).aggregate(n=Max("round"))["n"] or 0) + 1
    assignment = Assignment.objects.create(agency_id=document.agency_id, document=document, round=number, assigned_by=actor,
                                           instructions=instructions, deadline=deadline)
    Assignment.objects.filter(document=document, awaiting_reassignment=True).update(awaiting_reassignment=False)
    parts = [(Task.Role.LEAD, lead)] + [(Task.Role.COORDINATE, t) for t in coordinators] + [(Task.Role.INFORM, t) for t in informed]
    tasks = Task.objects.bulk_create([Task(agency_id=document.agency_id, assignment=assignment, document=document, role=role,
                                           given_by=actor, deadline=deadline, **_holder(target)) for role, target in parts])
    documents.add_readers(actor, document, [t for _role, t in parts if isinstance(t, Person)])
    Step.objects.create(assignment=assignment, kind=Step.Kind.ASSIGNED, actor=actor, text=instructions, deadline=deadline)
    events.record(document, Code.ASSIGNED, actor)
    hooks.tasks_given.send(sender=Task, tasks=tasks, actor=actor)
    audit.record("workflow.assignment.created", actor=actor, agency=document.agency, target=assignment, request=request, data={
        "document": document.pk, "round": number, "deadline": deadline.isoformat(),
        "lead": _ref(lead), "coordinators": [_ref(t) for t in coordinators], "informed": [_ref(t) for t in informed]})
    return assignment


# ---- what assignees do --------------------------------------------------------------------------------


def _lock(actor, task: Task, roles: Iterable[str] = tuple(Task.Role), refusal: str = "", *,
          round_open: bool = True) -> tuple[Task, Assignment]:
    """The round locked, and the task as it is now, if `actor` holds it open (in an open round)."""
    if not (actor and actor.is_authenticated and actor.is_active) or task.agency_id != actor.agency_id:
        raise PermissionDenied(_("This task belongs to another agency."))
    assignment = Assignment.objects.select_for_update().select_related("document").get(pk=task.assignment_id)
    task = Task.objects.select_related("person", "unit").get(pk=task.pk)
    if not task.is_held_by(actor):
        raise PermissionDenied(_("This task is not yours: it is given to %(name)s.") % {"name": task.holder_name})
    _refuse_if_withdrawn(assignment.document_id)
    if round_open and assignment.status != Assignment.Status.OPEN:
        raise ValidationError(_("This round of handling is already %(status)s.") % {"status": assignment.get_status_display().lower()})
    if task.status != Task.Status.OPEN:
        raise ValidationError(_("This task is no longer open: %(status)s.") % {"status": task.get_status_display().lower()})
    if task.role not in roles:
        raise PermissionDenied(refusal or _("You were given this document for information only."))
    return task, assignment


def _close(task: Task, status: str) -> None:
    task.status, task.closed_at = status, timezone.now()
    task.save(update_fields=["status", "closed_at"])
    if status == Task.Status.DONE:
        completed_work.record([task])


def _audit(action: str, actor, task: Task, request, **data) -> None:
    audit.record(action, actor=actor, target=task, request=request,
                 data={"document": task.document_id, "assignment": task.assignment_id, **data})


def _below(actor, task: Task) -> Unit | None:
    """The unit whose people and subunits the holder may pass the task to."""
    return task.unit if task.unit_id else actor.unit


def is_below(base: Unit, target: Target, actor) -> bool:
    below = f"{base.path}{base.pk}/"
    if isinstance(target, Unit):
        return target.agency_id == base.agency_id and target.path.startswith(below)
    unit = target.unit
    return target.pk != actor.pk and unit is not None and (unit.pk == base.pk or unit.path.startswith(below))


@transaction.atomic
def pass_down(actor, task: Task, *, to: Target, instructions: str = "", request=None) -> Task:
    """Hand the task to a person of the holder's unit or below, or to a unit below it, keeping the chain."""
    task, assignment = _lock(actor, task)
    document = assignment.document
    base = _below(actor, task)
    if base is None:
        raise ValidationError({"to": _("You belong to no unit, so there is no one below you to pass it to.")})
    problem = _check_target(document, to)
    if problem is None and not is_below(base, to, actor):
        problem = _("%(name)s is not in %(unit)s or below it.") % {"name": _name(to), "unit": base.name}
    if problem:
        raise ValidationError({"to": problem})
    instructions = _text(instructions, "instructions", required=False)
    child = Task.objects.create(agency_id=task.agency_id, assignment=assignment, document=document, role=task.role, parent=task,
                                root_id=task.chain_root_id, given_by=actor, deadline=task.deadline, **_holder(to))
    _close(task, Task.Status.PASSED)
    if isinstance(to, Person):
        documents.add_readers(actor, document, [to])
    Step.objects.create(assignment=assignment, task=child, kind=Step.Kind.PASSED, actor=actor, text=instructions)
    if task.role in Task.ACTING_ROLES:
        _mark_processing(document, actor)
    hooks.tasks_given.send(sender=Task, tasks=[child], actor=actor)
    _audit("workflow.task.passed_down", actor, task, request, to=_ref(to), child=child.pk)
    return child


@transaction.atomic
def return_task(actor, task: Task, *, reason: str, request=None) -> None:
    """Give the task back, with the reason: to whoever passed it down, or to the assigning leader. A lead
    returned to the leader ends the round, which the leader may then assign again."""
    task, assignment = _lock(actor, task)
    reason = _text(reason, "reason", required=True, message=_("Say why you return it."))
    _close(task, Task.Status.RETURNED)
    if task.parent_id:
        Task.objects.filter(pk=task.parent_id).update(status=Task.Status.OPEN, closed_at=None)
    elif task.role == Task.Role.LEAD:
        now = timezone.now()
        Task.objects.filter(assignment=assignment, status=Task.Status.OPEN).update(status=Task.Status.CLOSED, closed_at=now)
        assignment.status, assignment.closed_at, assignment.awaiting_reassignment = Assignment.Status.RETURNED, now, True
        assignment.save(update_fields=["status", "closed_at", "awaiting_reassignment"])
    Step.objects.create(assignment=assignment, task=task, kind=Step.Kind.RETURNED, actor=actor, text=reason)
    hooks.task_returned.send(sender=Task, task=task, actor=actor, reason=reason)
    _audit("workflow.task.returned", actor, task, request, reason=reason)


@transaction.atomic
def request_extension(actor, task: Task, *, deadline: dt.date, reason: str, request=None) -> ExtensionRequest:
    """Ask the leader who assigned the round for a later deadline."""
    task, assignment = _lock(actor, task, Task.ACTING_ROLES)
    deadline = _check_deadline(deadline)
    if deadline <= task.deadline:
        raise ValidationError({"deadline": _("Ask for a date after the current deadline, %(date)s.") % {"date": _fmt(task.deadline)}})
    reason = _text(reason, "reason", required=True, message=_("Say why you need more time."))
    if ExtensionRequest.objects.filter(task=task, status=ExtensionRequest.Status.PENDING).exists():
        raise ValidationError(_("You have already asked for more time on this task: wait for the decision."))
    ask = ExtensionRequest.objects.create(task=task, assignment=assignment, requested_by=actor, requested_deadline=deadline,
                                          reason=reason)
    Step.objects.create(assignment=assignment, task=task, kind=Step.Kind.EXTENSION_REQUESTED, actor=actor, text=reason, deadline=deadline)
    hooks.extension_requested.send(sender=ExtensionRequest, ask=ask, actor=actor)
    _audit("workflow.extension.requested", actor, task, request, deadline=deadline.isoformat())
    return ask


@transaction.atomic
def decide_extension(actor, ask: ExtensionRequest, *, grant: bool, deadline: dt.date | None = None, note: str = "",
                     request=None) -> ExtensionRequest:
    """The assigning leader grants a new deadline (by default the one asked for) to the task's whole chain, or
    refuses with a reason."""
    if not (actor and actor.is_authenticated and actor.is_active) or ask.assignment.agency_id != actor.agency_id:
        raise PermissionDenied(_("This request belongs to another agency."))
    assignment = Assignment.objects.select_for_update().get(pk=ask.assignment_id)
    ask = ExtensionRequest.objects.select_related("task").get(pk=ask.pk)
    if assignment.assigned_by_id != actor.pk:
        raise PermissionDenied(_("Only the leader who assigned this round decides on more time."))
    if ask.requested_by_id == actor.pk:
        raise PermissionDenied(_("You cannot decide on your own request for more time."))
    _refuse_if_withdrawn(assignment.document_id)
    if ask.status != ExtensionRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided: %(status)s.") % {"status": ask.get_status_display().lower()})
    if assignment.status != Assignment.Status.OPEN or ask.task.status != Task.Status.OPEN:
        raise ValidationError(_("The task is no longer open: there is nothing to extend."))
    task = ask.task
    note = _text(note, "note", required=not grant, message=_("Say why you refuse."))
    if grant:
        deadline = _check_deadline(ask.requested_deadline if deadline is None else deadline)
        Task.objects.filter(Q(pk=task.chain_root_id) | Q(root_id=task.chain_root_id)).update(deadline=deadline)
        if task.role == Task.Role.LEAD:
            assignment.deadline = deadline
            assignment.save(update_fields=["deadline"])
    ask.status = ExtensionRequest.Status.GRANTED if grant else ExtensionRequest.Status.REFUSED
    ask.decided_by, ask.decided_at, ask.decision_note, ask.granted_deadline = actor, timezone.now(), note, deadline if grant else None
    ask.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "granted_deadline"])
    Step.objects.create(assignment=assignment, task=task, actor=actor, text=note, deadline=ask.granted_deadline,
                        kind=Step.Kind.EXTENSION_GRANTED if grant else Step.Kind.EXTENSION_REFUSED)
    hooks.extension_decided.send(sender=ExtensionRequest, ask=ask, actor=actor)
    _audit("workflow.extension.decided", actor, task, request, granted=grant, deadline=deadline.isoformat() if grant else None)
    return ask


@transaction.atomic
def add_note(actor, task: Task, *, text: str, files: Iterable[documents.UploadedFile] = (), finished: bool = False,
             request=None) -> Step:
    """Record progress, with files (already checked by documents.attachments.store). `finished`: a coordinator's
    part is done."""
    task, assignment = _lock(actor, task, Task.ACTING_ROLES)
    text = _text(text, "text", required=True, message=_("Write what was done."))
    if finished and task.role != Task.Role.COORDINATE:
        raise ValidationError({"finished": _("The lead finishes by completing the assignment.")})
    attachments = documents.attach_files(actor, assignment.document, files)
    step = Step.objects.create(assignment=assignment, task=task, actor=actor, text=text,
                               kind=Step.Kind.CONTRIBUTED if finished else Step.Kind.NOTE)
    step.attachments.set(attachments)
    if finished:
        _close(task, Task.Status.DONE)
    _mark_processing(assignment.document, actor)
    _audit("workflow.task.note_added", actor, task, request, files=[a.pk for a in attachments], finished=finished)
    return step


@transaction.atomic
def complete(actor, task: Task, *, result: str, reply_type: str = "", reply_subject: str = "", request=None) -> Assignment:
    """The lead completes the round with its result; with `reply_type`, the reply is drafted as an outgoing
    document of that type, linked to the round, for the usual approval and issue."""
    task, assignment = _lock(actor, task, (Task.Role.LEAD,), _("Only the lead (chủ trì) completes the assignment."))
    document = assignment.document
    result = _text(result, "result", required=True, message=_("Write the result of the handling."))
    reply = None
    if reply_type:
        if reply_type not in DocumentType.values:
            raise ValidationError({"reply_type": _("Choose the type of the reply.")})
        subject = (reply_subject or "").strip() or _("Reply to %(reference)s: %(subject)s") % {
            "reference": document.reference or _("arrival no. %(number)s") % {"number": document.number}, "subject": document.subject}
        reply = documents.create_outgoing_draft(actor, doc_type=reply_type, subject=subject[:500], urgency=document.urgency,
                                                confidentiality=document.confidentiality, notes=result, request=request)
    now = timezone.now()
    finished = list(Task.objects.filter(assignment=assignment, status=Task.Status.OPEN, role__in=Task.ACTING_ROLES))
    Task.objects.filter(pk__in=[t.pk for t in finished]).update(status=Task.Status.DONE, closed_at=now)
    for finished_task in finished:
        finished_task.status, finished_task.closed_at = Task.Status.DONE, now
    completed_work.record(finished)
    assignment.status, assignment.closed_at, assignment.result = Assignment.Status.COMPLETED, now, result
    assignment.completed_by, assignment.reply_document = actor, reply
    assignment.save(update_fields=["status", "closed_at", "result", "completed_by", "reply_document"])
    Step.objects.create(assignment=assignment, task=task, kind=Step.Kind.COMPLETED, actor=actor, text=result)
    # A round completed without a note was still processed: the sender hears 05 before 06.
    _mark_processing(document, actor)
    events.record(document, Code.COMPLETED, actor)
    _audit("workflow.assignment.completed", actor, task, request, reply=reply.pk if reply else None)
    return assignment


@transaction.atomic
def acknowledge(actor, task: Task, *, request=None) -> None:
    """Someone kept informed has read the document: it leaves their "for information" list."""
    task, assignment = _lock(actor, task, (Task.Role.INFORM,), _("Only those kept informed mark a document read."),
                             round_open=False)
    _close(task, Task.Status.DONE)
    Step.objects.create(assignment=assignment, task=task, kind=Step.Kind.READ, actor=actor)
    _audit("workflow.task.read", actor, task, request)


# ---- ended from outside: the document withdrawn by its sender -------------------------------------------


@transaction.atomic
def end_handling(actor, document: Document, *, kind: str, reason: str = "", request=None) -> Withdrawal:
    """End the handling of an incoming document its sender withdrew (`kind`: recalled or replaced, with the sender's
    reason), as its clerk accepts the recall or the replacement. The open round ends WITHDRAWN, every task still
    open (lead, coordinating, for information, in any round) ends WITHDRAWN, so that it leaves every list and count
    and is neither done nor late in the figures; requests for more time still waiting end too; a returned round no
    longer waits to be assigned again. The people whose tasks ended, and the leader who assigned the round, are
    notified. No status event (03–06) is recorded: the sender hears of the withdrawal by its own answer (15)."""
    document = Document.objects.select_for_update(of=("self",)).select_related("agency").get(pk=document.pk)
    if not (actor and actor.is_authenticated and actor.is_active
            and (is_clerk(actor, document.agency) or is_leader(actor, document.agency))):
        raise PermissionDenied(_("Only a clerk or a leader of this agency may end the handling of its documents."))
    if kind not in Withdrawal.Kind.values:
        raise ValidationError({"kind": _("Say whether the document was recalled or replaced by its sender.")})
    if document.direction != Direction.INCOMING or document.status != Document.Status.REGISTERED:
        raise ValidationError(_("Only the handling of a registered incoming document can be ended."))
    _refuse_if_withdrawn(document.pk)
    reason = _text(reason, "reason", required=False)
    now = timezone.now()
    # Every round locked, as each action locks its own (an informed person may still mark a completed round read).
    rounds = list(Assignment.objects.select_for_update().filter(document=document).order_by("round"))
    current = next((r for r in rounds if r.status == Assignment.Status.OPEN), None)
    ended = list(Task.objects.filter(document=document, status=Task.Status.OPEN).order_by("pk"))
    Task.objects.filter(pk__in=[t.pk for t in ended]).update(status=Task.Status.WITHDRAWN, closed_at=now)
    ExtensionRequest.objects.filter(assignment__document=document, status=ExtensionRequest.Status.PENDING).update(
        status=ExtensionRequest.Status.WITHDRAWN, decided_at=now)
    Assignment.objects.filter(document=document, awaiting_reassignment=True).update(awaiting_reassignment=False)
    if current is not None:
        current.status, current.closed_at = Assignment.Status.WITHDRAWN, now
        current.save(update_fields=["status", "closed_at"])
        Step.objects.create(assignment=current, kind=Step.Kind.WITHDRAWN, actor=actor, text=reason)
    withdrawal = Withdrawal.objects.create(agency_id=document.agency_id, document=document, kind=kind, reason=reason,
                                           assignment=current, withdrawn_by=actor, withdrawn_at=now)
    hooks.handling_ended.send(sender=Withdrawal, withdrawal=withdrawal, tasks=ended, actor=actor)
    audit.record("workflow.handling.ended", actor=actor, agency=document.agency, target=document, request=request, data={
        "document": document.pk, "kind": kind, "reason": reason, "assignment": current.pk if current else None,
        "tasks": [t.pk for t in ended]})
    return withdrawal
