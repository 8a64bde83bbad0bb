"""The clerk's decisions on received packages: register one into an incoming register (status 03
then goes back through the workflow's status event), or reject it with a reason (status 02)."""

from __future__ import annotations

import os
import re
import tempfile

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core import audit, storage
from vanphong.core.clearance import Clearance
from vanphong.core.errors import ValidationError
from vanphong.documents import attachments as document_files
from vanphong.documents import services as documents
from vanphong.documents.permissions import require_clearance, require_clerk
from vanphong.documents.types import Competence, DocumentType, Urgency
from vanphong.exchange.edxml import model, reader
from vanphong.exchange.edxml.limits import Limits
from vanphong.exchange.models import InboundPackage, OutboundMessage
from vanphong.exchange.outbox import queue_status

MAX_REASON = 2000


def read_package(package: InboundPackage) -> reader.ReadResult:
    """What the received bytes say (read again: the inbox keeps the bytes, not a copy of every field)."""
    return reader.read(storage.read_bytes(package.payload_sha256), limits=Limits.from_settings())


def guess_doc_type(edoc: model.Edoc) -> str:
    """The document type from the notation (QĐ-UBND, 127-QĐ/TW) or the type's name; else a công văn."""
    for token in re.split(r"[-/]", edoc.code.code_notation):
        if token in DocumentType.values:
            return token
    name = edoc.document_type.type_name.strip().casefold()
    if name:
        for value, label in DocumentType.choices:
            if name in str(label).casefold():
                return value
    return DocumentType.CONG_VAN


def _files(edoc: model.Edoc) -> tuple[list[documents.UploadedFile], list[str]]:
    """The package's attachments as the documents app takes files (checked like an upload); the
    names of those it does not accept, to be noted on the document."""
    files, left_out = [], []
    for item in edoc.attachments:
        if not item.data:
            left_out.append(item.attachment_name or item.content_id)
            continue
        name = document_files.clean_filename(item.attachment_name or f"attachment-{item.content_id}")
        handle, path = tempfile.mkstemp(prefix="vp-exchange-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(item.data)
            try:
                found = document_files.inspect(path, filename=name)
            except ValidationError as exc:
                left_out.append(f"{name} ({' '.join(exc.messages)})")
                continue
        finally:
            os.unlink(path)
        sha = storage.put_bytes(item.data)
        files.append(documents.UploadedFile(sha256=sha, size=len(item.data), filename=name, content_type=found.content_type,
                                            text=found.text, page_count=found.page_count, needs_ocr=found.needs_ocr))
    return files, left_out


def _locked(actor, package: InboundPackage) -> InboundPackage:
    package = InboundPackage.objects.select_for_update(of=("self",)).select_related("agency", "sender").get(pk=package.pk)
    require_clerk(actor, package.agency)
    if package.state == InboundPackage.State.REFUSED:
        raise ValidationError(_("This package was refused on arrival: it cannot be registered or rejected."))
    if package.state != InboundPackage.State.RECEIVED:
        raise ValidationError(_("This package has already been decided: %(state)s.") % {"state": package.get_state_display()})
    return package


def register_received(actor, package: InboundPackage, *, register=None, doc_type: str = "", confidentiality: int = Clearance.NONE,
                      receiving_unit=None, distribution=(), confirm_duplicate: bool = False, request=None):
    """Register a received package as an incoming document, with its attachments. The workflow
    records status 03 in the same transaction; the exchange sends it back to the sender."""
    require_clerk(actor, package.agency)
    if package.encrypted and confidentiality < Clearance.CONFIDENTIAL:
        raise ValidationError({"confidentiality": _("The package arrived encrypted, as a Mật document: register it as Mật or above.")})
    edoc = read_package(package).package
    if not isinstance(edoc, model.Edoc):
        raise ValidationError(_("Only a document package can be registered."))
    files, left_out = _files(edoc)
    notes = ""
    if left_out:
        notes = _("Attachments of the package not kept: %(names)s.") % {"names": "; ".join(left_out)}
    competence = edoc.signer_info.competence if edoc.signer_info.competence in Competence.values else ""
    urgency = edoc.other_info.priority if edoc.other_info.priority in Urgency.values else Urgency.NORMAL
    with transaction.atomic():
        package = _locked(actor, package)
        document = documents.register_incoming(
            actor, register=register, files=files, distribution=distribution, confirm_duplicate=confirm_duplicate, request=request,
            doc_type=doc_type or guess_doc_type(edoc), code_number=edoc.code.code_number, code_notation=edoc.code.code_notation,
            issued_date=edoc.promulgation_info.promulgation_date, issuing_agency=package.sender,
            issuing_agency_name="" if package.sender_id else (package.sender_name or package.sender_code), subject=edoc.subject,
            signer_name=edoc.signer_info.full_name, signer_position=edoc.signer_info.position, signer_competence=competence,
            urgency=urgency, confidentiality=confidentiality, due_date=edoc.due_date, page_count=edoc.other_info.page_amount,
            copies=edoc.other_info.promulgation_amount, notes=notes, arrival_date=package.received_at, receiving_unit=receiving_unit)
        package.state, package.document = InboundPackage.State.REGISTERED, document
        package.decided_by, package.decided_at = actor, timezone.now()
        package.save(update_fields=["state", "document", "decided_by", "decided_at"])
        audit.record("exchange.registered", actor=actor, agency=package.agency, target=package, request=request,
                     data={"document": document.pk, "document_id": package.edxml_document_id, "from": package.sender_code,
                           "left_out": left_out})
    return document


def reject_received(actor, package: InboundPackage, *, reason: str, request=None) -> InboundPackage:
    """Reject a received package: status 02 with the reason goes back to its sender; nothing is registered."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the package is rejected: the sender reads it.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("The reason is too long (at most %(max)d characters).") % {"max": MAX_REASON}})
    with transaction.atomic():
        package = _locked(actor, package)
        package.state, package.reason = InboundPackage.State.REJECTED, reason
        package.decided_by, package.decided_at = actor, timezone.now()
        package.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        queue_status(package, "02", reason)
        audit.record("exchange.rejected", actor=actor, agency=package.agency, target=package, request=request,
                     data={"document_id": package.edxml_document_id, "from": package.sender_code, "reason": reason})
    return package


def resend(actor, message: OutboundMessage, *, request=None) -> OutboundMessage:
    """A clerk of the sending agency sends again a package the exchange gave up on, once its cause is
    fixed (a directory entry, a transport, a certificate): it is due at once, with fresh attempts."""
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update(of=("self",)).select_related("sender", "recipient", "document").get(
            pk=message.pk)
        require_clerk(actor, message.sender)
        if message.document_id:
            require_clearance(actor, message.document.confidentiality)
        if message.state != OutboundMessage.State.FAILED:
            raise ValidationError(_("Only a package that could not be sent is sent again; this one is: %(state)s.")
                                  % {"state": message.get_state_display()})
        message.state, message.attempts, message.claim = OutboundMessage.State.PENDING, 0, None
        message.next_attempt_at = timezone.now()
        message.save(update_fields=["state", "attempts", "claim", "next_attempt_at"])
        audit.record("exchange.resend", actor=actor, agency=message.sender, target=message, request=request,
                     data={"to": message.recipient.code, "document_id": message.edxml_document_id, "last_error": message.last_error[:500]})
    return message
