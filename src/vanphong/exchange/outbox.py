"""Delivering the outbox, from the worker (exchange.tasks) or `vanphong exchange send`.

At least once, like the e-mail outbox (notifications.delivery): a batch of due rows is claimed
first (committed: `next_attempt_at` pushed a lease ahead under a claim token, `attempts` counted),
then each is built, signed with the sender agency's seal certificate and kept (so that a retry
sends the very same bytes), handed to its transport, and marked sent under the token. A worker
that dies anywhere in between leaves its rows due again when the lease ends; two workers never
take the same row, because a claim is an UPDATE conditioned on the row still being due. A package
sent twice is recognised by the receiver (same sender and DocumentId, same bytes).

A failure the transport calls retryable (or a missing seal certificate) is tried again after
base · 2^(attempts−1) seconds, at most VANPHONG_EXCHANGE_RETRY_MAX_SECONDS, with jitter so that
the packages of one outage do not all come back at the same moment; other failures stop, with
the reason the sender sees on the document's page.

Workflow status events (03–06) of documents that came through the exchange become status
messages here too (`queue_status_events`); their `delivered_at` is filled once sent."""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core import audit, storage
from vanphong.exchange import confidential, confidentiality, packages
from vanphong.exchange import transport as transports
from vanphong.exchange.models import InboundPackage, OutboundMessage

logger = logging.getLogger(__name__)
State = OutboundMessage.State


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=_setting("VANPHONG_EXCHANGE_LEASE_SECONDS", 300))


def backoff(attempts: int, *, rng: random.Random | None = None) -> dt.timedelta:
    """Exponential back-off with "equal jitter": half the delay fixed, half random."""
    base = _setting("VANPHONG_EXCHANGE_RETRY_BASE_SECONDS", 30)
    ceiling = _setting("VANPHONG_EXCHANGE_RETRY_MAX_SECONDS", 3600)
    delay = min(ceiling, base * 2 ** min(max(0, attempts - 1), 30))
    return dt.timedelta(seconds=delay / 2 + (rng or random).uniform(0, delay / 2))


class _NotReady(Exception):
    """The package cannot be built or signed yet; a person can fix it (a seal certificate)."""


def claim_due(*, limit: int = 50, now: dt.datetime | None = None) -> tuple[uuid.UUID, list[OutboundMessage]]:
    """Take up to `limit` due rows for this worker until the lease ends (committed before anything is sent)."""
    now = now or timezone.now()
    token = uuid.uuid4()
    due = list(OutboundMessage.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    if not due:
        return token, []
    OutboundMessage.objects.filter(pk__in=due, state=State.PENDING, next_attempt_at__lte=now).update(
        claim=token, next_attempt_at=now + lease(), attempts=F("attempts") + 1)
    claimed = OutboundMessage.objects.filter(claim=token, state=State.PENDING).select_related(
        "sender", "recipient", "document__agency", "inbound")
    return token, list(claimed.order_by("pk"))


def _signed_payload(message: OutboundMessage, token) -> bytes:
    """The signed package of the row: built and kept on its first attempt, read back on the next."""
    if message.payload_sha256:
        return storage.read_bytes(message.payload_sha256)
    from vanphong.signing import credentials, selectors, xmldsig

    row = selectors.held_seal_certificate(message.sender)
    if row is None:
        raise _NotReady(_("%(agency)s has no valid seal certificate held by the system: ask a CA operator to issue one. "
                          "The package waits and is sent once there is one.") % {"agency": message.sender.name})
    unsigned = packages.build(message)  # ValidationError: the document cannot make a valid package
    try:
        signed = xmldsig.sign_package(unsigned, credentials.held(row), row=row)
    except ValidationError as exc:
        raise _NotReady(" ".join(exc.messages)) from None
    if message.kind == OutboundMessage.Kind.EDOC and message.document.confidentiality:
        refused = confidentiality.refusal(message.document.confidentiality)
        if refused:
            raise ValidationError(refused)
        certificate = confidentiality.recipient_certificate(message.recipient)
        if certificate is None:
            raise _NotReady(_("No certificate of %(agency)s is known to encrypt this Mật document for: an administrator must add "
                              "it to the agency's directory entry. The package waits.") % {"agency": message.recipient.name})
        signed = confidential.seal_for(certificate, signed)
    sha = storage.put_bytes(signed)
    OutboundMessage.objects.filter(pk=message.pk, claim=token).update(payload_sha256=sha, payload_size=len(signed))
    return signed


def _doc_id(message: OutboundMessage) -> str:
    if message.kind == OutboundMessage.Kind.EDOC:
        return packages.document_id_of(message.document)
    return message.inbound.edxml_document_id


def _retry(message: OutboundMessage, token, error: str) -> None:
    logger.warning("exchange package %s not sent (attempt %s): %s", message.pk, message.attempts, error)
    OutboundMessage.objects.filter(pk=message.pk, claim=token, state=State.PENDING).update(
        next_attempt_at=timezone.now() + backoff(message.attempts), claim=None, last_error=error[:2000])


def _give_up(message: OutboundMessage, token, error: str) -> None:
    logger.error("exchange package %s not sent, given up: %s", message.pk, error)
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=message.pk, claim=token, state=State.PENDING).update(
            state=State.FAILED, claim=None, last_error=error[:2000])
        audit.record("exchange.send_failed", agency=message.sender, target=message, data={"error": error[:500]})


