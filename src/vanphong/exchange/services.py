"""The clerk's decisions on received packages: register one into an incoming register (status 03
then goes back through the workflow's status event), or reject it with a reason (status 02); on a
recall a sender asked for, accept it (15: the package it is about is withdrawn, and the handling of the
document registered from it ends: workflow.handling.end_handling) or refuse it with a reason (16). On the sending side: recall an issued document from the agencies it reached."""

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
from vanphong.exchange import corrections
from vanphong.exchange.edxml import model, reader
from vanphong.exchange.edxml.limits import Limits
from vanphong.exchange.edxml.oddities import UnreadablePackage
from vanphong.exchange.models import BUSINESS_NEW, BUSINESS_RECALL, BUSINESS_UPDATE, InboundPackage, OutboundMessage
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
    if package.encrypted:  # a Mật package, as the selectors show it: only to clerks cleared for Mật
        require_clearance(actor, Clearance.CONFIDENTIAL)
    if package.state == InboundPackage.State.REFUSED:
        raise ValidationError(_("This package was refused on arrival: it cannot be registered or rejected."))
    if package.state != InboundPackage.State.RECEIVED:
        raise ValidationError(_("This package has already been decided: %(state)s.") % {"state": package.get_state_display()})
    return package


def _locked_document_package(actor, package: InboundPackage) -> InboundPackage:
    package = _locked(actor, package)
    if package.is_request:
        raise ValidationError(_("This is a recall, an update or a replacement of a document you received: accept or refuse it first."))
    return package


def _locked_request(actor, package: InboundPackage) -> InboundPackage:
    package = _locked(actor, package)
    if package.is_replacement and not package.is_request:
        raise ValidationError(_("This replacement has already been accepted: register it, or reject it with a reason."))
    if not package.is_request:
        raise ValidationError(_("This package is a document, not a recall, an update or a replacement: register or reject it."))
    return package


def register_received(actor, package: InboundPackage, *, register=None, doc_type: str = "", confidentiality: int = Clearance.NONE,
                      receiving_unit=None, distribution=(), confirm_duplicate: bool = False, request=None):
    """Register a received package as an incoming document, with its attachments. The workflow
    records status 03 in the same transaction; the exchange sends it back to the sender."""
    require_clerk(actor, package.agency)
    if package.is_request:
        raise ValidationError(_("This is a recall, an update or a replacement of a document you received: accept or refuse it first."))
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
        package = _locked_document_package(actor, package)
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


