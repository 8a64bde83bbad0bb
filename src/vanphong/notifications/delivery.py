"""Sending the outbox's e-mails, from the worker (notifications.tasks), with Django's SMTP backend.

At least once, not exactly once: SMTP has no way to take back a message the server accepted, and no
transaction spans it and the database. So a batch is claimed first (committed: `next_attempt_at` pushed a
lease ahead, under a claim token), then sent, then each message marked sent under its token. A worker that
dies after the claim leaves its rows due again when the lease ends, and the next worker (or the same one
restarted) sends them: none is lost. Only a death between the server's acceptance and the mark, a
window of milliseconds, sends a message twice; both copies carry the same Message-ID, derived from the
notification, so that mail systems and readers can tell. Two workers never send the same row at the same
time: a claim is an UPDATE conditioned on the row still being due.

A failure (server down, refused recipient, timeout) is retried after 1, 2, 4 … minutes, at most
VANPHONG_MAIL_RETRY_MAX_MINUTES apart, and given up after VANPHONG_MAIL_MAX_ATTEMPTS attempts."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanphong.notifications.models import OutgoingEmail, Preference
from vanphong.notifications.texts import words

logger = logging.getLogger(__name__)
Status = OutgoingEmail.Status


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.VANPHONG_MAIL_LEASE_SECONDS)


def backoff(attempts: int) -> dt.timedelta:
    minutes = min(2 ** max(0, attempts - 1), settings.VANPHONG_MAIL_RETRY_MAX_MINUTES)
    return dt.timedelta(minutes=minutes)


def claim_due(*, limit: int = 50, now: dt.datetime | None = None) -> tuple[uuid.UUID, list[OutgoingEmail]]:
    """Take up to `limit` due e-mails for this worker until the lease ends (committed before anything is sent)."""
    now = now or timezone.now()
    due = list(OutgoingEmail.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    token = uuid.uuid4()
    if due:
        OutgoingEmail.objects.filter(pk__in=due, status=Status.PENDING, next_attempt_at__lte=now).update(
            claim=token, next_attempt_at=now + lease(), attempts=F("attempts") + 1)
    claimed = OutgoingEmail.objects.filter(claim=token, status=Status.PENDING).select_related("notification", "recipient")
    return token, list(claimed.order_by("pk")) if due else []


def _preferences(emails: list[OutgoingEmail]) -> dict[int, Preference]:
    return Preference.objects.in_bulk({e.recipient_id for e in emails})


def _language(preference: Preference | None) -> str:
    chosen = preference.language if preference else None
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def message_for(email: OutgoingEmail, preference: Preference | None = None) -> EmailMessage:
    """The e-mail in its recipient's language, with a Message-ID fixed by its notification."""
    notification = email.notification
    with translation.override(_language(preference)):
        said = words(notification.kind, notification.params, for_email=True)
        body = [said.title, ""]
        if said.detail:
            body += [said.detail, ""]
        if notification.link:
            body += [_("Open it in VănPhòng: %(url)s") % {"url": settings.VANPHONG_PUBLIC_URL + notification.link}, ""]
        body += ["-- ", _("You receive this e-mail because you work with VănPhòng. Turn e-mails off in My account.")]
        subject = f"[VănPhòng] {said.title}"
    host = urlsplit(settings.VANPHONG_PUBLIC_URL).hostname or "vanphong.localhost"
    return EmailMessage(subject=subject[:250], body="\n".join(body), to=[email.address],
                        headers={"Message-ID": f"<notification-{notification.pk}@{host}>"})


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    cancelled: int = 0


def _still_wanted(email: OutgoingEmail, preference: Preference | None) -> bool:
    return email.recipient.is_active and (preference is None or preference.email_enabled)


def _failed(email: OutgoingEmail, token, exc: Exception, now: dt.datetime) -> None:
    error = f"{type(exc).__name__}: {exc}"[:1000]
    logger.warning("e-mail %s to %s not sent (attempt %s): %s", email.pk, email.address, email.attempts, error)
    rows = OutgoingEmail.objects.filter(pk=email.pk, claim=token, status=Status.PENDING)
    if email.attempts >= settings.VANPHONG_MAIL_MAX_ATTEMPTS:
        rows.update(status=Status.FAILED, claim=None, last_error=error)
    else:
        rows.update(next_attempt_at=now + backoff(email.attempts), claim=None, last_error=error)


def deliver_due(*, limit: int = 50, now: dt.datetime | None = None) -> Outcome:
    """Send one batch of due e-mails over one SMTP connection."""
    token, batch = claim_due(limit=limit, now=now)
    outcome = Outcome()
    if not batch:
        return outcome
    preferences = _preferences(batch)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()  # one session for the batch (send_messages would open and close one per message)
    except Exception:  # noqa: BLE001  (each message then fails on its own, and is retried)
        connection.connection = None
    for email in batch:
        rows = OutgoingEmail.objects.filter(pk=email.pk, claim=token, status=Status.PENDING)
        preference = preferences.get(email.recipient_id)
        if not _still_wanted(email, preference):
            rows.update(status=Status.CANCELLED, claim=None)
            outcome.cancelled += 1
            continue
        try:
            connection.send_messages([message_for(email, preference)])
        except Exception as exc:  # noqa: BLE001  (any failure of the server or the network: retried later)
            _failed(email, token, exc, timezone.now())
            outcome.failed += 1
            try:
                connection.close()  # a broken session is opened afresh for the next message
            except Exception:  # noqa: BLE001
                connection.connection = None
        else:
            rows.update(status=Status.SENT, sent_at=timezone.now(), claim=None, last_error="")
            outcome.sent += 1
    try:
        connection.close()
    except Exception:  # noqa: BLE001
        pass
    return outcome


def deliver_all(*, limit: int = 50) -> Outcome:
    """Send batches until none is due (or each remaining one failed for now)."""
    total = Outcome()
    while True:
        outcome = deliver_due(limit=limit)
        total.sent, total.failed, total.cancelled = total.sent + outcome.sent, total.failed + outcome.failed, \
            total.cancelled + outcome.cancelled
        if outcome.sent + outcome.failed + outcome.cancelled == 0:
            return total