def _sent(message: OutboundMessage, token, transport_name: str, transport_id: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        done = OutboundMessage.objects.filter(pk=message.pk, claim=token, state=State.PENDING).update(
            state=State.SENT, claim=None, sent_at=now, transport=transport_name, transport_id=transport_id[:200], last_error="")
        if done and message.status_event_id:
            from vanphong.workflow.models import StatusEvent

            StatusEvent.objects.filter(pk=message.status_event_id, delivered_at__isnull=True).update(delivered_at=now)
        if done:
            audit.record("exchange.sent", agency=message.sender, target=message,
                         data={"kind": message.kind, "to": message.recipient.code, "document_id": message.edxml_document_id,
                               "status": message.status_code, "transport": transport_name, "transport_id": transport_id})


def deliver(message: OutboundMessage, token) -> bool:
    """Build, sign and send one claimed row; True when it was sent."""
    try:
        if not message.edxml_document_id:
            message.edxml_document_id = _doc_id(message)[:200]
            OutboundMessage.objects.filter(pk=message.pk).update(edxml_document_id=message.edxml_document_id)
        data = _signed_payload(message, token)
        chosen = transports.for_recipient(message.recipient)
        transport_id = chosen.send(data, sender_code=message.sender.code, recipient_code=message.recipient.code,
                                   message_type=message.kind, doc_id=message.edxml_document_id)
    except transports.TransportError as exc:
        (_retry if exc.retryable else _give_up)(message, token, exc.message)
        return False
    except _NotReady as exc:
        _retry(message, token, str(exc))
        return False
    except ValidationError as exc:
        _give_up(message, token, " ".join(exc.messages))
        return False
    _sent(message, token, chosen.name, transport_id)
    return True


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0


def deliver_due(*, limit: int = 50, now: dt.datetime | None = None) -> Outcome:
    token, batch = claim_due(limit=limit, now=now)
    outcome = Outcome()
    for message in batch:
        try:
            ok = deliver(message, token)
        except Exception as exc:  # noqa: BLE001 - one bad row must not stop the batch; it is retried
            logger.exception("exchange package %s: unexpected failure", message.pk)
            _retry(message, token, f"{type(exc).__name__}: {exc}")
            ok = False
        if ok:
            outcome.sent += 1
        else:
            outcome.failed += 1
    return outcome


def deliver_all(*, limit: int = 50) -> Outcome:
    """Send batches until none is due (each remaining one failed for now)."""
    total = Outcome()
    while True:
        outcome = deliver_due(limit=limit)
        total.sent, total.failed = total.sent + outcome.sent, total.failed + outcome.failed
        if outcome.sent + outcome.failed == 0:
            return total


def queue_status(inbound: InboundPackage, code: str, description: str = "", *, status_event=None, occurred_at=None) -> None:
    """A status message back to the sender of a received package, once per code (in the caller's transaction)."""
    now = timezone.now()
    OutboundMessage.objects.bulk_create([OutboundMessage(
        kind=OutboundMessage.Kind.STATUS, sender_id=inbound.agency_id, recipient_id=inbound.sender_id, inbound=inbound,
        status_code=code, description=description, status_event=status_event, occurred_at=occurred_at or now,
        next_attempt_at=now, edxml_document_id=inbound.edxml_document_id[:200])], ignore_conflicts=True)


def queue_status_events(*, limit: int = 500) -> int:
    """The workflow's status events (03–06) of documents received through the exchange, not yet queued. None
    of a document its sender withdrew: once the recall or the replacement is accepted (15), handling
    reported from before it would only say that work goes on, which it does not."""
    from vanphong.workflow.models import StatusEvent, Withdrawal

    queued = OutboundMessage.objects.filter(status_event=OuterRef("pk"))
    withdrawn = Withdrawal.objects.filter(document_id=OuterRef("document_id"))
    events = list(StatusEvent.objects.filter(delivered_at__isnull=True, document__received_package__sender__isnull=False)
                  .exclude(Exists(queued)).exclude(Exists(withdrawn)).select_related("document__received_package").order_by("occurred_at", "pk")[:limit])
    for event in events:
        queue_status(event.document.received_package, event.code, status_event=event, occurred_at=event.occurred_at)
    return len(events)
