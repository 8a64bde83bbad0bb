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

