"""Replies by exchange: from a document registered from a received package, its reader drafts the answer as an
outgoing document to the sender; issued as any other, its package names the received document in ResponseFor
(packages.edoc_for), which is how edXML says what a document answers."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.core.errors import NotFound, ValidationError
from vanphong.documents import services as documents
from vanphong.documents.models import Direction, Document
from vanphong.documents.permissions import can_draft
from vanphong.documents.selectors import documents_visible_to
from vanphong.documents.types import DocumentType
from vanphong.exchange.edxml import model
from vanphong.exchange.models import InboundPackage, Reply


def repliable_package(reader, document) -> InboundPackage | None:
    """The received package an incoming document was registered from, when the reader may answer it by exchange
    (they may read the document and draft for its agency; its sender is an agency of the directory); else None."""
    if document.direction != Direction.INCOMING or not can_draft(reader, document.agency):
        return None
    if not documents_visible_to(reader).filter(pk=document.pk).exists():
        return None
    return (InboundPackage.objects.filter(document_id=document.pk, state=InboundPackage.State.REGISTERED, kind="edoc",
                                          sender__isnull=False, sender__is_active=True)
            .select_related("sender").first())


def replies_to(reader, document) -> list[Reply]:
    """The replies drafted to an incoming document the reader may read."""
    if not documents_visible_to(reader).filter(pk=document.pk).exists():
        raise NotFound()
    return list(Reply.objects.filter(answered__document_id=document.pk).select_related("document").order_by("pk"))


@transaction.atomic
def draft_reply(actor, document: Document, *, subject: str, doc_type: str = DocumentType.CONG_VAN, files=(), request=None) -> Document:
    """Draft the answer to an incoming document that came through the exchange: an outgoing draft addressed to its
    sender, with `files`, that is signed and issued as any other."""
    package = repliable_package(actor, document)
    if package is None:
        raise NotFound()
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("The subject (trích yếu) is required.")})
    draft = documents.create_outgoing_draft(actor, doc_type=doc_type, subject=subject[:500], urgency=document.urgency,
                                            confidentiality=document.confidentiality, recipient_agencies=[package.sender],
                                            files=list(files), request=request)
    Reply.objects.create(document=draft, answered=package, created_by=actor)
    audit.record("exchange.reply_drafted", actor=actor, agency=document.agency, target=draft, request=request,
                 data={"answers": package.edxml_document_id, "to": package.sender_code, "incoming": document.pk})
    return draft


def response_for(message) -> model.ResponseFor | None:
    """What an outgoing package answers: the received document its document replies to, for the agency that sent
    that one (others are not told of a document they never sent)."""
    reply = Reply.objects.filter(document_id=message.document_id).select_related("answered").first()
    if reply is None or reply.answered.sender_id != message.recipient_id:
        return None
    answered = reply.answered
    code = f"{answered.code_number}/{answered.code_notation}" if answered.code_notation else answered.code_number
    return model.ResponseFor(organ_id=answered.sender_code, code=code, promulgation_date=answered.promulgation_date,
                             document_id=answered.edxml_document_id)
