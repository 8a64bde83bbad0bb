"""Status events for the exchange (edXML status codes 03, 04, 05, 06), each recorded once per document.

record() runs inside the transaction of the change that causes the status, so the two commit or roll
back together; the unique (document, code) constraint makes a second recording, even a concurrent one,
a no-op. Registration (03) comes through documents.hooks.document_registered, sent inside the
registration's transaction. Whether the document came by exchange does not matter: the exchange
decides what to deliver, and fills delivered_at."""

from __future__ import annotations

from django.utils import timezone

from vanphong.workflow.models import StatusEvent

Code = StatusEvent.Code


def record(document, code: str, actor=None) -> None:
    StatusEvent.objects.bulk_create(
        [StatusEvent(agency_id=document.agency_id, document=document, code=code, actor=actor, occurred_at=timezone.now())],
        ignore_conflicts=True)


def on_document_registered(sender, document, actor=None, **kwargs) -> None:
    record(document, Code.REGISTERED, actor)
