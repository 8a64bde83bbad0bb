"""Every change to registers and documents: permission-checked, in one transaction, audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.core.choices import choice_label
from vanphong.core.clearance import Clearance, may_read
from vanphong.core.errors import ValidationError
from vanphong.core.text import fold, normalize
from vanphong.documents import hooks
from vanphong.documents.models import Attachment, Direction, Distribution, Document, OcrJob, Recipient, Register
from vanphong.documents.notation import PARTY, format_notation, format_number
from vanphong.documents.numbering import take_number
from vanphong.documents.permissions import can_draft, require_clearance, require_clerk, require_register_manager
from vanphong.documents.types import DocumentType
from vanphong.org.models import Agency, Person, Unit

METADATA_FIELDS = (
    "doc_type", "code_number", "code_notation", "issued_date", "issuing_agency", "issuing_agency_name", "subject",
    "signer_name", "signer_position", "signer_competence", "urgency", "confidentiality", "due_date", "page_count", "copies", "notes",
)
INCOMING_FIELDS = METADATA_FIELDS + ("arrival_date", "receiving_unit", "receiving_person", "passed_on_date")
OUTGOING_FIELDS = ("doc_type", "subject", "signer_name", "signer_position", "signer_competence", "urgency", "confidentiality",
                   "due_date", "page_count", "copies", "notes", "drafting_unit", "file_copy_unit")


class DuplicateWarning(ValidationError):
    """The document looks already registered. The clerk may confirm and register it anyway."""

    def __init__(self, duplicates: list[Document]):
        self.duplicates = duplicates
        refs = "; ".join(f"{_('arrival no.')} {d.number}/{d.register.year}: {d.reference or d.subject[:60]}" for d in duplicates)
        super().__init__(_("This document seems to be registered already (%(refs)s). Check it, then confirm to register it anyway.")
                         % {"refs": refs}, code="duplicate")


# ---- registers --------------------------------------------------------------------------------


@transaction.atomic
def create_register(actor, agency: Agency, *, direction: str, year: int, name: str, code: str, confidential: bool = False,
                    request=None) -> Register:
    require_register_manager(actor, agency)
    if direction not in Direction.values:
        raise ValidationError({"direction": _("Choose incoming or outgoing.")})
    code = normalize(code).upper()
    if Register.objects.filter(agency=agency, direction=direction, year=year, code=code).exists():
        raise ValidationError({"code": _("This agency already has a register with this code for that year.")})
    register = Register(agency=agency, direction=direction, year=year, name=normalize(name), code=code, confidential=confidential)
    register.full_clean()
    register.save()
    audit.record("documents.register.created", actor=actor, agency=agency, target=register,
                 data={"direction": direction, "year": year, "code": code, "confidential": confidential}, request=request)
    return register


def default_register(agency: Agency, direction: str, year: int, *, confidential: bool = False) -> Register:
    """The agency's register for the year, created on first use (numbers restart each 1 January)."""
    code = ("MAT-" if confidential else "") + ("DEN" if direction == Direction.INCOMING else "DI")
    name = {
        (Direction.INCOMING, False): _("Incoming documents register"),
        (Direction.INCOMING, True): _("Confidential incoming documents register"),
        (Direction.OUTGOING, False): _("Outgoing documents register"),
        (Direction.OUTGOING, True): _("Confidential outgoing documents register"),
    }[(direction, confidential)]
    register, created = Register.objects.get_or_create(
        agency=agency, direction=direction, year=year, code=code, defaults={"name": f"{name} {year}", "confidential": confidential})
    if created:
        audit.record("documents.register.created", agency=agency, target=register,
                     data={"direction": direction, "year": year, "code": code, "automatic": True})
    return register


# ---- shared checks ---------------------------------------------------------------------------------


def _clean_fields(values: dict, allowed: Iterable[str]) -> dict:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown document fields: {sorted(unknown)}")
    return {k: normalize(v) if isinstance(v, str) and k != "notes" else v for k, v in values.items()}


