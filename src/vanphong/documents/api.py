"""REST endpoints for registers and documents: registers, incoming and outgoing documents, their
files, and search.

As thin as the pages: the same selectors decide what a caller sees (a document they may not see is
a 404 on every endpoint, as on the web), the same services register, draft and issue, and uploaded
files go through documents.attachments.store exactly as the web's uploads do."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import AfterValidator

from vanphong.core.api_support import MAX_ID, Id, InputSchema, PageQuery, Text, error_responses, invalid, page
from vanphong.core.clearance import Clearance
from vanphong.core.errors import NotFound
from vanphong.documents import attachment_views, selectors, services
from vanphong.documents import search as engine
from vanphong.documents.attachments import CONTENT_TYPES, store
from vanphong.documents.models import Attachment, Direction, Distribution, Document, Recipient
from vanphong.documents.permissions import require_clerk
from vanphong.documents.types import Competence, DocumentType, Urgency
from vanphong.org import selectors as org_selectors

router = Router()

DirectionCode = Literal[tuple(Direction.values)]
DocTypeCode = Literal[tuple(DocumentType.values)]
CompetenceCode = Literal[tuple(Competence.values)]
UrgencyLevel = Literal[tuple(Urgency.values)]
ConfidentialityLevel = Literal[tuple(Clearance.values)]
StatusCode = Literal[tuple(Document.Status.values)]

# Bounds that keep dates and times clear of the calendar's ends (a year-9999 time moved to UTC
# overflows) and of obvious typing mistakes.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY, description="ISO 8601 date, e.g. 2026-03-15.")]
Year = Annotated[int, Field(ge=FIRST_DAY.year, le=LAST_DAY.year)]
Count = Annotated[int, Field(ge=1, le=100_000)]
MAX_LIST = 500  # ids in one list of recipients or readers


def _local_time(value: dt.datetime) -> dt.datetime:
    if not FIRST_DAY.year <= value.year <= LAST_DAY.year:
        raise invalid(_("Enter a date between %(first)s and %(last)s.") % {"first": FIRST_DAY.year, "last": LAST_DAY.year})
    # A time without an offset is the agency's local time (Asia/Ho_Chi_Minh), as a clerk reads it.
    return value if timezone.is_aware(value) else timezone.make_aware(value)


Moment = Annotated[dt.datetime, AfterValidator(_local_time),
                   Field(description="ISO 8601 date and time, e.g. 2026-03-15T08:30:00+07:00; without an offset, local time (UTC+7).")]


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


def _filter(description: str, alias: str | None = None):
    """A query filter that may be left out (null cannot be sent in a query string)."""
    return Field(None, description=description, alias=alias, json_schema_extra=_no_default)


DocumentId = Path[int, {"ge": 1, "le": MAX_ID}]
AttachmentId = Path[int, {"ge": 1, "le": MAX_ID}]

# Service errors name model fields; the API names references by their id fields.
_API_FIELDS = {
    "register": "register_id", "issuing_agency": "issuing_agency_id", "receiving_unit": "receiving_unit_id",
    "receiving_person": "receiving_person_id", "drafting_unit": "drafting_unit_id", "file_copy_unit": "file_copy_unit_id",
    "recipient_units": "recipient_unit_ids", "recipient_agencies": "recipient_agency_ids", "distribution": "distribution_ids",
}


@contextmanager
def _api_field_names():
    try:
        yield
    except services.DuplicateWarning:
        raise
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({_API_FIELDS.get(name, name): errors for name, errors in exc.error_dict.items()}) from None


# ---- resolving the ids a caller sends -------------------------------------------------------------


def _register(reader, pk: int | None, field: str):
    if pk is None:
        return None
    try:
        return selectors.register_detail(reader, pk)
    except NotFound:
        raise ValidationError({field: _("There is no such register in your agency.")}) from None


def _units(reader, ids: Iterable[int], field: str) -> list:
    ids = list(dict.fromkeys(ids))
    found = {u.pk: u for u in org_selectors.units_of_own_agency(reader).filter(pk__in=ids, is_active=True)}
    if len(found) != len(ids):
        raise ValidationError({field: _("There is no such unit in your agency.")})
    return [found[pk] for pk in ids]


def _people(reader, ids: Iterable[int], field: str) -> list:
    ids = list(dict.fromkeys(ids))
    found = {p.pk: p for p in selectors.colleagues(reader).filter(pk__in=ids)}
    if len(found) != len(ids):
        raise ValidationError({field: _("There is no such person in your agency.")})
    return [found[pk] for pk in ids]


def _agencies(reader, ids: Iterable[int], field: str, *, others: bool = False, active: bool = False) -> list:
    """Agencies of the directory; `others`: not the reader's own (a document comes from, or goes to, another
    agency); `active`: still active (the forms offer the same)."""
    agencies = []
    for pk in dict.fromkeys(ids):
        try:
            agency = org_selectors.agency_detail(reader, pk)
        except NotFound:
            raise ValidationError({field: _("There is no such agency.")}) from None
        if others and agency.pk == reader.agency_id:
            raise ValidationError({field: _("Choose an agency other than your own.")})
        if active and not agency.is_active:
            raise ValidationError({field: _("This agency is no longer active.")})
        agencies.append(agency)
    return agencies


def _one(items: list):
    return items[0] if items else None


def _stored_files(files) -> list[services.UploadedFile]:
    """Check and keep each file as the web's upload does; any refusal refuses the request, naming the file."""
    stored, refused = [], []
    for upload in files or ():
        try:
            stored.append(store(upload))
        except ValidationError as exc:
            refused.append(f"{upload.name}: {' '.join(exc.messages)}")
    if refused:
        raise ValidationError({"files": refused})
    return stored


