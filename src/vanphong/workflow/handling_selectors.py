"""Reads of the handling of incoming documents, filtered by what the reader may see.

A task reaches a person when it names them, or names their unit. The personal lists read the partial
indexes on Task (open tasks by holder, role and deadline; closed ones by holder and closing time), so
each stays a short index range however many tasks the agency has. A task's document is still checked
against the reader's right to read it (documents.selectors), as everywhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from vanphong.core.errors import NotFound
from vanphong.documents.models import Document
from vanphong.documents.selectors import documents_visible_to, readable
from vanphong.org.models import Person, Unit
from vanphong.workflow import calendar
from vanphong.workflow.approval_selectors import awaiting_count
from vanphong.workflow.models import Assignment, ExtensionRequest, StatusEvent, Step, Task, Withdrawal
from vanphong.workflow.permissions import is_leader

LISTS = ("todo", "overdue", "done", "information")


def _active(reader) -> bool:
    return bool(reader and reader.is_authenticated and reader.is_active)


def _reaching(reader) -> Q:
    """Tasks that name the reader, or the reader's unit."""
    held = Q(person_id=reader.pk)
    if reader.unit_id:
        held |= Q(unit_id=reader.unit_id)
    return held


def readable_by(reader) -> Q:
    """Tasks whose document the reader may read."""
    return readable(reader, via="document")


def _tasks_of(reader) -> QuerySet[Task]:
    if not _active(reader):
        return Task.objects.none()
    return Task.objects.filter(_reaching(reader), readable_by(reader), agency_id=reader.agency_id)


def list_rows(qs: QuerySet[Task]) -> QuerySet[Task]:
    """Only what the list pages show."""
    return qs.select_related("document", "person", "unit", "given_by", "assignment").only(
        "id", "role", "status", "deadline", "created_at", "closed_at", "person__full_name", "unit__name", "given_by__full_name",
        "assignment__round", "assignment__instructions", "document__id", "document__subject", "document__code_number",
        "document__code_notation", "document__number", "document__urgency", "document__confidentiality", "document__doc_type")


def overdue_before(agency_id: int, today: dt.date | None = None) -> dt.date:
    """Work is overdue once a working day has ended after its deadline: its deadline is before the last working
    day up to today. Due on a Friday, it is not overdue over the weekend, and is one working day late on Monday.
    A date, so that the lists compare it with the indexed deadline."""
    day = today or timezone.localdate()
    while not calendar.is_working_day(agency_id, day):
        day -= dt.timedelta(days=1)
    return day


def work_list(reader, name: str, *, today: dt.date | None = None) -> QuerySet[Task]:
    """One of the reader's lists: "todo" (open lead and coordinating tasks, earliest deadline first), "overdue"
    (those past their deadline), "done" (tasks closed: done, passed down, returned, read; latest first),
    "information" (documents to read, newest first)."""
    tasks = _tasks_of(reader)
    if name in ("todo", "overdue"):
        tasks = tasks.filter(status=Task.Status.OPEN, role__in=Task.ACTING_ROLES)
        if name == "overdue":
            tasks = tasks.filter(deadline__lt=overdue_before(reader.agency_id, today))
        return list_rows(tasks).order_by("deadline", "id")
    if name == "done":
        return list_rows(tasks.exclude(status=Task.Status.OPEN)).order_by("-closed_at", "-id")
    if name == "information":
        return list_rows(tasks.filter(status=Task.Status.OPEN, role=Task.Role.INFORM)).order_by("-created_at", "-id")
    raise NotFound()


@dataclass
class WorkCounts:
    todo: int = 0
    overdue: int = 0
    information: int = 0
    approval: int = 0  # drafts awaiting the reader's approval (workflow.approval_selectors)


def work_counts(reader, *, today: dt.date | None = None) -> WorkCounts:
    """The counts of the navigation and the tabs: one query over the reader's open tasks, and one over the pending
    approval steps."""
    if not _active(reader):
        return WorkCounts()
    acting = Q(role__in=Task.ACTING_ROLES)
    counts = _tasks_of(reader).filter(status=Task.Status.OPEN).aggregate(
        todo=Count("pk", filter=acting), overdue=Count("pk", filter=acting & Q(deadline__lt=overdue_before(reader.agency_id, today))),
        information=Count("pk", filter=Q(role=Task.Role.INFORM)))
    return WorkCounts(**counts, approval=awaiting_count(reader))


def working_days_late(agency_id: int, deadline: dt.date, today: dt.date | None = None) -> int:
    """Working days after the deadline up to today: 0 until the first working day after it has come."""
    today = today or timezone.localdate()
    return max(0, calendar.working_days_between(agency_id, deadline, today))


@dataclass
class Decisions:
    extension_requests: list[ExtensionRequest]
    returned: list[Assignment]

    def __len__(self):
        return len(self.extension_requests) + len(self.returned)


