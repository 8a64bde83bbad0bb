"""Reads of documents, filtered by what the reader may see: their own agency's documents (which
include those sent to it and registered there), up to their clearance, and, for confidential ones,
only if they are on the distribution."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from vanphong.core.clearance import Clearance
from vanphong.core.errors import NotFound
from vanphong.documents.models import Attachment, Direction, Distribution, Document, OcrJob, Register
from vanphong.documents.permissions import is_clerk
from vanphong.org.models import Person


def readable(reader, via: str = "") -> Q:
    """The documents the reader may read, as a condition on the document that `via` leads to ("document" from a
    task, "" on Document itself). A condition on the joined row, not `document__in=<subquery>`: PostgreSQL
    planned that subquery as a scan of every document, on each page that lists the reader's work."""
    if not (reader and reader.is_authenticated and reader.is_active):
        return Q(pk__in=[])
    field = f"{via}__" if via else ""
    on_distribution = Exists(Distribution.objects.filter(document=OuterRef(via or "pk"), person=reader))
    return Q(**{f"{field}agency_id": reader.agency_id}) & (
        Q(**{f"{field}confidentiality": Clearance.NONE}) | (Q(**{f"{field}confidentiality__lte": reader.clearance}) & on_distribution))


def documents_visible_to(reader) -> QuerySet[Document]:
    if not (reader and reader.is_authenticated and reader.is_active):
        return Document.objects.none()
    return Document.objects.filter(readable(reader))


def incoming_list(reader, *, register: Register | None = None) -> QuerySet[Document]:
    qs = documents_visible_to(reader).filter(direction=Direction.INCOMING).select_related("register", "issuing_agency", "receiving_unit")
    if register is not None:
        qs = qs.filter(register=register)
    # Walks the index (agency, direction, arrival_date, id) backwards. search_text, which holds the
    # attachments' text, is never shown in a list.
    return qs.defer("search_text").order_by("-arrival_date", "-pk")


def outgoing_list(reader, *, register: Register | None = None) -> QuerySet[Document]:
    qs = documents_visible_to(reader).filter(direction=Direction.OUTGOING).select_related("register", "drafting_unit", "created_by")
    if register is not None:
        qs = qs.filter(register=register)
    return qs.defer("search_text").order_by("-created_at", "-pk")


# The columns the inbox and outbox pages show: building whole rows and their related records cost
# those pages several times what the query itself took.
_LIST_COLUMNS = ("id", "doc_type", "code_number", "code_notation", "issued_date", "subject", "urgency", "confidentiality", "status")


def incoming_page_rows(reader, *, register: Register | None = None) -> QuerySet[Document]:
    return incoming_list(reader, register=register).select_related(None).select_related("issuing_agency", "receiving_unit").only(
        *_LIST_COLUMNS, "number", "arrival_date", "issuing_agency", "issuing_agency_name", "issuing_agency__name", "receiving_unit",
        "receiving_unit__name")


def outgoing_page_rows(reader, *, register: Register | None = None) -> QuerySet[Document]:
    return outgoing_list(reader, register=register).select_related(None).select_related("drafting_unit").only(
        *_LIST_COLUMNS, "signer_name", "drafting_unit", "drafting_unit__name")


def document_detail(reader, pk) -> Document:
    try:
        return documents_visible_to(reader).select_related(
            "register", "issuing_agency", "receiving_unit", "receiving_person", "drafting_unit", "file_copy_unit", "created_by"
        ).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def attachment_for_download(reader, pk) -> Attachment:
    try:
        return Attachment.objects.select_related("document").get(pk=pk, document__in=documents_visible_to(reader))
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def registers_of_own_agency(reader, *, direction: str | None = None, year: int | None = None, usable_only: bool = False) -> QuerySet[Register]:
    qs = Register.objects.filter(agency_id=reader.agency_id)
    if direction:
        qs = qs.filter(direction=direction)
    if year:
        qs = qs.filter(year=year)
    if usable_only:
        qs = qs.filter(is_active=True)
        if reader.clearance == Clearance.NONE:
            qs = qs.filter(confidential=False)
    return qs


def register_detail(reader, pk) -> Register:
    try:
        return Register.objects.get(pk=pk, agency_id=reader.agency_id)
    except (Register.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def colleagues(reader) -> QuerySet[Person]:
    """Active people of the reader's agency: whom a clerk may name as the receiving person, or put on a
    confidential document's distribution (the forms offer the same people)."""
    if not (reader and reader.is_authenticated and reader.is_active):
        return Person.objects.none()
    return Person.objects.filter(agency_id=reader.agency_id, is_active=True)


def scan_job_for(reader, pk):
    """A recognition started from a scan, for the clerks of the agency that started it."""
    if not (reader and reader.is_authenticated and is_clerk(reader, reader.agency)):
        raise NotFound()
    try:
        return OcrJob.objects.get(pk=pk, agency_id=reader.agency_id, attachment__isnull=True)
    except (OcrJob.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def pending_scans(reader) -> QuerySet[OcrJob]:
    """Scans of the agency being read or waiting to be registered, newest first."""
    if not (reader and reader.is_authenticated and is_clerk(reader, reader.agency)):
        return OcrJob.objects.none()
    return OcrJob.objects.filter(agency_id=reader.agency_id, attachment__isnull=True, document__isnull=True).order_by("-created_at")
