"""Signing documents from their page: the official signs a draft's main file, the clerk seals it
after numbering with its number and date, a draft signed on paper is marked so, and every PDF
attachment gets a verification report.

Decisions (see also signing.number_fields):
- The main file of a document is the newest file a signature made on it, else the one that
  documents.hooks.main_file_finders name (the approval's newest version), else its first PDF or
  Word (DOCX) attachment. Signing keeps the file it signed and adds the signed PDF as a new file.
- The official who signs a draft is the person named as its signer (Người ký) who holds a valid
  official certificate that the system keeps: no one signs another's draft.
- An outgoing draft with a main file is electronic: it is numbered only once that file carries a
  valid signature. A clerk marks a draft signed on paper (its file a scan of the signed paper),
  and it is then numbered as a paper document. A draft without any file is a paper document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanphong.core import audit, storage
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.text import fold
from vanphong.documents import hooks
from vanphong.documents import services as documents
from vanphong.documents.attachments import store
from vanphong.documents.models import Attachment, Direction, Document
from vanphong.documents.permissions import is_clerk, require_clearance, require_clerk
from vanphong.signing import conversion, pades, selectors, services, verification
from vanphong.signing.models import AttachmentVerification, DocumentSignature, PaperOriginal

log = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SIGNABLE = (PDF, DOCX)
LEVELS = (pades.B_T, pades.B_LT, pades.B_LTA)  # B-B (no time-stamp) is for the command line only


def main_file(document: Document) -> Attachment | None:
    """The newest signed version; before any signature, what documents.hooks.main_file_finders
    name (the workflow's approved version), else the first PDF or Word file."""
    last = DocumentSignature.objects.filter(document=document).select_related("result").order_by("-pk").first()
    if last is not None:
        return last.result
    for finder in hooks.main_file_finders:
        found = finder(document)
        if found is not None and found.document_id == document.pk and found.content_type in SIGNABLE:
            return found
    return document.attachments.filter(content_type__in=SIGNABLE).order_by("pk").first()


def is_signed_on_paper(document: Document) -> bool:
    return PaperOriginal.objects.filter(document=document).exists()


def issue_date_text(day: dt.date) -> str:
    """Decree 30: "ngày 05 tháng 02 năm 2026": a zero before days below 10 and months 1 and 2 only."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("agency").get(pk=document.pk)


def _read(attachment: Attachment) -> bytes:
    try:
        return storage.read_bytes(attachment.sha256)
    except (OSError, ValueError):
        raise ValidationError(_("The file “%(name)s” is missing from the file store.") % {"name": attachment.filename}) from None


def _signed_name(filename: str, kind: str) -> str:
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    for suffix in ("-signed", "-sealed"):
        stem = stem.removesuffix(suffix)
    return f"{stem}-{'sealed' if kind == DocumentSignature.Kind.SEAL else 'signed'}.pdf"


def _keep(actor, document: Document, data: bytes, filename: str) -> Attachment:
    """The signed PDF, checked and stored as any upload, as a new file of the document."""
    uploaded = store(SimpleUploadedFile(filename, data, content_type=PDF))
    return documents.attach_files(actor, document, [uploaded])[0]


def _record(actor, document, kind, source, result, certificate, level, before, after, converted_from="") -> DocumentSignature:
    return DocumentSignature.objects.create(
        document=document, kind=kind, source=source, result=result, certificate=certificate, signed_by=actor, level=level,
        sha256_before=hashlib.sha256(before).hexdigest(), sha256_after=hashlib.sha256(after).hexdigest(), converted_from=converted_from)


# ---- the official signs ------------------------------------------------------------------------------


def may_sign(person, document: Document) -> bool:
    """What the page offers; sign_document checks it all again, with reasons."""
    return (document.direction == Direction.OUTGOING and document.status == Document.Status.DRAFT and person.agency_id == document.agency_id
            and bool(document.signer_name) and fold(document.signer_name) == fold(person.full_name)
            and selectors.held_official_certificate(person) is not None)


def _check_signer(actor, document: Document) -> None:
    if document.direction != Direction.OUTGOING or document.status != Document.Status.DRAFT:
        raise ValidationError(_("Only an outgoing draft is signed here; this document is already issued."))
    if actor.agency_id != document.agency_id:
        raise PermissionDenied(_("Only the official named as this draft's signer may sign it."))
    require_clearance(actor, document.confidentiality)
    if not document.signer_name:
        raise ValidationError(_("The draft names no signer: enter the signer (Người ký) on the draft first."))
    if fold(document.signer_name) != fold(actor.full_name):
        raise PermissionDenied(_("This draft is to be signed by %(name)s: only that official may sign it.") % {"name": document.signer_name})
    if is_signed_on_paper(document):
        raise ValidationError(_("This draft was marked as signed on paper: it is not signed digitally."))


def sign_document(actor, document: Document, *, level: str = pades.B_T, request=None) -> DocumentSignature:
    """The official signs the draft's main file (a Word file is converted to PDF first). The number
    and date are left blank in fields the clerk fills when sealing."""
    if level not in LEVELS:
        raise ValidationError(_("Choose the level B-T, B-LT or B-LTA."))
    _check_signer(actor, document)
    source = main_file(document)
    if source is None:
        raise ValidationError(_("The draft has no main file to sign: attach it as a PDF or Word (DOCX) file."))
    original = _read(source)
    pdf, converted = original, ""
    if source.content_type == DOCX:
        # Before the transaction: a conversion takes seconds, and SQLite would hold its write lock all along.
        pdf, converted = conversion.docx_to_pdf(original), "docx"
    with transaction.atomic():
        document = _locked(document)
        _check_signer(actor, document)
        for check in hooks.sign_checks:
            check(actor, document)
        if DocumentSignature.objects.filter(document=document, kind=DocumentSignature.Kind.OFFICIAL).exists():
            raise ValidationError(_("This draft is signed already."))
        if main_file(document) != source:
            raise ValidationError(_("The draft's main file changed while it was being signed: sign it again."))
        row = selectors.held_official_certificate(actor)
        if row is None:
            _explain_no_certificate(actor)
        signed = services.sign_as_official(actor, pdf, level=level, position=document.signer_position or None, reserve_number=True,
                                           request=request)
        result = _keep(actor, document, signed, _signed_name(source.filename, DocumentSignature.Kind.OFFICIAL))
        signature = _record(actor, document, DocumentSignature.Kind.OFFICIAL, source, result, row, level, original, signed, converted)
        audit.record("signing.document.signed", actor=actor, agency=document.agency, target=document, request=request,
                     data={"signature": signature.pk, "source": source.pk, "result": result.pk, "serial": row.serial, "level": level,
                           "sha256_before": signature.sha256_before, "sha256_after": signature.sha256_after, "converted_from": converted})
    return signature


def _explain_no_certificate(actor) -> None:
    """Say why the official cannot sign: their newest held certificate expired or was revoked, or there is none."""
    from vanphong.pki.models import Certificate

    last = Certificate.objects.filter(profile="official", holder_person=actor).exclude(private_key="").order_by("-not_after").first()
    if last is not None and last.status == Certificate.Status.REVOKED:
        raise ValidationError(_("Your signing certificate was revoked on %(date)s: it can no longer sign. Ask a CA operator for a new one.")
                              % {"date": timezone.localtime(last.revoked_at).strftime("%d/%m/%Y %H:%M")})
    if last is not None and last.not_after <= timezone.now():
        raise ValidationError(_("Your signing certificate expired on %(date)s: it can no longer sign. Ask a CA operator to renew it.")
                              % {"date": timezone.localtime(last.not_after).strftime("%d/%m/%Y")})
    raise ValidationError(_("You have no valid signing certificate held by the system: ask a CA operator to issue one."))


# ---- the clerk seals after numbering -----------------------------------------------------------------


def may_seal(person, document: Document) -> bool:
    return (document.direction == Direction.OUTGOING and document.status == Document.Status.ISSUED and is_clerk(person, document.agency)
            and not is_signed_on_paper(document)
            and DocumentSignature.objects.filter(document=document, kind=DocumentSignature.Kind.OFFICIAL).exists()
            and not DocumentSignature.objects.filter(document=document, kind=DocumentSignature.Kind.SEAL).exists())


@transaction.atomic
def seal_document(actor, document: Document, *, request=None) -> DocumentSignature:
    """The clerk applies the agency's seal to the signed, numbered document; its number, notation
    and issue date fill the fields the official's signature left."""
    document = _locked(document)
    require_clerk(actor, document.agency)
    require_clearance(actor, document.confidentiality)
    if document.direction != Direction.OUTGOING or document.status != Document.Status.ISSUED:
        raise ValidationError(_("The seal is applied after the document is numbered and issued."))
    if DocumentSignature.objects.filter(document=document, kind=DocumentSignature.Kind.SEAL).exists():
        raise ValidationError(_("The seal has been applied to this document already."))
    if not DocumentSignature.objects.filter(document=document, kind=DocumentSignature.Kind.OFFICIAL).exists():
        raise ValidationError(_("The official has not signed this document digitally: there is nothing to seal."))
    source = main_file(document)
    before = _read(source)
    official = verification.verify_pdf(before)
    if not official.valid:
        raise ValidationError(_("The official's signature on the file is not valid any more, so the seal is not applied: %(problem)s")
                              % {"problem": " ".join(_problems(official)) or _("see the verification report.")})
    values = {"Number": document.reference, "IssuedDate": issue_date_text(document.issued_date)}
    sealed = services.apply_seal(actor, before, number_values=values, request=request)
    check = verification.verify_pdf(sealed)
    if not check.valid:  # would break the official's signature: keep nothing
        raise ValidationError(_("Sealing would invalidate the official's signature, so it was not applied: %(problem)s")
                              % {"problem": " ".join(_problems(check))})
    row = selectors.held_seal_certificate(document.agency)
    result = _keep(actor, document, sealed, _signed_name(source.filename, DocumentSignature.Kind.SEAL))
    signature = _record(actor, document, DocumentSignature.Kind.SEAL, source, result, row, pades.B_T, before, sealed)
    audit.record("signing.document.sealed", actor=actor, agency=document.agency, target=document, request=request,
                 data={"signature": signature.pk, "source": source.pk, "result": result.pk, "serial": row.serial,
                       "reference": document.reference, "sha256_before": signature.sha256_before, "sha256_after": signature.sha256_after})
    return signature


def _problems(report: verification.Report) -> list[str]:
    return [*report.problems, *(p for s in report.signatures for p in s.problems)]


# ---- paper and issue --------------------------------------------------------------------------------


@transaction.atomic
def mark_signed_on_paper(actor, document: Document, *, request=None) -> PaperOriginal:
    """The clerk records that the official signed the draft on paper (its file is the scan)."""
    document = _locked(document)
    require_clerk(actor, document.agency)
    require_clearance(actor, document.confidentiality)
    if document.direction != Direction.OUTGOING or document.status != Document.Status.DRAFT:
        raise ValidationError(_("Only an outgoing draft can be marked as signed on paper."))
    if DocumentSignature.objects.filter(document=document).exists():
        raise ValidationError(_("This draft is signed digitally already."))
    if is_signed_on_paper(document):
        raise ValidationError(_("This draft is marked as signed on paper already."))
    paper = PaperOriginal.objects.create(document=document, marked_by=actor)
    audit.record("signing.document.paper_original", actor=actor, agency=document.agency, target=document, request=request, data={})
    return paper


def check_issuable(actor, document: Document) -> None:
    """documents.hooks.issue_checks: an electronic draft is numbered only with a valid signature on
    its main PDF."""
    if document.direction != Direction.OUTGOING or is_signed_on_paper(document):
        return
    source = main_file(document)
    if source is None:
        return  # no file: a paper document
    message = _("This draft is electronic: its main file “%(name)s” must carry the official's valid digital signature before it is "
                "numbered. Have the official sign it, or, if it was signed on paper, mark it as signed on paper.") % {"name": source.filename}
    if source.content_type != PDF:
        raise ValidationError(message)
    try:
        report = verification.verify_pdf(_read(source))
    except verification.UnreadableDocument:
        raise ValidationError(message) from None
    if not report.valid:
        raise ValidationError(message + " " + " ".join(_problems(report)))


# ---- verification reports -------------------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)  # text, and asn1crypto's str subclasses


def _fields(item) -> dict:
    # Not dataclasses.asdict: it deep-copies every value, and the report's values hold on to
    # pyHanko's parsed structures (most of the cost of a report, measured).
    return {f.name: _jsonable(getattr(item, f.name)) for f in dataclasses.fields(item)} | {"valid": item.valid}


def report_json(report: verification.Report) -> dict:
    return {"valid": report.valid, "problems": _jsonable(report.problems),
            "signatures": [_fields(s) for s in report.signatures],
            "document_timestamps": [_fields(t) for t in report.document_timestamps]}


def queue_verifications(sender, attachments, **kwargs) -> None:
    """documents.hooks.attachments_stored: a pending report per PDF, computed by the worker."""
    from vanphong.signing import tasks

    for attachment in attachments:
        if attachment.content_type == PDF and attachment.pk:
            AttachmentVerification.objects.update_or_create(
                attachment_id=attachment.pk, defaults={"status": AttachmentVerification.Status.PENDING, "requested_at": timezone.now()})
            tasks.verify_attachment.enqueue(attachment.pk)


def verify_again(actor, attachment: Attachment, *, request=None) -> AttachmentVerification:
    """A reader of the document asks for the report to be computed again (revocation may have
    changed since). The caller found `attachment` through documents' visibility selector."""
    if attachment.content_type != PDF:
        raise ValidationError(_("Only PDF files carry signatures to verify."))
    with transaction.atomic():
        row, _created = AttachmentVerification.objects.update_or_create(
            attachment=attachment, defaults={"status": AttachmentVerification.Status.PENDING, "requested_at": timezone.now()})
        audit.record("signing.verification.requested", actor=actor, agency=attachment.document.agency, target=attachment,
                     request=request, data={"document": attachment.document_id})
    from vanphong.signing import tasks

    transaction.on_commit(lambda: tasks.verify_attachment.enqueue(attachment.pk))
    return row


def run_verification(attachment_id: int) -> AttachmentVerification | None:
    """The worker's job: verify the stored file and keep the report."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return None
    values = {"verified_at": timezone.now(), "error": ""}
    try:
        data = storage.read_bytes(attachment.sha256)
        # The report's sentences in each language of the interface, so each reader reads their own.
        reports = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                report = verification.verify_pdf(data)
                reports[code] = report_json(report)
    except verification.UnreadableDocument:
        values.update(status=AttachmentVerification.Status.UNREADABLE, signed=False, valid=False, report={})
    except (OSError, ValueError):
        log.exception("verification of attachment %s failed", attachment_id)
        values.update(status=AttachmentVerification.Status.UNREADABLE, signed=False, valid=False, report={}, error="missing")
    else:
        values.update(status=AttachmentVerification.Status.DONE, signed=bool(report.signatures), valid=report.valid, report=reports)
    row, _created = AttachmentVerification.objects.update_or_create(attachment=attachment, defaults=values)
    return row
