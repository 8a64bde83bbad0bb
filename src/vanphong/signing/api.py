"""REST endpoints for signing documents and their verification reports: the same services and the
same visibility as the document's page (a document or file you may not see is a 404)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Router, Schema, Status

from vanphong.core.api_support import error_responses
from vanphong.documents import selectors as documents
from vanphong.documents.api import AttachmentId, DocumentId
from vanphong.signing import document_services, pades, selectors
from vanphong.signing.models import DocumentSignature

router = Router()

Level = Literal[pades.B_T, pades.B_LT, pades.B_LTA]


class SignIn(Schema):
    level: Level = pades.B_T


class SignatureOut(Schema):
    id: int
    document_id: int
    kind: Literal[tuple(DocumentSignature.Kind.values)]
    signed_by: str
    signed_at: dt.datetime
    level: str
    certificate_serial: str
    source_attachment_id: int
    result_attachment_id: int
    sha256_before: str
    sha256_after: str
    converted_from: str


class FileVerificationOut(Schema):
    attachment_id: int
    filename: str
    status: Literal["not_verified", "pending", "done", "unreadable"]
    signed: bool
    valid: bool
    verified_at: dt.datetime | None
    report: dict  # signing.verification.Report in the language of Accept-Language: signatures, document_timestamps, problems


class VerificationOut(Schema):
    document_id: int
    files: list[FileVerificationOut]


def _signature(s: DocumentSignature) -> dict:
    return {"id": s.pk, "document_id": s.document_id, "kind": s.kind, "signed_by": s.signed_by.full_name, "signed_at": s.signed_at,
            "level": s.level, "certificate_serial": s.certificate.serial, "source_attachment_id": s.source_id,
            "result_attachment_id": s.result_id, "sha256_before": s.sha256_before, "sha256_after": s.sha256_after,
            "converted_from": s.converted_from}


def _fresh(signature: DocumentSignature) -> dict:
    return _signature(selectors.signatures_on(signature.document).get(pk=signature.pk))


@router.post("/documents/{document_id}/sign", response={201: SignatureOut, **error_responses(400, 401, 403, 404, 422)},
             tags=["signing"])
def sign_document(request, document_id: DocumentId, payload: SignIn | None = None):
    """The official named as the draft's signer signs its main file (a DOCX is converted to PDF) with the key the system
    holds for them: PAdES B-T by default, B-LT or B-LTA on request. The signed PDF is added as a new file."""
    document = documents.document_detail(request.auth, document_id)
    signature = document_services.sign_document(request.auth, document, level=payload.level if payload else pades.B_T,
                                                 request=request)
    return Status(201, _fresh(signature))


@router.post("/documents/{document_id}/seal", response={201: SignatureOut, **error_responses(401, 403, 404, 422)}, tags=["signing"])
def seal_document(request, document_id: DocumentId):
    """A clerk applies the agency's seal to the signed, issued document; its number, notation and issue date are written
    in the fields the official's signature left, and the official's signature stays valid."""
    document = documents.document_detail(request.auth, document_id)
    return Status(201, _fresh(document_services.seal_document(request.auth, document, request=request)))


@router.post("/documents/{document_id}/signed-on-paper", response={204: None, **error_responses(401, 403, 404, 422)},
             tags=["signing"])
def mark_signed_on_paper(request, document_id: DocumentId):
    """A clerk records that the draft was signed by hand on paper: it is then numbered without a digital signature."""
    document = documents.document_detail(request.auth, document_id)
    document_services.mark_signed_on_paper(request.auth, document, request=request)
    return Status(204, None)


@router.get("/documents/{document_id}/signatures", response={200: list[SignatureOut], **error_responses(401, 404, 422)},
            tags=["signing"])
def list_signatures(request, document_id: DocumentId):
    """The signatures made on the document from VănPhòng, oldest first."""
    document = documents.document_detail(request.auth, document_id)
    return [_signature(s) for s in selectors.signatures_on(document)]


@router.get("/documents/{document_id}/verification", response={200: VerificationOut, **error_responses(401, 404, 422)},
            tags=["signing"])
def verification_report(request, document_id: DocumentId):
    """The verification report of each PDF file of the document, as the background worker last computed it: each
    signer, the chain to a trusted root, revocation, time-stamps, changes after signing."""
    from django.utils import translation

    document = documents.document_detail(request.auth, document_id)
    verifications = selectors.verifications_of(document)
    language = (translation.get_language() or "vi")[:2]
    files = []
    for attachment in document.attachments.filter(content_type=document_services.PDF).order_by("pk"):
        v = verifications.get(attachment.pk)
        files.append({"attachment_id": attachment.pk, "filename": attachment.filename,
                      "status": v.status if v is not None else "not_verified", "signed": bool(v and v.signed),
                      "valid": bool(v and v.valid), "verified_at": v.verified_at if v else None,
                      "report": (v.report.get(language) or v.report.get("vi") or {}) if v else {}})
    return {"document_id": document.pk, "files": files}


@router.post("/attachments/{attachment_id}/verify", response={202: None, **error_responses(401, 404, 422)}, tags=["signing"])
def verify_again(request, attachment_id: AttachmentId):
    """Compute the file's verification report again, in the background (revocation may have changed since)."""
    attachment = documents.attachment_for_download(request.auth, attachment_id)
    document_services.verify_again(request.auth, attachment, request=request)
    return Status(202, None)
