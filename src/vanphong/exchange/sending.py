"""The outbox's intake: issuing an outgoing document writes one package per recipient agency, in the
issue's own transaction (documents.hooks.document_issuing), so that a document is never issued
without its packages nor packages written for a document whose issue rolled back."""

from __future__ import annotations

from django.utils import timezone

from vanphong.core import audit
from vanphong.exchange import confidentiality
from vanphong.exchange.models import BUSINESS_NEW, BUSINESS_REPLACE, OutboundMessage, Replacement


def queue_document(document, *, actor=None) -> list[OutboundMessage]:
    """The packages of an issued outgoing document, one per recipient agency (not its own units,
    not places written out). A document the exchange may not carry gets refused rows, with the
    reason the sender sees, and nothing to send."""
    agencies = [r.agency for r in document.recipients.filter(agency__isnull=False).select_related("agency")]
    if not agencies:
        return []
    now = timezone.now()
    refused = confidentiality.refusal(document.confidentiality)
    state = OutboundMessage.State.REFUSED if refused else OutboundMessage.State.PENDING
    # A document drafted as the replacement of an earlier one travels as such (BussinessDocType 3), with the reason.
    replacement = Replacement.objects.filter(document=document).first()
    business = BUSINESS_REPLACE if replacement is not None else BUSINESS_NEW
    rows = [OutboundMessage(kind=OutboundMessage.Kind.EDOC, sender_id=document.agency_id, recipient=agency, document=document,
                            business_doc_type=business, description=replacement.reason if replacement is not None else "",
                            occurred_at=now, next_attempt_at=now, state=state, last_error=refused)
            for agency in agencies]
    OutboundMessage.objects.bulk_create(rows, ignore_conflicts=True)
    audit.record("exchange.refused" if refused else "exchange.queued", actor=actor, agency=document.agency, target=document,
                 data={"recipients": [a.code for a in agencies], "reason": refused})
    return rows


def on_document_issuing(sender, document, actor=None, **kwargs) -> None:
    queue_document(document, actor=actor)