# ---- output -------------------------------------------------------------------------------------


class RegisterOut(Schema):
    id: int
    direction: DirectionCode = Field(description="in: incoming (sổ đến); out: outgoing (sổ đi).")
    year: int = Field(description="Numbers restart each year: one register per kind and year.")
    name: str
    code: str
    confidential: bool = Field(description="For confidential documents (Mật and above) only.")
    is_active: bool
    next_number: int = Field(description="The number the next document entered in it will get.")
    created_at: dt.datetime


class RegisterPage(Schema):
    count: int
    items: list[RegisterOut]


class DocumentSummaryOut(Schema):
    id: int
    direction: DirectionCode
    status: StatusCode = Field(description="registered (incoming), draft or issued (outgoing).")
    register_id: int | None
    number: int | None = Field(description="Arrival number (số đến) of an incoming document; issue number of an outgoing one.")
    reference: str = Field(description="Số, ký hiệu as printed: 123/QĐ-UBND, or 127-QĐ/TW for Party bodies; empty for a draft.")
    doc_type: DocTypeCode
    code_number: str
    code_notation: str
    issued_date: dt.date | None
    issuing_agency_id: int | None
    issuer: str = Field(description="The issuing agency's name, from the directory or as written.")
    subject: str
    urgency: UrgencyLevel = Field(description="0 normal, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc.")
    confidentiality: ConfidentialityLevel = Field(description="0 none, 1 Mật, 2 Tối mật, 3 Tuyệt mật.")
    due_date: dt.date | None
    arrival_date: dt.datetime | None
    created_at: dt.datetime


class DocumentPage(Schema):
    count: int
    items: list[DocumentSummaryOut]


class RecipientOut(Schema):
    id: int
    unit_id: int | None
    agency_id: int | None
    place: str
    name: str = Field(description="The unit's or agency's name, or the place as written.")
    for_information: bool

    @staticmethod
    def resolve_name(recipient) -> str:
        return str(recipient)