def _check_refs(actor, agency: Agency, values: dict) -> None:
    errors = {}
    today = timezone.localdate()
    for field in ("receiving_unit", "drafting_unit", "file_copy_unit"):
        unit = values.get(field)
        if unit is not None and unit.agency_id != agency.pk:
            errors[field] = _("The unit belongs to another agency.")
    person = values.get("receiving_person")
    if person is not None and person.agency_id != agency.pk:
        errors["receiving_person"] = _("The person belongs to another agency.")
    issued = values.get("issued_date")
    if issued and issued > today:
        errors["issued_date"] = _("The document date cannot be in the future.")
    arrival = values.get("arrival_date")
    if arrival and arrival > timezone.now() + timezone.timedelta(minutes=5):
        errors["arrival_date"] = _("The arrival date cannot be in the future.")
    if issued and arrival and "issued_date" not in errors and issued > timezone.localtime(arrival).date():
        errors["issued_date"] = _("The document date is after its arrival.")
    if values.get("confidentiality", 0) not in Clearance.values:
        errors["confidentiality"] = _("Unknown confidentiality level.")
    if errors:
        raise ValidationError(errors)
    require_clearance(actor, values.get("confidentiality", 0))


def _set_distribution(actor, document: Document, people: Iterable[Person]) -> None:
    """Confidential documents are read only by the people on their distribution (and who added them)."""
    people = {p.pk: p for p in people}
    people[actor.pk] = actor
    bad = [p.full_name for p in people.values() if p.agency_id != document.agency_id or not may_read(p.clearance, document.confidentiality)]
    if bad:
        raise ValidationError({"distribution": _("Not allowed to read this document: %(names)s.") % {"names": ", ".join(bad)}})
    Distribution.objects.bulk_create([Distribution(document=document, person=p, added_by=actor) for p in people.values()],
                                     ignore_conflicts=True)


def search_text_of(document: Document, attachment_texts: Iterable[str] = ()) -> str:
    """What the full-text index holds for a document: its metadata and its attachments' text, folded.
    The legacy import (documents.legacy_import) builds it with this too, for documents not yet saved."""
    type_name = choice_label(DocumentType, document.doc_type)
    parts = [document.reference, document.subject, document.issuer, document.signer_name, type_name, document.notes, *attachment_texts]
    return fold(" ".join(p for p in parts if p))


def _refresh_search_text(document: Document) -> None:
    document.search_text = search_text_of(document, document.attachments.values_list("text", flat=True))
    Document.objects.filter(pk=document.pk).update(search_text=document.search_text)


# ---- incoming ------------------------------------------------------------------------------------


def find_duplicates(agency: Agency, values: dict, file_hashes: Iterable[str] = ()) -> list[Document]:
    """Incoming documents of the agency with the same issuer, number/notation and date, or the same file."""
    same = Q(pk__in=[])
    if values.get("code_number") and values.get("issued_date"):
        issuer = Q(issuing_agency=values["issuing_agency"]) if values.get("issuing_agency") else \
            Q(issuing_agency__isnull=True, issuing_agency_name__iexact=values.get("issuing_agency_name", ""))
        same |= issuer & Q(code_number=values["code_number"], code_notation__iexact=values.get("code_notation", ""),
                           issued_date=values["issued_date"])
    hashes = list(file_hashes)
    if hashes:
        same |= Q(attachments__sha256__in=hashes)
    return list(Document.objects.filter(same, agency=agency, direction=Direction.INCOMING).select_related("register").distinct()[:5])


@dataclass
class UploadedFile:
    """A file already checked and stored (documents.attachments.store)."""

    sha256: str
    size: int
    filename: str
    content_type: str
    text: str = ""
    page_count: int | None = None
    needs_ocr: bool = False  # an image, or a PDF without a text layer


@transaction.atomic
def register_incoming(actor, *, register: Register | None = None, files: Iterable[UploadedFile] = (), distribution: Iterable[Person] = (),
                      confirm_duplicate: bool = False, scan: OcrJob | None = None, request=None, **fields) -> Document:
    """Enter an incoming document in a register: it gets the next arrival number. `scan`, a finished OCR job of
    the paper original, attaches its searchable PDF."""
    agency = actor.agency
    require_clerk(actor, agency)
    values = _clean_fields(fields, INCOMING_FIELDS)
    files = list(files)
    if scan is not None:
        files.append(_scan_file(agency, scan))
        if not values.get("page_count"):
            values["page_count"] = scan.page_count
    values.setdefault("arrival_date", timezone.now())
    if not values.get("subject"):
        raise ValidationError({"subject": _("The subject (trích yếu) is required.")})
    if values.get("doc_type") not in DocumentType.values:
        raise ValidationError({"doc_type": _("Choose the document type.")})
    if not (values.get("issuing_agency") or values.get("issuing_agency_name")):
        raise ValidationError({"issuing_agency_name": _("Give the issuing agency, from the directory or written out.")})
    _check_refs(actor, agency, values)
    year = timezone.localtime(values["arrival_date"]).year
    confidential = values.get("confidentiality", 0) > Clearance.NONE
    if register is None:
        register = default_register(agency, Direction.INCOMING, year, confidential=confidential)
    _check_register(register, agency, Direction.INCOMING, year, confidential)
    if not confirm_duplicate:
        duplicates = find_duplicates(agency, values, [f.sha256 for f in files])
        if duplicates:
            raise DuplicateWarning(duplicates)
    document = Document(agency=agency, direction=Direction.INCOMING, status=Document.Status.REGISTERED, register=register,
                        created_by=actor, **values)
    document.number = take_number(register)
    document.full_clean(exclude=["search_text"])
    document.save()
    _attach(actor, document, files)
    if confidential:
        _set_distribution(actor, document, distribution)
    if scan is not None:
        OcrJob.objects.filter(pk=scan.pk).update(document=document)
    _refresh_search_text(document)
    audit.record("documents.incoming.registered", actor=actor, agency=agency, target=document, request=request,
                 data={"register": register.pk, "number": document.number, "reference": document.reference,
                       "confidentiality": document.confidentiality, "duplicate_confirmed": confirm_duplicate,
                       "scan": scan.pk if scan is not None else None})
    hooks.document_registered.send(sender=Document, document=document, actor=actor)
    return document


