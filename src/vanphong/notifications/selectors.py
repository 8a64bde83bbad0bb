"""Reads of notifications and preferences: a person sees only their own notifications, whatever the
agency; an agency's reminder policy is read by its administrators."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from vanphong.core.errors import NotFound, PermissionDenied
from vanphong.notifications.models import Notification, Preference
from vanphong.notifications.reminders import Policy, policy_of
from vanphong.notifications.texts import Words, words
from vanphong.org.permissions import can_manage_agency


def _active(reader) -> bool:
    return bool(reader and reader.is_authenticated and reader.is_active)


def notifications_for(reader, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The reader's notifications, newest first."""
    if not _active(reader):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient_id=reader.pk)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count(reader) -> int:
    """The bell's figure: one count over the partial index of unread notifications."""
    if not _active(reader):
        return 0
    return Notification.objects.filter(recipient_id=reader.pk, read_at__isnull=True).count()


def notification_for(reader, pk) -> Notification:
    try:
        return notifications_for(reader).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def described(notification: Notification) -> Words:
    """The notification in words, in the active language."""
    return words(notification.kind, notification.params)


@dataclass
class Preferences:
    email_enabled: bool
    language: str
    email: str


def preferences_of(reader) -> Preferences:
    if not _active(reader):
        raise NotFound()
    row = Preference.objects.filter(person_id=reader.pk).first()
    if row is None:
        return Preferences(True, settings.LANGUAGE_CODE, reader.email)
    return Preferences(row.email_enabled, row.language, reader.email)


def reminder_policy(reader) -> Policy:
    if not can_manage_agency(reader, reader.agency):
        raise PermissionDenied()
    return policy_of(reader.agency_id)


