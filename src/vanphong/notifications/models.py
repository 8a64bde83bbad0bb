"""In-app notifications, the e-mails that go with them (an outbox), and who wants what.

A notification is stored as its kind and parameters, never as rendered text: it is shown in the language of
whoever reads it, when they read it (notifications.texts). Each has an event key ("reminder-before:task:12:
2026-12-01") unique per recipient, so that an event notifies a person once however often, and however
concurrently, the code that finds it runs. Its e-mail is a row of the outbox (OutgoingEmail), one per
notification at most, written in the same transaction; the worker sends it (notifications.delivery)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanphong.org.models import Agency

MAX_DAYS_BEFORE = 20
MAX_ESCALATION_DAYS = 60


class Preference(models.Model):
    """A person's choices: e-mail or not (in-app notifications always), and the language of their e-mails."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    email_enabled = models.BooleanField(_("send me e-mails too"), default=True)
    language = models.CharField(_("language of e-mails"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    updated_at = models.DateTimeField(auto_now=True)


class ReminderPolicy(models.Model):
    """An agency's reminders: how many working days before a deadline, and after how many working days of
    being overdue a task is escalated to the leader who assigned it. Without a row: the defaults."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, primary_key=True, related_name="+")
    days_before = models.PositiveSmallIntegerField(
        _("remind this many working days before the deadline"), default=1,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_DAYS_BEFORE)])
    escalation_days = models.PositiveSmallIntegerField(
        _("tell the assigning leader after this many working days overdue"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ESCALATION_DAYS)])
    updated_at = models.DateTimeField(auto_now=True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        TASK_GIVEN = "task_given", _("Task given")
        TASK_RETURNED = "task_returned", _("Task returned")
        EXTENSION_ASKED = "extension_asked", _("More time asked for")
        EXTENSION_DECIDED = "extension_decided", _("More time decided")
        REMINDER_BEFORE = "reminder_before", _("Deadline coming")
        REMINDER_OVERDUE = "reminder_overdue", _("Deadline passed")
        ESCALATION = "escalation", _("Still overdue")
        APPROVAL_AWAITING = "approval_awaiting", _("Draft awaiting approval")
        CONSULTATION_INVITED = "consultation_invited", _("Comments asked on a draft")
        CONSULTATION_DUE = "consultation_due", _("Comments on a draft awaited")
        PACKAGE_RECEIVED = "package_received", _("Package received through the exchange")
        NETWORK_PROBLEM = "network_problem", _("Exchange network alert")
        NETWORK_RESOLVED = "network_resolved", _("Exchange network alert resolved")
        HANDLING_ENDED = "handling_ended", _("Handling ended: document withdrawn")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict)
    link = models.CharField(max_length=300, blank=True)
    event_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event")]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_by_recipient"),
            # The bell's count: a short range of this index per person.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutgoingEmail(models.Model):
    """The e-mail of one notification, waiting to be sent or sent. Delivery is at least once: a row is
    claimed by pushing `next_attempt_at` past a lease and is marked sent only after the SMTP server accepted
    the message, so a worker that dies in between leaves it due again when the lease ends. The Message-ID is
    fixed by the event, so that the rare second copy is recognisably the same message."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")
        CANCELLED = "cancelled", _("Not sent: e-mail turned off")

    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, related_name="email")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claim = models.UUIDField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], condition=Q(status="pending"), name="email_due"),
            models.Index(fields=["created_at"], condition=Q(status="failed"), name="email_given_up"),  # `vanphong check`
        ]

    def __str__(self):
        return f"{self.address} ({self.status})"