def add_readers(actor, document: Document, people: Iterable[Person]) -> None:
    """Put people on a confidential document's distribution, with the clearance check (for the workflow,
    whose assignees must be able to read what they are given). The caller checks that `actor` may."""
    if document.confidentiality > Clearance.NONE:
        _set_distribution(actor, document, people)


def attach_files(actor, document: Document, files: Iterable[UploadedFile]) -> list[Attachment]:
    """Add files already checked and stored (documents.attachments.store) to a document, searchable like
    its own, e.g. those of a progress note. The caller checks that `actor` may, and audits."""
    files = list(files)
    if not files:
        return []
    before = set(document.attachments.values_list("pk", flat=True))
    _attach(actor, document, files)
    _refresh_search_text(document)
    return list(document.attachments.exclude(pk__in=before).order_by("pk"))


def _scan_file(agency: Agency, scan: OcrJob) -> UploadedFile:
    """The searchable PDF of a finished recognition, once: a scan registers one document."""
    scan = OcrJob.objects.select_for_update().get(pk=scan.pk)
    if scan.agency_id != agency.pk or scan.attachment_id is not None:
        raise ValidationError({"scan": _("This scan belongs to another agency.")})
    if scan.status != OcrJob.Status.DONE:
        raise ValidationError({"scan": _("The scan is not recognised yet. Wait for it to finish, or register without it.")})
    if scan.document_id is not None:
        raise ValidationError({"scan": _("This scan has already been registered.")})
    stem = scan.source_filename.rsplit(".", 1)[0] or "scan"
    return UploadedFile(sha256=scan.result_sha256, size=scan.result_size or 0, filename=f"{stem}.pdf", content_type="application/pdf",
                        text=scan.text, page_count=scan.page_count)


def _check_register(register: Register, agency: Agency, direction: str, year: int, confidential: bool) -> None:
    if register.agency_id != agency.pk or register.direction != direction:
        raise ValidationError({"register": _("Choose a register of your agency for this kind of document.")})
    if not register.is_active:
        raise ValidationError({"register": _("This register is closed.")})
    if register.year != year:
        raise ValidationError({"register": _("This register is for %(year)s: numbers restart each year.") % {"year": register.year}})
    if confidential and not register.confidential and Register.objects.filter(
            agency=agency, direction=direction, year=year, confidential=True, is_active=True).exists():
        raise ValidationError({"register": _("Confidential documents go in the agency's confidential register.")})
    if register.confidential and not confidential:
        raise ValidationError({"register": _("The confidential register is only for confidential documents.")})


def _attach(actor, document: Document, files: Iterable[UploadedFile]) -> None:
    files = list(files)
    attachments = Attachment.objects.bulk_create([
        Attachment(document=document, sha256=f.sha256, size=f.size, filename=f.filename[:255], content_type=f.content_type,
                   text=f.text, page_count=f.page_count, uploaded_by=actor)
        for f in files
    ])
    if attachments:
        transaction.on_commit(lambda: hooks.attachments_stored.send(sender=Attachment, attachments=attachments))
    # Scans get their text from OCR in the background (documents.ocr_services.run_job).
    for attachment, file in zip(attachments, files, strict=True):
        if file.needs_ocr:
            queue_ocr(OcrJob.objects.create(
                agency_id=document.agency_id, created_by=actor, attachment=attachment, document=document, source_sha256=file.sha256,
                source_filename=attachment.filename, source_content_type=file.content_type, source_size=file.size))


