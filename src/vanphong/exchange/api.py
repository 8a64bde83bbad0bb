"""REST endpoints of the exchange, with the pages' permissions: the received packages of the caller's
agency (its clerks: list, one package, register it, reject it; accept or refuse a recall) and, for a
document the caller may read, what became of its package at each recipient agency; its clerks
recall it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from vanphong.core.api_support import MAX_ID, Id, InputSchema, PageQuery, Text, error_responses, page
from vanphong.core.clearance import Clearance
from vanphong.core.errors import PermissionDenied
from vanphong.documents import selectors as document_selectors
from vanphong.documents import services as documents
from vanphong.documents.api import DuplicatesOut, _duplicates, _people, _register, _units
from vanphong.documents.permissions import is_clerk
from vanphong.documents.types import DocumentType, Urgency
from vanphong.exchange import selectors, services
from vanphong.exchange.edxml import model
from vanphong.exchange.models import InboundPackage
from vanphong.exchange.services import MAX_REASON

router = Router(tags=["exchange"])

PackageId = Path[int, {"ge": 1, "le": MAX_ID}]
DocumentId = Path[int, {"ge": 1, "le": MAX_ID}]


def _clerk(request):
    reader = request.auth
    if not is_clerk(reader, reader.agency):
        raise PermissionDenied(_("Only a clerk of this agency may do this."))
    return reader


class ReceivedOut(Schema):
    id: int
    state: Literal[tuple(InboundPackage.State.values)] = Field(description="received (waiting for the clerk), registered, rejected, "
                                                                           "refused (on arrival, with the reason).")
    sender_code: str = Field(description="The sending agency's code (From/OrganId).")
    sender_name: str
    edxml_document_id: str = Field(description="The edXML DocumentId: OrganId,yyyy/MM/dd,number/notation.")
    reference: str = Field(description="Number and notation.")
    promulgation_date: dt.date | None
    subject: str
    received_at: dt.datetime
    encrypted: bool = Field(description="Arrived encrypted end to end: a Mật document.")
    reason: str = Field(description="Why it was refused on arrival, or the clerk's reason for rejecting it.")
    document_id: int | None = Field(description="The incoming document it was registered as.")
    business_doc_type: int = Field(description="BussinessDocType: 0 a document, 1 a recall, 2 an update, 3 a replacement of the "
                                               "package original_id (accept or refuse them; recalls and updates are never registered).")
    original_id: int | None = Field(description="For a recall, an update or a replacement: the received package it is about.")
    changes: dict = Field(description="For an accepted update: what it changed, {field: [before, after]}.")
    awaiting_decision: bool = Field(description="A recall, update or replacement waiting for the clerk to accept or refuse it (a "
                                                "replacement accepted is then registered like any document).")

    @staticmethod
    def resolve_awaiting_decision(package) -> bool:
        if isinstance(package, dict):
            return package["awaiting_decision"]
        return package.is_request and package.state == InboundPackage.State.RECEIVED

    @staticmethod
    def resolve_sender_name(package) -> str:
        if isinstance(package, dict):
            return package["sender_name"]
        return package.sender.name if package.sender_id else package.sender_name


class PackageAttachmentOut(Schema):
    index: int
    name: str
    content_type: str
    size: int | None = Field(description="None when the attachment could not be read (not base64, over the limit).")
    sha256: str | None


class ReceivedDetailOut(ReceivedOut):
    document_type: str
    signer: str
    due_date: dt.date | None
    priority: int | None
    attachments: list[PackageAttachmentOut]
    verification: dict = Field(description="The signature's verification report (signing.xmldsig), as stored on arrival.")
    oddities: list[dict] = Field(description="What the tolerant reader found odd in the package.")


class ReceivedPage(Schema):
    count: int
    items: list[ReceivedOut]


class ReceivedQuery(PageQuery):
    state: Literal[tuple(InboundPackage.State.values)] = Field("received", description="Which packages.")


class RegisterIn(InputSchema):
    register_id: Id | None = Field(None, description="An incoming register of your agency; default: the year's register.")
    doc_type: Literal[tuple(DocumentType.values)] | None = Field(None, description="Default: read from the notation.")
    confidentiality: Literal[tuple(Clearance.values)] = 0
    receiving_unit_id: Id | None = None
    distribution_ids: list[Id] = Field(default_factory=list, max_length=500)
    confirm_duplicate: bool = False


class RegisteredOut(Schema):
    document_id: int
    number: int


class RejectIn(InputSchema):
    reason: Text(MAX_REASON, min_length=1) = Field(description="Sent to the sender with status 02.")


class RecallIn(InputSchema):
    reason: Text(MAX_REASON, min_length=1) = Field(description="Sent to each recipient agency as BussinessDocReason.")


class CorrectionIn(InputSchema):
    reason: Text(MAX_REASON, min_length=1) = Field(description="Sent to each recipient agency as BussinessDocReason.")
    subject: Text(500, min_length=1) | None = Field(None, description="The corrected subject; omitted: unchanged.")
    signer_name: Text(150) | None = None
    signer_position: Text(150) | None = None
    due_date: dt.date | None = None
    urgency: Literal[tuple(Urgency.values)] | None = None
    page_count: int | None = Field(None, ge=1, le=100_000)
    copies: int | None = Field(None, ge=1, le=100_000)


class ReplaceIn(InputSchema):
    reason: Text(MAX_REASON, min_length=1) = Field(description="Sent to each recipient agency with the replacement.")


class ReplacementDraftOut(Schema):
    document_id: int = Field(description="The replacement's draft: add its file, sign it and issue it (documents API).")


class RefuseRequestIn(InputSchema):
    reason: Text(MAX_REASON, min_length=1) = Field(description="Sent to the sender with status 16.")


class ReceiptOut(Schema):
    code: str = Field(description="edXML status code: 01 arrived, 02 rejected, 03 registered, 04 assigned, 05 being processed, "
                                  "06 completed (13, 15, 16 for recalls and updates).")
    description: str
    occurred_at: dt.datetime | None = Field(description="When the recipient says it happened.")
    received_at: dt.datetime


class RecipientTimelineOut(Schema):
    recipient_code: str
    recipient_name: str
    business_doc_type: int = Field(description="0 the document itself, 1 its recall (answers 13, 15 or 16), 2 its update "
                                               "(answers 15 or 16).")
    reason: str = Field(description="For a recall or an update: the reason sent.")
    state: str = Field(description="pending, sent, failed (a person must act: see last_error), refused (not sendable).")
    attempts: int
    sent_at: dt.datetime | None
    last_error: str
    receipts: list[ReceiptOut]


def _detail(package: InboundPackage) -> dict:
    edoc = None
    if package.payload_sha256:
        try:
            read = services.read_package(package)
            edoc = read.package if isinstance(read.package, model.Edoc) else None
        except Exception:  # noqa: BLE001 - a refused package may be unreadable: its fields stay empty
            edoc = None
    data = {name: getattr(package, name) for name in ReceivedOut.model_fields if name not in ("sender_name", "awaiting_decision")}
    data.update(sender_name=ReceivedOut.resolve_sender_name(package), awaiting_decision=ReceivedOut.resolve_awaiting_decision(package),
        document_type=edoc.document_type.type_name if edoc else "",
        signer=" ".join(p for p in (edoc.signer_info.competence, edoc.signer_info.position, edoc.signer_info.full_name) if p) if edoc else "",
        due_date=edoc.due_date if edoc else None, priority=edoc.other_info.priority if edoc else None,
        attachments=[{"index": i, "name": a.attachment_name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
                     for i, a in enumerate(edoc.attachments, start=1)] if edoc else [],
        verification=package.verification or {}, oddities=package.oddities or [])
    return data


@router.get("/exchange/received", response={200: ReceivedPage, **error_responses(401, 403, 422)})
def list_received(request, filters: Query[ReceivedQuery]):
    """Packages other agencies sent to yours, newest first. Clerks of the agency only."""
    return page(selectors.received_packages(_clerk(request), state=filters.state), filters)


@router.get("/exchange/received/{package_id}", response={200: ReceivedDetailOut, **error_responses(401, 403, 404, 422)})
def get_received(request, package_id: PackageId):
    """One received package: its fields, attachments, signature verification and oddities."""
    return _detail(selectors.received_package(_clerk(request), package_id))


@router.post("/exchange/received/{package_id}/register",
             response={201: RegisteredOut, 409: DuplicatesOut, **error_responses(400, 401, 403, 404, 422)})
def register_received(request, package_id: PackageId, payload: RegisterIn):
    """Register the package as an incoming document (next arrival number); status 03 goes back to the sender. 409 when it
    looks registered already: check, then send again with confirm_duplicate."""
    reader = _clerk(request)
    package = selectors.received_package(reader, package_id)
    register = _register(reader, payload.register_id, "register_id")
    unit = _units(reader, [payload.receiving_unit_id], "receiving_unit_id")[0] if payload.receiving_unit_id else None
    distribution = _people(reader, payload.distribution_ids, "distribution_ids")
    try:
        document = services.register_received(reader, package, register=register, doc_type=payload.doc_type or "",
                                              confidentiality=payload.confidentiality, receiving_unit=unit, distribution=distribution,
                                              confirm_duplicate=payload.confirm_duplicate, request=request)
    except documents.DuplicateWarning as warning:
        return Status(409, _duplicates(reader, warning.duplicates))
    return Status(201, {"document_id": document.pk, "number": document.number})


@router.post("/exchange/received/{package_id}/reject", response={200: ReceivedOut, **error_responses(400, 401, 403, 404, 422)})
def reject_received(request, package_id: PackageId, payload: RejectIn):
    """Reject the package with a reason; status 02 with the reason goes back to the sender. Nothing is registered."""
    reader = _clerk(request)
    return services.reject_received(reader, selectors.received_package(reader, package_id), reason=payload.reason, request=request)


@router.post("/exchange/sent/{package_id}/resend", response={200: RecipientTimelineOut, **error_responses(401, 403, 404, 422)})
def resend_package(request, package_id: PackageId):
    """Send again a package the exchange gave up on (state failed), once its cause is fixed. Clerks of the sending agency."""
    package = services.resend(request.auth, selectors.sent_package(request.auth, package_id), request=request)
    return _timeline(package, list(package.receipts.order_by("code", "pk")))


def _timeline(package, receipts) -> dict:
    return {"recipient_code": package.recipient.code, "recipient_name": package.recipient.name, "state": package.state,
            "business_doc_type": package.business_doc_type, "reason": package.description if package.business_doc_type else "",
            "attempts": package.attempts, "sent_at": package.sent_at, "last_error": package.last_error, "receipts": receipts}


@router.get("/documents/{document_id}/exchange", response={200: list[RecipientTimelineOut], **error_responses(401, 404, 422)})
def document_timeline(request, document_id: DocumentId):
    """For an outgoing document you may read: per recipient agency, whether its package left and each status that came back."""
    document = document_selectors.document_detail(request.auth, document_id)
    timelines = selectors.document_timelines(request.auth, document)
    return [_timeline(t.package, t.receipts) for t in timelines]



@router.post("/documents/{document_id}/exchange/recall",
             response={201: list[RecipientTimelineOut], **error_responses(400, 401, 403, 404, 422)})
def recall_document(request, document_id: DocumentId, payload: RecallIn):
    """Recall an issued outgoing document from every agency its package reached (not yet recalled from): a signed recall
    package to each; their answers (13 requested, 15 accepted, 16 refused) come back on the timeline. Clerks of its agency."""
    document = document_selectors.document_detail(request.auth, document_id)
    rows = services.recall_document(request.auth, document, reason=payload.reason, request=request)
    return Status(201, [_timeline(row, []) for row in rows])


@router.post("/documents/{document_id}/exchange/update",
             response={201: list[RecipientTimelineOut], **error_responses(400, 401, 403, 404, 422)})
def update_document(request, document_id: DocumentId, payload: CorrectionIn):
    """Correct fields of an issued outgoing document (only the fields given; due_date may be set to null only by leaving
    it out: it is then unchanged) and send the update to every agency its package reached; they answer 15 or 16. Clerks of
    its agency; one update per agency (then issue a replacement)."""
    document = document_selectors.document_detail(request.auth, document_id)
    changes = payload.model_dump(exclude={"reason"}, exclude_none=True)
    rows = services.send_update(request.auth, document, changes=changes, reason=payload.reason, request=request)
    return Status(201, [_timeline(row, []) for row in rows])


@router.post("/documents/{document_id}/exchange/replace", response={201: ReplacementDraftOut, **error_responses(400, 401, 403, 404, 422)})
def replace_document(request, document_id: DocumentId, payload: ReplaceIn):
    """Draft the document that replaces an issued outgoing one (same type, subject, signer, recipients). Once issued, its
    packages travel as a replacement (BussinessDocType 3) naming the old one; recipients answer 15 or 16. Clerks of its agency."""
    document = document_selectors.document_detail(request.auth, document_id)
    draft = services.draft_replacement(request.auth, document, reason=payload.reason, request=request)
    return Status(201, {"document_id": draft.pk})


@router.post("/exchange/received/{package_id}/accept-request", response={200: ReceivedOut, **error_responses(400, 401, 403, 404, 422)})
def accept_request(request, package_id: PackageId):
    """Accept a recall (business_doc_type 1: the package it recalls is withdrawn; if the document registered from it is
    being handled, its handling round ends and its open tasks end as withdrawn), an update (2: its corrections are applied; see changes) or a replacement (3: the old
    package is withdrawn the same way; this one is then registered like any document); status 15 goes back."""
    reader = _clerk(request)
    return services.accept_request(reader, selectors.received_package(reader, package_id), request=request)


@router.post("/exchange/received/{package_id}/refuse-request", response={200: ReceivedOut, **error_responses(400, 401, 403, 404, 422)})
def refuse_request(request, package_id: PackageId, payload: RefuseRequestIn):
    """Refuse a recall, an update or a replacement with a reason: status 16 goes back; the package it is about stays as it was."""
    reader = _clerk(request)
    return services.refuse_request(reader, selectors.received_package(reader, package_id), reason=payload.reason, request=request)