def decisions_for(reader, *, limit: int = 100) -> Decisions:
    """What waits for the reader as the leader who assigned it: requests for more time, and rounds their
    lead returned, to be assigned again."""
    if not (_active(reader) and is_leader(reader, reader.agency)):
        return Decisions([], [])
    asks = ExtensionRequest.objects.filter(
        readable(reader, via="assignment__document"), status=ExtensionRequest.Status.PENDING, assignment__assigned_by=reader,
        assignment__status=Assignment.Status.OPEN).select_related("task__person", "task__unit", "requested_by", "assignment__document")
    returned = Assignment.objects.filter(readable(reader, via="document"), awaiting_reassignment=True, assigned_by=reader).select_related("document")
    return Decisions(list(asks.order_by("pk")[:limit]), list(returned.order_by("closed_at", "pk")[:limit]))


# ---- one document's handling --------------------------------------------------------------------------


@dataclass
class Handling:
    """Everything the document page shows of the handling, and what the reader may do there."""

    document: Document
    rounds: list[Assignment]
    events: list[StatusEvent]
    my_tasks: list[Task] = field(default_factory=list)
    my_decisions: list[ExtensionRequest] = field(default_factory=list)
    can_assign: bool = False
    withdrawal: Withdrawal | None = None  # its sender withdrew it: handling ended

    @property
    def current(self) -> Assignment | None:
        return self.rounds[-1] if self.rounds else None


def document_handling(reader, document: Document) -> Handling:
    """`document` must come from a selector that checked the reader may see it (documents.selectors)."""
    steps = Step.objects.select_related("actor", "task__person", "task__unit").prefetch_related("attachments")
    tasks = Task.objects.select_related("person", "unit").order_by("pk")
    asks = ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING).select_related("requested_by", "task__person",
                                                                                                   "task__unit")
    rounds = list(Assignment.objects.filter(document=document).select_related("assigned_by", "completed_by", "reply_document")
                  .prefetch_related(Prefetch("steps", queryset=steps), Prefetch("tasks", queryset=tasks),
                                    Prefetch("extension_requests", queryset=asks)).order_by("round"))
    handling = Handling(document, rounds, list(StatusEvent.objects.filter(document=document).select_related("actor").order_by("code")),
                        withdrawal=Withdrawal.objects.filter(document=document).select_related("withdrawn_by", "assignment").first())
    open_round = next((r for r in rounds if r.is_open), None)
    for assignment in rounds:
        tasks = list(assignment.tasks.all())
        assignment.lead_tasks = [t for t in tasks if t.role == Task.Role.LEAD]
        assignment.coordinate_tasks = [t for t in tasks if t.role == Task.Role.COORDINATE]
        assignment.inform_tasks = [t for t in tasks if t.role == Task.Role.INFORM]
        assignment.late = working_days_late(document.agency_id, assignment.deadline) if assignment.is_open else 0
        for task in tasks:
            if task.status == Task.Status.OPEN and task.is_held_by(reader):
                handling.my_tasks.append(task)
    if open_round is not None and open_round.assigned_by_id == reader.pk:
        handling.my_decisions = [a for a in open_round.extension_requests.all() if a.requested_by_id != reader.pk]
    handling.can_assign = (document.direction == "in" and document.status == Document.Status.REGISTERED and open_round is None
                           and handling.withdrawal is None and is_leader(reader, document.agency))
    return handling


def withdrawal_of(document_id: int) -> Withdrawal | None:
    """How the handling of a document the reader already reads (a task's, a request's) ended, if its sender withdrew it."""
    return Withdrawal.objects.filter(document_id=document_id).first()


def task_for(reader, pk) -> Task:
    """A task of the reader's agency whose document the reader may read."""
    if not _active(reader):
        raise NotFound()
    try:
        return Task.objects.select_related("assignment", "document", "person", "unit").get(
            pk=pk, agency_id=reader.agency_id, document__in=documents_visible_to(reader))
    except (Task.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def extension_request_for(reader, pk) -> ExtensionRequest:
    if not _active(reader):
        raise NotFound()
    try:
        return ExtensionRequest.objects.select_related("assignment__document", "task__person", "task__unit", "requested_by").get(
            pk=pk, assignment__agency_id=reader.agency_id, assignment__document__in=documents_visible_to(reader))
    except (ExtensionRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def assignable_units(reader) -> QuerySet[Unit]:
    return Unit.objects.filter(agency_id=reader.agency_id, is_active=True).order_by("path", "sort_order", "name")


def assignable_people(reader) -> QuerySet[Person]:
    return Person.objects.filter(agency_id=reader.agency_id, is_active=True).select_related("unit").order_by("sort_name", "pk")


def pass_down_targets(reader, task: Task) -> tuple[list[Unit], list[Person]]:
    """Units below the holder's unit, and people of that unit and below (the reader excepted)."""
    base = task.unit if task.unit_id else reader.unit
    if base is None:
        return [], []
    below = f"{base.path}{base.pk}/"
    units = list(assignable_units(reader).filter(path__startswith=below))
    people = list(assignable_people(reader).filter(Q(unit=base) | Q(unit__path__startswith=below)).exclude(pk=reader.pk))
    return units, people
