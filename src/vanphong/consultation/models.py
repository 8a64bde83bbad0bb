"""Consultations on drafts (góp ý dự thảo): the draft's versions and their units, who is invited to comment,
their answers and the comments in them.

A comment keeps two places: the unit of the version it was written on (`source_node`, never changed) and its
unit in the latest version (`node`), which a new version moves along the match of units (Node.predecessor)
and staff may correct (`mapping` says which). Comments are the members that consolidation will group
(engine.grouping works on their ids and their `node`'s key); staff merges, splits and moves will be stored
as constraints against these ids, so that they survive a re-run.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanphong.org.models import Agency, Person, Unit

MAX_TITLE = 500
MAX_COMMENT = 10_000


class Consultation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open for comments")
        CLOSED = "closed", _("Closed")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafting agency"))
    drafting_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("drafting unit"))
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    deadline = models.DateField(_("deadline for comments"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "-created_at"], name="consultation_by_agency")]

    def __str__(self):
        return self.title


class DraftVersion(models.Model):
    """One uploaded file of the draft, with the structure found in it (its Nodes)."""

    class Layout(models.TextChoices):
        LEGAL = "legal", _("Parts, chapters, articles, clauses and points")
        REPORT = "report", _("Numbered sections")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    layout = models.CharField(max_length=10, choices=Layout.choices)
    preamble = models.TextField(blank=True)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consultation", "number"]
        constraints = [models.UniqueConstraint(fields=["consultation", "number"], name="draft_version_number_once")]

    def __str__(self):
        return f"{self.consultation_id} v{self.number}"


class Node(models.Model):
    """A unit of a version: Phần, Chương, Mục, Điều, Khoản, Điểm (or a report's numbered section)."""

    class Level(models.TextChoices):
        PART = "part", _("Part")
        CHAPTER = "chapter", _("Chapter")
        SECTION = "section", _("Section")
        ARTICLE = "article", _("Article")
        CLAUSE = "clause", _("Clause")
        POINT = "point", _("Point")

    version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveIntegerField()  # document order within the version
    depth = models.PositiveSmallIntegerField(default=0)
    level = models.CharField(max_length=10, choices=Level.choices)
    number = models.CharField(max_length=20)
    key = models.CharField(max_length=200)  # "article:5/clause:2" (structure.Unit.key)
    label = models.CharField(max_length=60)  # "Điều 5", "Khoản 2"
    title = models.TextField(blank=True)
    text = models.TextField(blank=True)
    # The unit of the previous version this one continues (matching.match_units), and how alike they are.
    predecessor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors")
    similarity = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="node_key_once_per_version"),
            models.UniqueConstraint(fields=["version", "position"], name="node_position_once_per_version"),
        ]

    def __str__(self):
        return self.full_label()

    def full_label(self) -> str:
        """The unit with those above it, as drafts name it: "Điều 5", "Khoản 2 Điều 5", "Điểm a khoản 2 Điều 5",
        "Mục 1 Chương II", "Mục 1 Phần II". Articles are numbered through the whole text, so nothing goes above them."""
        labels, node = [self.label], self
        while node.level != self.Level.ARTICLE and node.parent_id:
            node = node.parent
            labels.append(node.label)
        return " ".join([labels[0], *(label[0].lower() + label[1:] if label.startswith(("Khoản", "Điểm")) else label
                                      for label in labels[1:])])