def _reason(reason: str, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": missing})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("The reason is too long (at most %(max)d characters).") % {"max": MAX_REASON}})
    return reason


def reject_received(actor, package: InboundPackage, *, reason: str, request=None) -> InboundPackage:
    """Reject a received package: status 02 with the reason goes back to its sender; nothing is registered."""
    reason = _reason(reason, _("Say why the package is rejected: the sender reads it."))
    with transaction.atomic():
        package = _locked_document_package(actor, package)
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


# ---- recall (BussinessDocType 1) ----------------------------------------------------------------------


def recall_document(actor, document, *, reason: str, request=None) -> list[OutboundMessage]:
    """Recall an issued outgoing document from every agency its package reached: one recall package
    per such agency, in the outbox, signed and delivered like the document (the reason travels as
    BussinessDocReason). Each recipient's clerk answers 13 on arrival, then 15 (accepted) or 16
    (refused, with a reason), on the document's per-recipient timeline."""
    from vanphong.documents.models import Direction, Document

    reason = _reason(reason, _("Say why the document is recalled: the recipients read it."))
    with transaction.atomic():
        document = Document.objects.select_for_update(of=("self",)).select_related("agency").get(pk=document.pk)
        require_clerk(actor, document.agency)
        require_clearance(actor, document.confidentiality)
        if document.direction != Direction.OUTGOING or document.status != Document.Status.ISSUED:
            raise ValidationError(_("Only an issued outgoing document can be recalled."))
        targets = _reached_agencies(document, without=(BUSINESS_RECALL,))
        if not targets:
            raise ValidationError(_("This document has already been recalled from every agency it reached."))
        now = timezone.now()
        rows = OutboundMessage.objects.bulk_create([
            OutboundMessage(kind=OutboundMessage.Kind.EDOC, sender_id=document.agency_id, recipient=agency, document=document,
                            business_doc_type=BUSINESS_RECALL, description=reason, occurred_at=now, next_attempt_at=now)
            for agency in targets])
        audit.record("exchange.recall_sent", actor=actor, agency=document.agency, target=document, request=request,
                     data={"recipients": [a.code for a in targets], "reason": reason})
    return rows


def accept_request(actor, package: InboundPackage, *, request=None) -> InboundPackage:
    """Accept a recall, an update or a replacement; 15 goes back to the sender. A replacement accepted
    stays waiting, now as a document to register; the others are decided."""
    with transaction.atomic():
        package = _locked_request(actor, package)
        original = InboundPackage.objects.select_for_update(of=("self",)).select_related("document").get(pk=package.original_id)
        now = timezone.now()
        if package.is_replacement:
            data = _withdraw(actor, package, original, InboundPackage.State.REPLACED, request)
            package.replacement_accepted_at = now
            package.save(update_fields=["replacement_accepted_at"])
            action = "exchange.replacement_accepted"
        else:
            if package.is_recall:
                data, action = _withdraw(actor, package, original, InboundPackage.State.RECALLED, request), "exchange.recall_accepted"
            else:
                data, action = _accept_update(package, original), "exchange.update_accepted"
            package.state, package.decided_by, package.decided_at = InboundPackage.State.ACCEPTED, actor, now
            package.changes = data.get("changes", {})
            package.save(update_fields=["state", "decided_by", "decided_at", "changes"])
        queue_status(package, "15")
        audit.record(action, actor=actor, agency=package.agency, target=package, request=request,
                     data={"document_id": package.edxml_document_id, "from": package.sender_code, "original": original.pk,
                           "document": original.document_id, **data})
    return package


def _withdraw(actor, package: InboundPackage, original: InboundPackage, state: str, request) -> dict:
    """The package recalled or replaced is withdrawn: a waiting package is no longer offered for
    registration; a registered document says so on its page, and its handling ends (the workflow ends
    its open round and every task still open, so that nobody works on a withdrawn document)."""
    from vanphong.workflow import handling

    before = original.state
    original.state = state
    original.save(update_fields=["state"])
    if original.document_id is not None:
        kind = "replaced" if state == InboundPackage.State.REPLACED else "recalled"
        handling.end_handling(actor, original.document, kind=kind, reason=sender_reason(package), request=request)
    return {"original_state": before}


def sender_reason(package: InboundPackage) -> str:
    """Why the sender recalls, corrects or replaces (BussinessDocReason), as its package says; "" if unreadable."""
    try:
        edoc = read_package(package).package
    except (UnreadablePackage, OSError):
        return ""
    return edoc.bussiness.bussiness_doc_reason if isinstance(edoc, model.Edoc) and edoc.bussiness else ""


def proposed_changes(package: InboundPackage) -> dict:
    """What an update changes, {field: [before, after]}: as applied once accepted, else against what
    the agency holds now (the registered document, or the package still waiting)."""
    if not package.is_update:
        return {}
    if package.state == InboundPackage.State.ACCEPTED:
        return package.changes
    original = package.original
    before = (corrections.of_document(original.document) if original.document_id is not None
              else corrections.of_edoc(read_package(original).package))
    return corrections.diff(before, corrections.of_edoc(read_package(package).package))


def _accept_update(package: InboundPackage, original: InboundPackage) -> dict:
    """The corrected fields are applied: to the registered document, or, while the package still
    waits, to the package itself (the update's bytes become what the clerk registers)."""
    if original.state not in (InboundPackage.State.RECEIVED, InboundPackage.State.REGISTERED):
        raise ValidationError(_("The document this update corrects is %(state)s: there is nothing to correct; refuse the update.")
                              % {"state": original.get_state_display()})
    corrected = read_package(package).package
    after = corrections.of_edoc(corrected)
    if original.document_id is not None:
        changes = corrections.diff(corrections.of_document(original.document), after)
        corrections.apply_to_document(original.document, changes)
    else:
        changes = corrections.diff(corrections.of_edoc(read_package(original).package), after)
        original.payload_sha256, original.verification = package.payload_sha256, package.verification
    original.subject, original.due_date, original.priority = package.subject, package.due_date, package.priority
    original.save(update_fields=["subject", "due_date", "priority", "payload_sha256", "verification"])
    return {"changes": changes}


def refuse_request(actor, package: InboundPackage, *, reason: str, request=None) -> InboundPackage:
    """Refuse a recall or an update, with the reason: 16 goes back; the package it is about stays as it was."""
    reason = _reason(reason, _("Say why the update is refused: the sender reads it.") if package.is_update
                     else _("Say why the replacement is refused: the sender reads it.") if package.is_replacement
                     else _("Say why the recall is refused: the sender reads it."))
    with transaction.atomic():
        package = _locked_request(actor, package)
        package.state, package.reason = InboundPackage.State.REJECTED, reason
        package.decided_by, package.decided_at = actor, timezone.now()
        package.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        queue_status(package, "16", reason)
        action = ("exchange.recall_refused" if package.is_recall else "exchange.update_refused" if package.is_update
                  else "exchange.replacement_refused")
        audit.record(action, actor=actor, agency=package.agency,
                     target=package, request=request,
                     data={"document_id": package.edxml_document_id, "from": package.sender_code, "reason": reason})
    return package


# ---- update (BussinessDocType 2) -----------------------------------------------------------------------


def send_update(actor, document, *, changes: dict, reason: str, request=None) -> list[OutboundMessage]:
    """Correct fields of an issued outgoing document (exchange.corrections.FIELDS) and send the update
    to every agency its package reached: one signed package each, the corrected header with
    DocumentInfo=1 and the reason. Each recipient's clerk accepts (15: the fields are applied there)
    or refuses (16). One update per agency: a further correction is a replacement."""
    from vanphong.documents.models import Direction, Document

    reason = _reason(reason, _("Say why the document is corrected: the recipients read it."))
    cleaned = corrections.clean(changes)
    with transaction.atomic():
        document = Document.objects.select_for_update(of=("self",)).select_related("agency").get(pk=document.pk)
        require_clerk(actor, document.agency)
        require_clearance(actor, document.confidentiality)
        if document.direction != Direction.OUTGOING or document.status != Document.Status.ISSUED:
            raise ValidationError(_("Only an issued outgoing document can be corrected by an update."))
        before = corrections.of_document(document)
        changed = corrections.diff(before, {**before, **cleaned})
        if not changed:
            raise ValidationError(_("Nothing was changed: correct at least one field."))
        targets = _reached_agencies(document, without=(BUSINESS_RECALL, BUSINESS_UPDATE))
        if not targets:
            raise ValidationError(_("An update of this document was already sent to every agency it reached, or it was recalled: "
                                    "to correct it again, issue a replacement."))
        corrections.apply_to_document(document, changed)
        now = timezone.now()
        rows = OutboundMessage.objects.bulk_create([
            OutboundMessage(kind=OutboundMessage.Kind.EDOC, sender_id=document.agency_id, recipient=agency, document=document,
                            business_doc_type=BUSINESS_UPDATE, description=reason, occurred_at=now, next_attempt_at=now)
            for agency in targets])
        audit.record("exchange.update_sent", actor=actor, agency=document.agency, target=document, request=request,
                     data={"recipients": [a.code for a in targets], "reason": reason, "changes": changed})
    return rows


def _reached_agencies(document, *, without) -> list:
    """The agencies the document's package reached, less those already sent a request of the kinds
    `without`; ValidationError when it reached none."""
    sent = list(OutboundMessage.objects.filter(document=document, kind=OutboundMessage.Kind.EDOC, business_doc_type=BUSINESS_NEW,
                                               state=OutboundMessage.State.SENT).select_related("recipient").order_by("pk"))
    if not sent:
        raise ValidationError(_("This document has not reached any agency through the exchange yet."))
    done = set(OutboundMessage.objects.filter(document=document, kind=OutboundMessage.Kind.EDOC,
                                              business_doc_type__in=without).values_list("recipient_id", flat=True))
    return [p.recipient for p in sent if p.recipient_id not in done]


# ---- replacement (BussinessDocType 3) ------------------------------------------------------------------


def draft_replacement(actor, document, *, reason: str, request=None):
    """Start the document that replaces an issued outgoing one: a draft with its type, subject,
    signer, confidentiality and recipients, which the clerk completes (its new file), has signed and
    issues as any other; once issued, its packages travel as a replacement (BussinessDocType 3)
    naming the old document, with the reason. Each recipient's clerk accepts (15: the old one is
    marked replaced, the new one registered) or refuses (16)."""
    from vanphong.documents.models import Direction, Document
    from vanphong.exchange.models import Replacement

    reason = _reason(reason, _("Say why the document is replaced: the recipients read it."))
    with transaction.atomic():
        document = Document.objects.select_for_update(of=("self",)).select_related("agency").get(pk=document.pk)
        require_clerk(actor, document.agency)
        require_clearance(actor, document.confidentiality)
        if document.direction != Direction.OUTGOING or document.status != Document.Status.ISSUED:
            raise ValidationError(_("Only an issued outgoing document can be replaced."))
        existing = Replacement.objects.filter(replaced=document).select_related("document").first()
        if existing is not None:
            raise ValidationError(_("This document already has a replacement (%(reference)s): complete or issue that one.")
                                  % {"reference": existing.document.reference or _("draft of %(date)s") % {
                                      "date": timezone.localtime(existing.created_at).strftime("%d/%m/%Y")}})
        _reached_agencies(document, without=())
        recipients = list(document.recipients.all())
        draft = documents.create_outgoing_draft(
            actor, request=request, doc_type=document.doc_type, subject=document.subject, signer_name=document.signer_name,
            signer_position=document.signer_position, signer_competence=document.signer_competence, urgency=document.urgency,
            confidentiality=document.confidentiality, due_date=document.due_date,
            recipient_units=[r.unit for r in recipients if r.unit_id], recipient_agencies=[r.agency for r in recipients if r.agency_id],
            recipient_places=[r.place for r in recipients if r.place])
        Replacement.objects.create(document=draft, replaced=document, reason=reason, created_by=actor)
        audit.record("exchange.replacement_drafted", actor=actor, agency=document.agency, target=document, request=request,
                     data={"draft": draft.pk, "reason": reason})
    return draft
