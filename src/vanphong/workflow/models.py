"""The agency's working calendar and its default deadlines.

The statutory holidays are computed (workflow.calendar), never stored: only what an agency
administrator adds is a row here, so that a change of the law is a change of code and every
agency's calendar follows it."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanphong.documents.types import DocumentType, Urgency
from vanphong.org.models import Agency

# The longest default deadline an agency can configure: a year of working days.
MAX_DEADLINE_DAYS = 250


class CalendarChange(models.Model):
    """A day an agency administrator adds to the calendar: a day off on a working day (a
    compensatory day, the extra Tết days the Government grants for the year, a local
    closure), or a working day on a non-working day (a Saturday worked in exchange)."""

    class Kind(models.TextChoices):
        DAY_OFF = "off", _("Day off")
        WORKING_DAY = "work", _("Working day")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="calendar_changes", verbose_name=_("agency"))
    day = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    name = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar change")
        verbose_name_plural = _("calendar changes")
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="calendarchange_one_per_day")]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {self.name}"


class DeadlineRule(models.Model):
    """An agency's default handling deadline, in working days, for a document type and an
    urgency. An empty type or urgency means "any"; the most specific rule wins (see
    workflow.deadlines)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="deadline_rules", verbose_name=_("agency"))
    doc_type = models.CharField(_("document type"), max_length=5, choices=DocumentType.choices, blank=True, default="")
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(
        _("working days"), validators=[MinValueValidator(1), MaxValueValidator(MAX_DEADLINE_DAYS)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["doc_type", "urgency"]
        verbose_name = _("default deadline")
        verbose_name_plural = _("default deadlines")
        constraints = [
            # NULL (any urgency) is not equal to NULL in a unique index: two partial indexes.
            models.UniqueConstraint(fields=["agency", "doc_type", "urgency"], condition=Q(urgency__isnull=False),
                                    name="deadlinerule_one_per_type_urgency"),
            models.UniqueConstraint(fields=["agency", "doc_type"], condition=Q(urgency__isnull=True),
                                    name="deadlinerule_one_per_type_any_urgency"),
        ]

    def __str__(self):
        return f"{self.doc_type or '*'}/{self.urgency if self.urgency is not None else '*'}: {self.working_days}"


class WorkflowSettingsVersion(models.Model):
    """Bumped in the same transaction as every change of an agency's calendar or deadline rules:
    processes that cached the agency's calendar see that their copy is stale."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.BigIntegerField(default=0)


# ---- handling of incoming documents (giao việc) ------------------------------------------------------


class Assignment(models.Model):
    """One round of handling of an incoming document: a leader names one lead (chủ trì), any
    coordinators (phối hợp) and people or units kept informed (để biết), with a deadline and
    instructions (ý kiến chỉ đạo). Each of those is a Task.

    A document has at most one open round. A new round may follow once the previous one is
    completed (follow-up work) or returned by its lead (the leader assigns it again). A round ended
    because its document was withdrawn (recalled or replaced by its sender: Withdrawal) is WITHDRAWN,
    and no round follows it."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        COMPLETED = "completed", _("Completed")
        RETURNED = "returned", _("Returned")
        WITHDRAWN = "withdrawn", _("Ended: document withdrawn")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="assignments")
    round = models.PositiveSmallIntegerField(default=1)
    assigned_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    instructions = models.TextField(_("instructions"), blank=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    completed_by = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reply_document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Returned by its lead and not yet assigned again: the leader's "to decide" list.
    awaiting_reassignment = models.BooleanField(default=False)

    class Meta:
        ordering = ["document", "round"]
        constraints = [
            models.UniqueConstraint(fields=["document", "round"], name="assignment_unique_round"),
            models.UniqueConstraint(fields=["document"], condition=Q(status="open"), name="assignment_one_open_round"),
        ]
        indexes = [
            models.Index(fields=["assigned_by"], condition=Q(awaiting_reassignment=True), name="assignment_to_reassign"),
        ]

    def __str__(self):
        return f"{self.document_id}#{self.round}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


# The work the figures count (workflow.statistics): lead and coordinating tasks still held, open or done.
_COUNTED = Q(role__in=["lead", "coordinate"], status__in=["open", "done"])
_OPEN_WORK = Q(role__in=["lead", "coordinate"], status="open")


class Task(models.Model):
    """What one person or one unit has to do in a round. A unit's task reaches every active member of
    the unit (not of its subunits); any of them may act for the unit.

    Passing a task down makes a child task for a person or unit below the holder and marks the parent
    PASSED; returning a child re-opens its parent. So each chain (`root` and its descendants) has at
    most one open task, which carries the chain's deadline like every task of the chain."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        COORDINATE = "coordinate", _("Coordinating")
        INFORM = "inform", _("For information")

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        PASSED = "passed", _("Passed down")
        RETURNED = "returned", _("Returned")
        DONE = "done", _("Done")
        CLOSED = "closed", _("Closed with the round")
        # Still open when its document was withdrawn: not done, not late, nobody's work any more.
        WITHDRAWN = "withdrawn", _("Ended: document withdrawn")

    ACTING_ROLES = (Role.LEAD, Role.COORDINATE)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="tasks")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    person = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")  # null: this is the root
    given_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False, unit__isnull=True) | Q(person__isnull=True, unit__isnull=False),
                                   name="task_person_or_unit"),
        ]
        # The personal lists at a million tasks (workflow.assignment_selectors): open tasks by holder, role and
        # deadline, closed ones by holder and closing time. Partial, so each holds only the rows its list reads.
        indexes = [
            models.Index(fields=["person", "role", "deadline", "id"], condition=Q(status="open"), name="task_open_by_person"),
            models.Index(fields=["unit", "role", "deadline", "id"], condition=Q(status="open"), name="task_open_by_unit"),
            models.Index(fields=["person", "-closed_at", "-id"], condition=~Q(status="open"), name="task_closed_by_person"),
            models.Index(fields=["unit", "-closed_at", "-id"], condition=~Q(status="open"), name="task_closed_by_unit"),
            # The figures of a leader's units (workflow.statistics): work received in a period, by holder or agency-wide,
            # with what the figures read included so that PostgreSQL answers from the index alone.
            models.Index(fields=["person", "created_at"], include=["unit", "deadline", "status", "closed_at"], condition=_COUNTED,
                         name="task_counted_by_person"),
            models.Index(fields=["unit", "created_at"], include=["person", "deadline", "status", "closed_at"], condition=_COUNTED,
                         name="task_counted_by_unit"),
            models.Index(fields=["agency", "created_at"], include=["person", "unit", "deadline", "status", "closed_at"],
                         condition=_COUNTED, name="task_counted_by_agency"),
            # The open part of those figures, counted live (the completed part is summed in CompletedWork).
            models.Index(fields=["person", "created_at"], include=["unit", "deadline"], condition=_OPEN_WORK, name="task_open_work_by_person"),
            models.Index(fields=["unit", "created_at"], include=["person", "deadline"], condition=_OPEN_WORK, name="task_open_work_by_unit"),
            models.Index(fields=["agency", "created_at"], include=["person", "unit", "deadline"], condition=_OPEN_WORK,
                         name="task_open_work_by_agency"),
        ]

    def __str__(self):
        return f"{self.role} {self.holder_name}"

    @property
    def holder_name(self) -> str:
        return self.person.full_name if self.person_id else self.unit.name

    @property
    def chain_root_id(self) -> int:
        return self.root_id or self.pk

    def is_held_by(self, person) -> bool:
        return self.person_id == person.pk if self.person_id else (person.unit_id is not None and self.unit_id == person.unit_id)


class CompletedWork(models.Model):
    """The work completed (lead and coordinating tasks done), counted per holder and month received: the part of
    a leader's figures that no longer changes, so that the dashboard reads a row per person and month rather than
    every task (workflow.statistics; the open work is counted live, as "overdue" changes with the day).
    Kept by workflow.completed_work in the same transaction as the task's completion, and rebuilt from the tasks
    when the agency's calendar changes (the handling time is in working days)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()  # of the day the work was received, in the agency's time zone
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    working_days = models.PositiveIntegerField(default=0)  # summed over the work completed

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False, unit__isnull=True) | Q(person__isnull=True, unit__isnull=False),
                                   name="completedwork_person_or_unit"),
            models.UniqueConstraint(fields=["person", "year", "month"], condition=Q(person__isnull=False), name="completedwork_one_per_person"),
            models.UniqueConstraint(fields=["unit", "year", "month"], condition=Q(unit__isnull=False), name="completedwork_one_per_unit"),
        ]
        indexes = [models.Index(fields=["agency", "year", "month"], name="completedwork_by_agency")]


