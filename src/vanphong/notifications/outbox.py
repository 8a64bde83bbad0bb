"""Writing notifications and their e-mails, once per event and recipient.

notify() runs inside the transaction of its cause (a workflow hook) or of a reminder scan. It skips the
(recipient, event key) pairs that exist already, inserts the rest with ON CONFLICT DO NOTHING (INSERT OR
IGNORE on SQLite), so that two scans racing for the same event leave one row, and writes the e-mail of each
new notification the same way: the e-mail's one-to-one link to its notification is the second guard. The
e-mails are sent by the worker's next delivery run, at most a minute later (notifications.tasks)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from vanphong.notifications.models import Notification, OutgoingEmail, Preference
from vanphong.org.models import Person

BATCH = 500


@dataclass(frozen=True)
class Entry:
    recipient_id: int
    kind: str
    event_key: str
    link: str = ""
    params: dict = field(default_factory=dict, hash=False, compare=False)


def _existing(entries: list[Entry]) -> set[tuple[int, str]]:
    keys = sorted({e.event_key for e in entries})
    found = set()
    for start in range(0, len(keys), BATCH):
        found |= set(Notification.objects.filter(event_key__in=keys[start: start + BATCH]).values_list("recipient_id", "event_key"))
    return found


def _email_wanted(recipient_ids: set[int]) -> dict[int, str]:
    """Recipient id → address, for the active people with an address who have not turned e-mail off."""
    off = set(Preference.objects.filter(person_id__in=recipient_ids, email_enabled=False).values_list("person_id", flat=True))
    people = Person.objects.filter(pk__in=recipient_ids - off, is_active=True).exclude(email="").values_list("pk", "email")
    return dict(people)


def notify(entries: Iterable[Entry]) -> int:
    """Write what is new among `entries`; return how many notifications were new."""
    entries = list({(e.recipient_id, e.event_key): e for e in entries}.values())
    if not entries:
        return 0
    with transaction.atomic():
        existing = _existing(entries)
        new = [e for e in entries if (e.recipient_id, e.event_key) not in existing]
        if not new:
            return 0
        active = set(Person.objects.filter(pk__in={e.recipient_id for e in new}, is_active=True).values_list("pk", flat=True))
        new = [e for e in new if e.recipient_id in active]
        Notification.objects.bulk_create(
            [Notification(recipient_id=e.recipient_id, kind=e.kind, params=e.params, link=e.link, event_key=e.event_key) for e in new],
            ignore_conflicts=True, batch_size=BATCH)
        addresses = _email_wanted({e.recipient_id for e in new})
        if addresses:
            wanted = {(e.recipient_id, e.event_key) for e in new if e.recipient_id in addresses}
            rows = [row for row in Notification.objects.filter(recipient_id__in=addresses, event_key__in={k for _r, k in wanted})
                    .values_list("pk", "recipient_id", "event_key") if (row[1], row[2]) in wanted]
            now = timezone.now()
            OutgoingEmail.objects.bulk_create(
                [OutgoingEmail(notification_id=pk, recipient_id=rid, address=addresses[rid], next_attempt_at=now) for pk, rid, _k in rows],
                ignore_conflicts=True, batch_size=BATCH)
        return len(new)
