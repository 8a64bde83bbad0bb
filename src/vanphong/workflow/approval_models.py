"""Approval of outgoing drafts (duyệt dự thảo): the chains an agency configures, and each draft's approval.

A chain is an ordered list of steps for an agency, by default or for one document type. When the drafter
submits, the chain is copied into the draft's approval with each step's holder resolved (the head of the
drafter's unit becomes that person), so that a later change of the chain or of the organisation does not
move a draft already on its way. Every change of the draft during approval is a new DraftVersion, kept
with its metadata and the SHA-256 of its files."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanphong.documents.types import DocumentType
from vanphong.org.models import Agency


class StepRole(models.TextChoices):
    UNIT_HEAD = "unit_head", _("Head of the drafting unit")
    OFFICE = "office", _("Office (Văn phòng) review")
    SIGNING_LEADER = "signing_leader", _("Signing leader")
    PERSON = "person", _("A named person")
    UNIT = "unit", _("A named unit")


class UnitHead(models.Model):
    """Who heads a unit (trưởng đơn vị), for the chains' "head of the drafting unit" step."""

    unit = models.OneToOneField("org.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("head"))
    updated_at = models.DateTimeField(auto_now=True)


class ApprovalChain(models.Model):
    """An agency's chain: its default (doc_type "") or the one for a document type, which then wins."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    doc_type = models.CharField(_("document type"), max_length=4, choices=DocumentType.choices, blank=True, default="")
    updated_by = models.ForeignKey("org.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["doc_type"]
        constraints = [models.UniqueConstraint(fields=["agency", "doc_type"], name="approvalchain_one_per_type")]


class ApprovalChainStep(models.Model):
    chain = models.ForeignKey(ApprovalChain, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(_("who approves"), max_length=16, choices=StepRole.choices)
    person = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    drafter_may_approve = models.BooleanField(_("the drafter may approve this step"), default=False)

    class Meta:
        ordering = ["chain", "position"]
        constraints = [models.UniqueConstraint(fields=["chain", "position"], name="approvalchainstep_unique_position")]


class Approval(models.Model):
    """The approval of one draft. IN_PROGRESS: a step holds it; RETURNED: back with its drafter, who
    resubmits it to the step that returned it; APPROVED: every step approved, it may be issued."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Being approved")
        RETURNED = "returned", _("Returned to the drafter")
        APPROVED = "approved", _("Approved")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, related_name="approval")
    drafter = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    current_position = models.PositiveSmallIntegerField(default=1)
    submitted_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["drafter"], condition=Q(status="returned"), name="approval_returned_by_drafter")]


class ApprovalStep(models.Model):
    """A step of one draft's approval, with its holder resolved at submission: a person, or a unit whose
    every active member may act for it (not its subunits), as for tasks."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Not reached")
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")

    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=16, choices=StepRole.choices)
    person = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drafter_may_approve = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    decided_by = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["approval", "position"]
        constraints = [
            models.UniqueConstraint(fields=["approval", "position"], name="approvalstep_unique_position"),
            models.CheckConstraint(condition=Q(person__isnull=False, unit__isnull=True) | Q(person__isnull=True, unit__isnull=False),
                                   name="approvalstep_person_or_unit"),
        ]
        # "Awaiting my approval" and its count in the navigation: a short range of a partial index.
        indexes = [
            models.Index(fields=["person", "id"], condition=Q(status="pending"), name="approvalstep_pending_person"),
            models.Index(fields=["unit", "id"], condition=Q(status="pending"), name="approvalstep_pending_unit"),
        ]

    @property
    def holder_name(self) -> str:
        return self.person.full_name if self.person_id else self.unit.name

    def is_held_by(self, person) -> bool:
        return self.person_id == person.pk if self.person_id else (person.unit_id is not None and self.unit_id == person.unit_id)


class DraftVersion(models.Model):
    """One version of a draft: its metadata and its files (by SHA-256) as they were. Never changed."""

    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="draft_versions")
    number = models.PositiveIntegerField()
    created_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    metadata = models.JSONField(default=dict)
    # [{"attachment": id, "sha256": ..., "filename": ..., "size": ...}], the main file first.
    files = models.JSONField(default=list)
    main_attachment = models.ForeignKey("documents.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="draftversion_unique_number")]


class ApprovalEvent(models.Model):
    """A line of the approval's timeline."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for approval")
        RESUBMITTED = "resubmitted", _("Submitted again")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")
        EDITED = "edited", _("New version")
        COMPLETED = "completed", _("Approval complete")

    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    step = models.ForeignKey(ApprovalStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # RETURNED: to the drafter (null) or to the step at this position.
    returned_to = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