class ExtensionRequest(models.Model):
    """An assignee asks for more time; the leader who assigned the round grants a new deadline or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Ended: document withdrawn")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extension_requests")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    requested_deadline = models.DateField(_("new deadline asked for"))
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    granted_deadline = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["task"], condition=Q(status="pending"), name="extension_one_pending_per_task")]
        indexes = [models.Index(fields=["assignment"], condition=Q(status="pending"), name="extension_pending")]


class Step(models.Model):
    """One line of a round's timeline: who did what, when, with their words and files."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        PASSED = "passed", _("Passed down")
        RETURNED = "returned", _("Returned")
        NOTE = "note", _("Progress note")
        CONTRIBUTED = "contributed", _("Contribution finished")
        EXTENSION_REQUESTED = "ext_asked", _("More time asked for")
        EXTENSION_GRANTED = "ext_granted", _("More time granted")
        EXTENSION_REFUSED = "ext_refused", _("More time refused")
        COMPLETED = "completed", _("Completed")
        READ = "read", _("Read")
        WITHDRAWN = "withdrawn", _("Handling ended: document withdrawn")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="steps")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    deadline = models.DateField(null=True, blank=True)  # asked for, granted, or set
    attachments = models.ManyToManyField("documents.Attachment", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Withdrawal(models.Model):
    """An incoming document its sender withdrew (a recall or a replacement its clerk accepted): its handling
    ended then, and it is never handled again. Written by workflow.handling.end_handling, the one way the
    handling of a document is stopped from outside the workflow."""

    class Kind(models.TextChoices):
        RECALLED = "recalled", _("Recalled by the sender")
        REPLACED = "replaced", _("Replaced by the sender")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, related_name="handling_withdrawal")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True)
    # The round it ended, if one was open then.
    assignment = models.OneToOneField(Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawal")
    withdrawn_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField()

    def __str__(self):
        return f"{self.document_id} {self.kind}"


class StatusEvent(models.Model):
    """A status of an incoming document that its sender must hear about (edXML status codes): 03 registered,
    04 assigned, 05 being processed, 06 completed. Each is recorded once per document, in the transaction
    of its cause; the exchange delivers it and fills `delivered_at`."""

    class Code(models.TextChoices):
        REGISTERED = "03", _("Registered")
        ASSIGNED = "04", _("Assigned by a leader")
        PROCESSING = "05", _("Being processed")
        COMPLETED = "06", _("Completed")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="status_events")
    code = models.CharField(max_length=2, choices=Code.choices)
    actor = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    occurred_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "code"]
        constraints = [models.UniqueConstraint(fields=["document", "code"], name="statusevent_once_per_document")]
        indexes = [models.Index(fields=["occurred_at", "id"], condition=Q(delivered_at__isnull=True), name="statusevent_undelivered")]


# Approval of outgoing drafts lives in its own module; imported here so that Django registers its models.
from vanphong.workflow.approval_models import (  # noqa: E402, F401
    Approval,
    ApprovalChain,
    ApprovalChainStep,
    ApprovalEvent,
    ApprovalStep,
    DraftVersion,
    StepRole,
    UnitHead,
)