class AttachmentOut(Schema):
    id: int = Field(description="Download it with GET /attachments/{id}.")
    filename: str
    size: int = Field(description="In bytes.")
    content_type: str = Field(description="Found from the file's content when it was checked, not from its name.")
    sha256: str
    page_count: int | None
    uploaded_at: dt.datetime
    text: str | None = Field(None, description="The text extracted for search; only with include_text=true.")

    @staticmethod
    def resolve_text(attachment) -> str | None:
        return None if "text" in attachment.get_deferred_fields() else attachment.text


class ReaderOut(Schema):
    person_id: int
    full_name: str

    @staticmethod
    def resolve_full_name(entry) -> str:
        return entry.person.full_name


class DocumentOut(DocumentSummaryOut):
    issuing_agency_name: str
    signer_name: str
    signer_position: str
    signer_competence: CompetenceCode
    page_count: int | None
    copies: int | None
    notes: str
    receiving_unit_id: int | None
    receiving_person_id: int | None
    passed_on_date: dt.date | None
    drafting_unit_id: int | None
    file_copy_unit_id: int | None
    issued_at: dt.datetime | None
    created_by_id: int
    updated_at: dt.datetime
    recipients: list[RecipientOut] = Field(description="Where an outgoing document goes (Nơi nhận).")
    attachments: list[AttachmentOut]
    distribution: list[ReaderOut] = Field(description="Who may read a confidential document; empty for others.")


class DuplicateOut(Schema):
    id: int
    visible: bool = Field(description="false: a document you may not see; only its id is given.")
    number: int | None = Field(description="Its arrival number.")
    year: int | None = Field(description="The year of its register.")
    reference: str | None
    subject: str | None


class DuplicatesOut(Schema):
    detail: str
    duplicates: list[DuplicateOut]


def _document(reader, pk: int, *, include_text: bool = False) -> Document:
    """A document the reader may see (else NotFound), with its recipients, files and readers."""
    document = selectors.document_detail(reader, pk)
    attachments = Attachment.objects.order_by("pk")
    prefetch_related_objects(
        [document],
        Prefetch("attachments", queryset=attachments if include_text else attachments.defer("text")),
        Prefetch("recipients", queryset=Recipient.objects.select_related("unit", "agency").order_by("pk")),
        Prefetch("distribution", queryset=Distribution.objects.select_related("person").order_by("pk")),
    )
    return document


# ---- registers ----------------------------------------------------------------------------------


class RegisterQuery(PageQuery):
    direction: DirectionCode = _filter("in: incoming registers; out: outgoing ones.")
    year: Year = _filter("Only the registers of this year.")


class RegisterCreateIn(InputSchema):
    direction: DirectionCode
    year: Year
    name: Text(200, 1)
    code: Text(30, 1) = Field(description="Short code, unique per agency, kind and year, e.g. DEN or MAT.")
    confidential: bool = Field(False, description="A register for confidential documents (Mật and above).")


@router.get("/registers", response={200: RegisterPage, **error_responses(401, 422)}, tags=["registers"])
def list_registers(request, filters: Query[RegisterQuery]):
    """Your agency's registers (sổ văn bản), newest year first."""
    qs = selectors.registers_of_own_agency(request.auth, direction=filters.direction, year=filters.year)
    return page(qs.order_by("-year", "direction", "confidential", "code", "pk"), filters)


@router.post("/registers", response={201: RegisterOut, **error_responses(400, 401, 403, 422)}, tags=["registers"])
def create_register(request, payload: RegisterCreateIn):
    """Open a register in your agency (its clerks and administrators). Each year's default registers
    are opened by themselves when the first document of the year is entered."""
    return Status(201, services.create_register(request.auth, request.auth.agency, request=request, **payload.model_dump()))


# ---- documents: lists, search, detail --------------------------------------------------------------


class DocumentListQuery(PageQuery):
    # Named for the query string; `register` itself would shadow a method of the model's metaclass.
    register_id: Id = _filter("Only the documents of this register (an id from GET /registers).", alias="register")