class Invitation(models.Model):
    """One invitee: a unit or a person of the drafting agency, or another agency. Its state (waiting, answered,
    agreed without comment, late) follows from its answers and deadline (selectors.invitation_state)."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("Unit")
        PERSON = "person", _("Person")
        AGENCY = "agency", _("Agency")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline"))
    invited_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    # Set by the first answer: what it said, and when.
    answered_at = models.DateTimeField(null=True, blank=True)
    agreed = models.BooleanField(default=False)  # "nhất trí": agrees, no comment
    late = models.BooleanField(default=False)  # the first answer came after the deadline (a paper one typed by staff)
    # An agency invited through the exchange: the outgoing letter that carries the draft to it; the answer whose
    # package names that letter (edXML ResponseFor) is this invitation's (consultation.exchange_selectors).
    exchange_document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")

    class Meta:
        ordering = ["consultation", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="unit", unit__isnull=False, person__isnull=True, agency__isnull=True)
                           | Q(kind="person", person__isnull=False, unit__isnull=True, agency__isnull=True)
                           | Q(kind="agency", agency__isnull=False, unit__isnull=True, person__isnull=True)),
                name="invitation_one_invitee"),
            models.UniqueConstraint(fields=["consultation", "unit"], condition=Q(unit__isnull=False), name="invitation_unit_once"),
            models.UniqueConstraint(fields=["consultation", "person"], condition=Q(person__isnull=False), name="invitation_person_once"),
            models.UniqueConstraint(fields=["consultation", "agency"], condition=Q(agency__isnull=False), name="invitation_agency_once"),
        ]

    def __str__(self):
        return self.invitee_name

    @property
    def invitee_name(self) -> str:
        invitee = self.unit or self.person or self.agency
        return str(invitee.name if hasattr(invitee, "name") else invitee)


class Answer(models.Model):
    """What one invitee sent once: comments typed in the browser, a Word or PDF file split into comments, a paper
    answer typed by staff, or "nhất trí" with no comment."""

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        FILE = "file", _("File")
        PAPER = "paper", _("Paper, typed by staff")
        EXCHANGE = "exchange", _("Through the document exchange")

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    source = models.CharField(max_length=10, choices=Source.choices)
    agreed = models.BooleanField(default=False)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    received_on = models.DateField()  # the day it reached the drafting body (for paper: the day on the letter's receipt)
    submitted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invitation", "id"]


class Comment(models.Model):
    class Mapping(models.TextChoices):
        CHOSEN = "chosen", _("Chosen by the respondent")
        FOUND = "found", _("Found from the text's references")
        INHERITED = "inherited", _("From the heading above it")
        NONE = "none", _("The draft as a whole")
        UNRESOLVED = "unresolved", _("To check: names a part the draft does not have")
        CARRIED = "carried", _("Its part was dropped in a new version: placed on the part above it")
        STAFF = "staff", _("Corrected by staff")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="comments")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="comments")
    position = models.PositiveIntegerField()  # order within the answer
    text = models.TextField()
    reference = models.CharField(max_length=200, blank=True)  # what the text named: "khoản 2 Điều 3"
    source_node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    mapping = models.CharField(max_length=12, choices=Mapping.choices)
    # Staff found it is no comment (a letter's introduction, a signature the splitter kept): kept and shown, not counted
    # nor consolidated, and can be counted again.
    excluded = models.BooleanField(default=False)
    # Its group in the current consolidation (null: not consolidated yet, or excluded).
    group = models.ForeignKey("CommentGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consultation", "id"]
        indexes = [models.Index(fields=["consultation", "node"], name="comment_by_node")]

    def __str__(self):
        return self.text[:60]

    @property
    def source(self) -> str:
        return self.answer.source


class Reminder(models.Model):
    """That an invitee's holders were reminded of a deadline once (the notifications carry their own keys too)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="reminders")
    sent_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]



class ConsolidationRun(models.Model):
    """One grouping of a consultation's comments, on the version that was latest when it was asked for. The latest
    run of a consultation is its current one; its progress is written after each article so a page can show it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="runs")
    version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    articles_total = models.PositiveIntegerField(default=0)
    articles_done = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["consultation", "-requested_at", "-id"]
        get_latest_by = ["requested_at", "id"]
        constraints = [
            # One run at a time per consultation: the database refuses a second queued or running one.
            models.UniqueConstraint(fields=["consultation"], condition=Q(status__in=["queued", "running"]),
                                    name="consolidation_one_active_run"),
        ]

    def __str__(self):
        return f"{self.consultation_id} run {self.pk} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class CommentGroup(models.Model):
    """Comments on one unit (or on the draft as a whole, node null) that ask for the same thing, and the drafting
    body's response to them. Members are the Comments whose `group` is this one."""

    class Response(models.TextChoices):
        NONE = "", pgettext_lazy("group response", "No response yet")
        ACCEPTED = "accepted", pgettext_lazy("group response", "Accepted")  # tiếp thu
        EXPLAINED = "explained", pgettext_lazy("group response", "Explained")  # giải trình
        NOTED = "noted", pgettext_lazy("group response", "Noted")  # ghi nhận

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="groups")
    run = models.ForeignKey(ConsolidationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups")
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveIntegerField(default=0)  # order within the unit: biggest first
    representative = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Staff settled it: exactly these members, nobody joins on a re-run.
    closed = models.BooleanField(default=False)
    response = models.CharField(_("response"), max_length=10, choices=Response.choices, default=Response.NONE,
                                blank=True)
    response_text = models.TextField(_("response text"), blank=True)
    # The unit of the latest version the response points to (the rewritten article, say).
    response_node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responded_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["consultation", "node__position", "position", "id"]
        indexes = [models.Index(fields=["consultation", "node", "position"], name="comment_group_by_node")]

    def __str__(self):
        return f"{self.consultation_id} group {self.pk}"


class GroupingDecision(models.Model):
    """A staff decision on grouping, passed to engine.Constraints on every re-run so that it survives it:
    `together` (the comments in `first` share a group), `apart` (no comment of `first` with one of `second`),
    `closed` (the comments in `first` are exactly one group)."""

    class Kind(models.TextChoices):
        TOGETHER = "together", _("Together")
        APART = "apart", _("Apart")
        CLOSED = "closed", pgettext_lazy("grouping decision", "Closed")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="grouping_decisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    first = models.JSONField(default=list)  # comment ids
    second = models.JSONField(default=list, blank=True)  # comment ids, for apart; [] otherwise
    made_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consultation", "made_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.first} {self.second}"
