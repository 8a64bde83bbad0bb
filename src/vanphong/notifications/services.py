"""Changes a person makes to their notifications and preferences, and an administrator to the agency's
reminder policy.

Marking notifications read is not audited: it is the reader's own inbox state, not a record of the agency
(the audit chain would grow by every click); a change of preferences or of the policy is."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.core.errors import NotFound, PermissionDenied, ValidationError
from vanphong.notifications.models import MAX_DAYS_BEFORE, MAX_ESCALATION_DAYS, Notification, Preference, ReminderPolicy
from vanphong.org.permissions import can_manage_agency


def _require_active(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_active):
        raise PermissionDenied(_("Sign in first."))


def mark_read(actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (already read: unchanged)."""
    _require_active(actor)
    if notification.recipient_id != actor.pk:
        raise NotFound()
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(actor) -> int:
    _require_active(actor)
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def set_preferences(actor, *, email_enabled: bool, language: str, request=None) -> Preference:
    """The actor's own choices: e-mails on or off, and their language."""
    _require_active(actor)
    if not isinstance(email_enabled, bool):
        raise ValidationError({"email_enabled": _("Choose on or off.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose Vietnamese or English.")})
    preference, _created = Preference.objects.update_or_create(person_id=actor.pk,
                                                               defaults={"email_enabled": email_enabled, "language": language})
    audit.record("notifications.preferences.changed", actor=actor, target=actor, request=request,
                 data={"email_enabled": email_enabled, "language": language})
    return preference


@transaction.atomic
def set_reminder_policy(actor, *, days_before: int, escalation_days: int, request=None) -> ReminderPolicy:
    """An administrator sets their agency's reminders: days before a deadline, days overdue before escalation."""
    _require_active(actor)
    agency = actor.agency
    if not can_manage_agency(actor, agency):
        raise PermissionDenied(_("Only an administrator of the agency sets its reminders."))
    errors = {}
    if not isinstance(days_before, int) or isinstance(days_before, bool) or not 0 <= days_before <= MAX_DAYS_BEFORE:
        errors["days_before"] = _("Enter a number of working days from 0 to %(max)s.") % {"max": MAX_DAYS_BEFORE}
    if not isinstance(escalation_days, int) or isinstance(escalation_days, bool) or not 1 <= escalation_days <= MAX_ESCALATION_DAYS:
        errors["escalation_days"] = _("Enter a number of working days from 1 to %(max)s.") % {"max": MAX_ESCALATION_DAYS}
    if errors:
        raise ValidationError(errors)
    policy, _created = ReminderPolicy.objects.update_or_create(agency=agency, defaults={"days_before": days_before,
                                                                                        "escalation_days": escalation_days})
    audit.record("notifications.policy.changed", actor=actor, agency=agency, target=policy, request=request,
                 data={"days_before": days_before, "escalation_days": escalation_days})
    return policy