@router.get("/documents/incoming", response={200: DocumentPage, **error_responses(401, 422)}, tags=["documents"])
def list_incoming(request, filters: Query[DocumentListQuery]):
    """Incoming documents you may see, latest arrival first."""
    register = _register(request.auth, filters.register_id, "register")
    return page(selectors.incoming_list(request.auth, register=register), filters)


@router.get("/documents/outgoing", response={200: DocumentPage, **error_responses(401, 422)}, tags=["documents"])
def list_outgoing(request, filters: Query[DocumentListQuery]):
    """Outgoing documents you may see, drafts included, newest first."""
    register = _register(request.auth, filters.register_id, "register")
    return page(selectors.outgoing_list(request.auth, register=register).select_related("issuing_agency"), filters)


class SearchQuery(Schema):
    q: Text(engine.MAX_QUERY_CHARS) = Field(
        "", description="Words to find in the metadata and the files' text; diacritics and case do not matter (“quyet dinh” finds "
                        "“Quyết định”), every word must match, the last one also as the beginning of a word. Empty: the filtered "
                        "documents, newest first.")
    register_id: Id = _filter("Only this register's documents.", alias="register")
    doc_type: DocTypeCode = _filter("Only documents of this type.")
    issuing_agency: Id = _filter("Only documents issued by this agency of the directory.")
    date_from: Day = _filter("Document date (ngày văn bản) on or after this day.")
    date_to: Day = _filter("Document date on or before this day.")
    received_from: Day = _filter("Arrival date (incoming) or creation date (outgoing) on or after this day.")
    received_to: Day = _filter("Arrival or creation date on or before this day.")
    urgency: Annotated[int, Field(ge=min(Urgency.values), le=max(Urgency.values))] = _filter("0 normal, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc.")
    status: StatusCode = _filter("registered, draft or issued.")
    direction: DirectionCode = _filter("in: incoming documents only; out: outgoing only.")
    limit: int = Field(engine.PAGE_SIZE, ge=1, le=engine.MAX_PAGE_SIZE, description="Results per page.")
    offset: int = Field(0, ge=0, le=engine.COUNT_LIMIT - 1, description=(
        f"Results to skip. Only the best {engine.COUNT_LIMIT} results are paged through: add words or filters to reach others."))


class Span(Schema):
    start: int
    end: int


class SearchHitOut(Schema):
    id: int
    direction: DirectionCode
    status: StatusCode
    register_id: int | None
    number: int | None
    reference: str
    doc_type: DocTypeCode
    issued_date: dt.date | None
    issuer: str
    arrival_date: dt.datetime | None
    created_at: dt.datetime
    subject: str
    subject_highlights: list[Span] = Field(description="Where the query's words are in `subject`.")
    snippet: str = Field(description="A passage of a file's text around the first match (… where cut); empty if the match is elsewhere.")
    snippet_highlights: list[Span] = Field(description="Where the query's words are in `snippet`.")
    score: float | None = Field(description=(
        "Relevance as the database ranks it (SQLite: bm25, lower is better; PostgreSQL: ts_rank_cd, higher is better): the items are "
        "already best first. null without words."))


class SearchPageOut(Schema):
    count: int = Field(description="How many documents match (at most the first ones ranked: see count_exact).")
    count_exact: bool = Field(description="false: more than `count` match.")
    items: list[SearchHitOut]


_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)


def _unmarked(marked: str) -> tuple[str, list[dict]]:
    """search.highlight's HTML (escaped text, matching words in <mark>) as plain text and the [start, end) offsets of
    the matches in it, so that the API highlights exactly what the search page does."""
    plain, spans, position = "", [], 0
    for match in _MARK.finditer(marked):
        plain += html.unescape(marked[position:match.start()])
        word = html.unescape(match.group(1))
        spans.append({"start": len(plain), "end": len(plain) + len(word)})
        plain += word
        position = match.end()
    return plain + html.unescape(marked[position:]), spans