def queue_ocr(job: OcrJob) -> None:
    transaction.on_commit(lambda: hooks.ocr_requested.send(sender=OcrJob, job=job))


# ---- outgoing ------------------------------------------------------------------------------------


def _set_recipients(document: Document, units: Iterable[Unit], agencies: Iterable[Agency], places: Iterable[str]) -> None:
    units, agencies = list(units), list(agencies)
    if any(u.agency_id != document.agency_id for u in units):
        raise ValidationError({"recipient_units": _("A recipient unit belongs to another agency.")})
    if any(a.pk == document.agency_id for a in agencies):
        raise ValidationError({"recipient_agencies": _("Send to units of your own agency, not to the agency itself.")})
    document.recipients.all().delete()
    Recipient.objects.bulk_create(
        [Recipient(document=document, unit=u) for u in units] + [Recipient(document=document, agency=a) for a in agencies]
        + [Recipient(document=document, place=normalize(p)[:255]) for p in places if normalize(p)]
    )


@transaction.atomic
def create_outgoing_draft(actor, *, recipient_units=(), recipient_agencies=(), recipient_places=(), files: Iterable[UploadedFile] = (),
                          distribution: Iterable[Person] = (), request=None, **fields) -> Document:
    agency = actor.agency
    if not can_draft(actor, agency):
        raise ValidationError(_("Only people of the agency draft its documents."))
    values = _clean_fields(fields, OUTGOING_FIELDS)
    if not values.get("subject"):
        raise ValidationError({"subject": _("The subject (trích yếu) is required.")})
    if values.get("doc_type") not in DocumentType.values:
        raise ValidationError({"doc_type": _("Choose the document type.")})
    values.setdefault("drafting_unit", actor.unit)
    _check_refs(actor, agency, values)
    document = Document(agency=agency, direction=Direction.OUTGOING, status=Document.Status.DRAFT, created_by=actor,
                        issuing_agency=agency, **values)
    document.full_clean(exclude=["search_text"])
    document.save()
    _set_recipients(document, recipient_units, recipient_agencies, recipient_places)
    _attach(actor, document, files)
    if document.confidentiality > Clearance.NONE:
        _set_distribution(actor, document, distribution)
    _refresh_search_text(document)
    audit.record("documents.outgoing.drafted", actor=actor, agency=agency, target=document, request=request,
                 data={"doc_type": document.doc_type, "confidentiality": document.confidentiality})
    return document


@transaction.atomic
def issue_outgoing(actor, document: Document, *, register: Register | None = None, request=None) -> Document:
    """Number the draft in the agency's scheme and issue it: 123/QĐ-UBND, 127-QĐ/TW, 45/UBND-VP."""
    document = Document.objects.select_for_update(of=("self",)).select_related("agency", "drafting_unit").get(pk=document.pk)
    agency = document.agency
    require_clerk(actor, agency)
    require_clearance(actor, document.confidentiality)
    if document.direction != Direction.OUTGOING or document.status != Document.Status.DRAFT:
        raise ValidationError(_("Only a draft can be issued; this document already has number %(ref)s.") % {"ref": document.reference})
    for check in hooks.issue_checks:
        check(actor, document)
    now = timezone.now()
    confidential = document.confidentiality > Clearance.NONE
    if register is None:
        register = default_register(agency, Direction.OUTGOING, timezone.localtime(now).year, confidential=confidential)
    _check_register(register, agency, Direction.OUTGOING, timezone.localtime(now).year, confidential)
    if document.doc_type == DocumentType.CONG_VAN and agency.notation_scheme != PARTY and not (
            document.drafting_unit and document.drafting_unit.short_name):
        raise ValidationError({"drafting_unit": _("A công văn's notation names its drafting unit: give that unit a short name first.")})
    document.register = register
    document.number = take_number(register)
    document.code_number = format_number(document.number)
    document.code_notation = format_notation(doc_type=document.doc_type, scheme=agency.notation_scheme, agency_notation=agency.notation_code,
                                             unit_short_name=document.drafting_unit.short_name if document.drafting_unit else "")
    document.issued_date = timezone.localdate(now)
    document.issued_at = now
    document.status = Document.Status.ISSUED
    document.save()
    _refresh_search_text(document)
    audit.record("documents.outgoing.issued", actor=actor, agency=agency, target=document, request=request,
                 data={"register": register.pk, "number": document.number, "reference": document.reference})
    hooks.document_issuing.send(sender=Document, document=document, actor=actor)
    transaction.on_commit(lambda: hooks.document_issued.send(sender=Document, document=document, actor=actor))
    return document