def _hit(hit: engine.SearchHit) -> dict:
    document = hit.document
    subject, subject_spans = _unmarked(hit.subject_html)
    snippet, snippet_spans = _unmarked(hit.snippet_html)
    return {
        "id": document.pk, "direction": document.direction, "status": document.status, "register_id": document.register_id,
        "number": document.number, "reference": document.reference, "doc_type": document.doc_type, "issued_date": document.issued_date,
        "issuer": document.issuer, "arrival_date": document.arrival_date, "created_at": document.created_at, "subject": subject,
        "subject_highlights": subject_spans, "snippet": snippet, "snippet_highlights": snippet_spans, "score": hit.score,
    }


@router.get("/documents/search", response={200: SearchPageOut, **error_responses(401, 422)}, tags=["search"],
            description="Offsets in `*_highlights` count Unicode code points of the NFC text (Python string indices), end excluded.")
def search_documents(request, filters: Query[SearchQuery]):
    """Full-text search over the documents you may see, best matches first."""
    for start, end in (("date_from", "date_to"), ("received_from", "received_to")):
        first, last = getattr(filters, start), getattr(filters, end)
        if first and last and first > last:
            raise ValidationError({end: _("The end date is before the start date.")})
    register = _register(request.auth, filters.register_id, "register")
    issuer = _one(_agencies(request.auth, [filters.issuing_agency] if filters.issuing_agency else [], "issuing_agency"))
    chosen = engine.SearchFilters(
        register_id=register.pk if register else None, doc_type=filters.doc_type, issuing_agency_id=issuer.pk if issuer else None,
        issued_from=filters.date_from, issued_to=filters.date_to, received_from=filters.received_from, received_to=filters.received_to,
        urgency=filters.urgency, status=filters.status, direction=filters.direction,
    )
    # The engine pages through its first COUNT_LIMIT results only; a page is cut there rather than moved back.
    limit = min(filters.limit, engine.COUNT_LIMIT - filters.offset)
    result = engine.search(request.auth, filters.q, filters=chosen, offset=filters.offset, limit=limit)
    return {"count": result.total, "count_exact": result.total_exact, "items": [_hit(hit) for hit in result.hits]}


@router.get("/documents/{document_id}", response={200: DocumentOut, **error_responses(401, 404, 422)}, tags=["documents"])
def get_document(request, document_id: DocumentId, include_text: bool = Query(False, description=(
        "Also return each file's extracted text (it can be long)."))):
    """A document with its full metadata, recipients, files and (for a confidential one) its readers."""
    return _document(request.auth, document_id, include_text=include_text)


# ---- documents: registering, drafting, issuing -------------------------------------------------------


class _MetadataIn(InputSchema):
    doc_type: DocTypeCode = Field(description="Loại văn bản: QĐ, CV (công văn), TB…")
    subject: Text(500, 1) = Field(description="Trích yếu nội dung.")
    signer_name: Text(150) = ""
    signer_position: Text(150) = ""
    signer_competence: CompetenceCode = Field("", description="Thẩm quyền ký: T/M, K/T, T/L, TUQ, Q. or empty.")
    urgency: UrgencyLevel = Field(Urgency.NORMAL.value, description="0 normal, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc.")
    confidentiality: ConfidentialityLevel = Field(Clearance.NONE.value, description=(
        "0 none, 1 Mật, 2 Tối mật, 3 Tuyệt mật: at most your clearance. A confidential document is read only by its distribution."))
    due_date: Day | None = Field(None, description="Hạn xử lý.")
    page_count: Count | None = None
    copies: Count | None = None
    notes: Text(5000) = ""
    distribution_ids: list[Id] = Field(default_factory=list, max_length=MAX_LIST, description=(
        "People of your agency who may read a confidential document besides you; they need the clearance."))


class IncomingIn(_MetadataIn):
    register_id: Id | None = Field(None, description="An incoming register of your agency for this year; by default the year's "
                                                     "register (the confidential one for a confidential document).")
    code_number: Text(11) = Field("", description="The number as written on the document, e.g. 123.")
    code_notation: Text(30) = Field("", description="The notation as written, e.g. QĐ-UBND.")
    issued_date: Day | None = Field(None, description="Ngày văn bản: not in the future, nor after the arrival.")
    issuing_agency_id: Id | None = Field(None, description="The issuing agency, from the directory …")
    issuing_agency_name: Text(255) = Field("", description="… or written out, when it is not in the directory.")
    arrival_date: Moment | None = Field(None, description="Ngày đến; now by default. Its year chooses the register.")
    receiving_unit_id: Id | None = Field(None, description="The unit of your agency it goes to.")
    receiving_person_id: Id | None = Field(None, description="The person of your agency it goes to.")
    passed_on_date: Day | None = None
    confirm_duplicate: bool = Field(False, description="Register it even though it looks registered already (after a 409).")


class OutgoingIn(_MetadataIn):
    drafting_unit_id: Id | None = Field(None, description="Your unit by default; a công văn's notation names it.")
    file_copy_unit_id: Id | None = None
    recipient_unit_ids: list[Id] = Field(default_factory=list, max_length=MAX_LIST, description="Units of your agency.")
    recipient_agency_ids: list[Id] = Field(default_factory=list, max_length=MAX_LIST, description=(
        "Other agencies of the directory: the exchange will deliver to them."))
    recipient_places: list[Text(255)] = Field(default_factory=list, max_length=MAX_LIST, description="Other recipients, as written.")


class IssueIn(InputSchema):
    register_id: Id | None = Field(None, description="An outgoing register of your agency for this year; by default the year's "
                                                     "register (the confidential one for a confidential document).")


_FILES_DESCRIPTION = (
    " Send multipart/form-data: the fields as JSON in the part `payload`, and zero or more parts `files` (PDF, Word .docx, "
    "Excel .xlsx, PNG, JPEG or TIFF). Files are judged by their content; if any is refused, the answer is 422 naming it and "
    "nothing is registered.")


@router.post("/documents/incoming", response={201: DocumentOut, 409: DuplicatesOut, **error_responses(400, 401, 403, 422)},
             tags=["documents"], description="Clerks of the agency only." + _FILES_DESCRIPTION)
def register_incoming(request, payload: IncomingIn, files: File[list[UploadedFile]] = None):
    """Register an incoming document: it gets the next arrival number (số đến) of its register. If it looks registered
    already (same issuer, number, notation and date, or the same file), the answer is 409 with those documents and
    nothing is registered: check them, then send it again with confirm_duplicate."""
    reader = request.auth
    require_clerk(reader, reader.agency)  # before any file is kept
    fields = payload.model_dump(exclude_none=True, exclude={
        "register_id", "issuing_agency_id", "receiving_unit_id", "receiving_person_id", "distribution_ids", "confirm_duplicate"})
    register = _register(reader, payload.register_id, "register_id")
    if payload.issuing_agency_id is not None:
        fields["issuing_agency"] = _one(_agencies(reader, [payload.issuing_agency_id], "issuing_agency_id", others=True))
    if payload.receiving_unit_id is not None:
        fields["receiving_unit"] = _one(_units(reader, [payload.receiving_unit_id], "receiving_unit_id"))
    if payload.receiving_person_id is not None:
        fields["receiving_person"] = _one(_people(reader, [payload.receiving_person_id], "receiving_person_id"))
    distribution = _people(reader, payload.distribution_ids, "distribution_ids")
    stored = _stored_files(files)
    try:
        with _api_field_names():
            document = services.register_incoming(reader, register=register, files=stored, distribution=distribution,
                                                  confirm_duplicate=payload.confirm_duplicate, request=request, **fields)
    except services.DuplicateWarning as warning:
        return Status(409, _duplicates(reader, warning.duplicates))
    return Status(201, _document(reader, document.pk))


def _duplicates(reader, duplicates: list[Document]) -> dict:
    # The service looks through the whole agency; what the caller may not see is named by its id only.
    visible = set(selectors.documents_visible_to(reader).filter(pk__in=[d.pk for d in duplicates]).values_list("pk", flat=True))
    return {
        "detail": _("This document seems to be registered already. Check the documents listed; if it is really another one, "
                    "send it again with confirm_duplicate set to true."),
        "duplicates": [
            {"id": d.pk, "visible": True, "number": d.number, "year": d.register.year, "reference": d.reference, "subject": d.subject}
            if d.pk in visible else
            {"id": d.pk, "visible": False, "number": None, "year": None, "reference": None, "subject": None}
            for d in duplicates
        ],
    }


@router.post("/documents/outgoing", response={201: DocumentOut, **error_responses(400, 401, 403, 422)}, tags=["documents"],
             description="People of the agency draft; a clerk then issues it." + _FILES_DESCRIPTION)
def draft_outgoing(request, payload: OutgoingIn, files: File[list[UploadedFile]] = None):
    """Save the draft of an outgoing document, with its recipients (Nơi nhận). It has no number until it is issued."""
    reader = request.auth
    fields = payload.model_dump(exclude_none=True, exclude={
        "drafting_unit_id", "file_copy_unit_id", "recipient_unit_ids", "recipient_agency_ids", "recipient_places", "distribution_ids"})
    if payload.drafting_unit_id is not None:
        fields["drafting_unit"] = _one(_units(reader, [payload.drafting_unit_id], "drafting_unit_id"))
    if payload.file_copy_unit_id is not None:
        fields["file_copy_unit"] = _one(_units(reader, [payload.file_copy_unit_id], "file_copy_unit_id"))
    recipients = {
        "recipient_units": _units(reader, payload.recipient_unit_ids, "recipient_unit_ids"),
        "recipient_agencies": _agencies(reader, payload.recipient_agency_ids, "recipient_agency_ids", others=True, active=True),
        "recipient_places": payload.recipient_places,
    }
    distribution = _people(reader, payload.distribution_ids, "distribution_ids")
    stored = _stored_files(files)
    with _api_field_names():
        document = services.create_outgoing_draft(reader, files=stored, distribution=distribution, request=request, **recipients, **fields)
    return Status(201, _document(reader, document.pk))


@router.post("/documents/{document_id}/issue", response={200: DocumentOut, **error_responses(400, 401, 403, 404, 422)},
             tags=["documents"])
def issue_document(request, document_id: DocumentId, payload: IssueIn | None = None):
    """Number a draft in your agency's notation scheme and issue it (clerks): 123/QĐ-UBND, 45/UBND-VP for a công văn,
    127-QĐ/TW for Party bodies. The body may be left out."""
    document = selectors.document_detail(request.auth, document_id)
    register = _register(request.auth, payload.register_id if payload else None, "register_id")
    with _api_field_names():
        services.issue_outgoing(request.auth, document, register=register, request=request)
    return _document(request.auth, document.pk)


# ---- files ----------------------------------------------------------------------------------------

_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get("/attachments/{attachment_id}", response={200: None, **error_responses(401, 404, 422)}, tags=["documents"],
            openapi_extra={"responses": {200: {"description": "The file as it was received.",
                                               "content": {content_type: _BINARY for content_type in sorted(CONTENT_TYPES)}}}})
def download_attachment(request, attachment_id: AttachmentId):
    """Download a file of a document you may see, with its original name (Content-Disposition, RFC 6266) and the
    content type found when it was checked. Downloading a confidential document's file is audited."""
    # The web's download does the lookup (selectors.attachment_for_download), the audit and the headers: one rule for both.
    return attachment_views.download(request, attachment_id)
