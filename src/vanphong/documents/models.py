from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanphong.core.choices import choice_label
from vanphong.core.clearance import Clearance
from vanphong.documents.types import Competence, DocumentType, Urgency


class Direction(models.TextChoices):
    INCOMING = "in", _("Incoming")
    OUTGOING = "out", _("Outgoing")


class Register(models.Model):
    """A register (sổ văn bản) of one agency for one year. Its counter hands out gapless numbers
    (documents.numbering); a new year is a new register, so numbers restart on 1 January."""

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="registers", verbose_name=_("agency"))
    direction = models.CharField(_("kind"), max_length=3, choices=Direction.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=30, help_text=_("Short code, unique per agency, kind and year, e.g. DEN or MAT."))
    confidential = models.BooleanField(_("for confidential documents"), default=False)
    next_number = models.PositiveIntegerField(default=1, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "direction", "confidential", "name"]
        verbose_name = _("register")
        verbose_name_plural = _("registers")
        constraints = [models.UniqueConstraint(fields=["agency", "direction", "year", "code"], name="register_unique_code")]

    def __str__(self):
        return self.name if str(self.year) in self.name else f"{self.name} ({self.year})"


class Document(models.Model):
    """An official document (văn bản), incoming or outgoing, with the columns of the Decree 30
    registers and the archival metadata of its Phụ lục VI."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")  # incoming, in a register
        DRAFT = "draft", _("Draft")  # outgoing, not yet issued
        ISSUED = "issued", _("Issued")  # outgoing, numbered

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="documents", verbose_name=_("agency"))
    direction = models.CharField(_("kind"), max_length=3, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    register = models.ForeignKey(Register, null=True, blank=True, on_delete=models.PROTECT, related_name="documents", verbose_name=_("register"))
    # Arrival number (số đến) for incoming documents; the issue number for outgoing ones.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)

    doc_type = models.CharField(_("document type"), max_length=4, choices=DocumentType.choices)
    code_number = models.CharField(_("number (as written)"), max_length=11, blank=True)
    code_notation = models.CharField(_("notation"), max_length=30, blank=True)
    issued_date = models.DateField(_("document date"), null=True, blank=True)
    issuing_agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("issuing agency (from the directory)"))
    issuing_agency_name = models.CharField(_("issuing agency (written out)"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=500)
    signer_name = models.CharField(_("signer"), max_length=150, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=150, blank=True)
    signer_competence = models.CharField(_("competence"), max_length=4, choices=Competence.choices, blank=True)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.PositiveSmallIntegerField(_("confidentiality"), choices=Clearance.choices, default=Clearance.NONE)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    copies = models.PositiveIntegerField(_("copies"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Incoming register columns (Phụ lục IV).
    arrival_date = models.DateTimeField(_("arrival date"), null=True, blank=True)
    receiving_unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving unit"))
    receiving_person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("receiving person"))
    passed_on_date = models.DateField(_("date passed on"), null=True, blank=True)

    # Outgoing register columns.
    drafting_unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafting unit"))
    file_copy_unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("unit keeping the file copy"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Diacritic-folded metadata and attachment text, indexed by the database's full-text engine.
    search_text = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["register", "number"], name="document_unique_number_in_register"),
            models.CheckConstraint(condition=Q(number__isnull=True) | Q(register__isnull=False), name="document_number_needs_register"),
        ]
        indexes = [
            # The inbox and outbox lists, newest first, walk these without sorting (documents.selectors).
            models.Index(fields=["agency", "direction", "-created_at", "-id"], name="document_list_created"),
            models.Index(fields=["agency", "direction", "-arrival_date", "-id"], name="document_list_arrival"),
            models.Index(fields=["register", "-number"]),
            models.Index(fields=["issuing_agency", "code_number", "code_notation", "issued_date"]),
        ]

    def __str__(self):
        return self.reference or self.subject[:80]

    @property
    def reference(self) -> str:
        """Số, ký hiệu as printed: 123/QĐ-UBND (State) or 127-QĐ/TW (Party)."""
        if not self.code_number and not self.code_notation:
            return ""
        if not self.code_notation:
            return self.code_number
        from vanphong.documents.notation import join_reference

        return join_reference(self.code_number, self.code_notation, party=self.code_notation_is_party())

    def code_notation_is_party(self) -> bool:
        # A Party notation puts the type before the agency ("QĐ/TW"); a State one after ("QĐ-UBND").
        return "/" in self.code_notation

    @property
    def issuer(self) -> str:
        return self.issuing_agency.name if self.issuing_agency_id else self.issuing_agency_name

    # Labels for lists and books: core.choices translates each set of choices once per language.
    @property
    def type_label(self) -> str:
        return choice_label(DocumentType, self.doc_type)

    @property
    def urgency_label(self) -> str:
        return choice_label(Urgency, self.urgency)

    @property
    def confidentiality_label(self) -> str:
        return choice_label(Clearance, self.confidentiality)

    @property
    def status_label(self) -> str:
        return choice_label(Document.Status, self.status)

    @property
    def direction_label(self) -> str:
        return choice_label(Direction, self.direction)


class Recipient(models.Model):
    """Where an outgoing document goes: a unit of the agency, an agency of the directory (which
    the exchange will deliver to), or a place written out (Nơi nhận)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(max_length=255, blank=True)
    for_information = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False, agency__isnull=True, place="") | Q(unit__isnull=True, agency__isnull=False, place="")
                           | (Q(unit__isnull=True, agency__isnull=True) & ~Q(place=""))),
                name="recipient_exactly_one_target",
            )
        ]

    def __str__(self):
        return self.unit.name if self.unit_id else self.agency.name if self.agency_id else self.place


class Distribution(models.Model):
    """Who may read a confidential document (besides nobody else)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="distribution")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "person"], name="distribution_unique_person")]


class Attachment(models.Model):
    """A file of a document, kept once in the content-addressed store under its SHA-256."""

    PREVIEW_PAGES = 30

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    text = models.TextField(default="", editable=False)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.filename

    @property
    def preview_pages(self) -> range:
        """The pages shown as images on the document's page (documents.page_images); a longer file is
        opened whole from its link."""
        return range(1, min(self.page_count or 1, self.PREVIEW_PAGES) + 1)


class OcrJob(models.Model):
    """Recognition of a scanned paper document, run by the background worker (documents.ocr).

    A job starts from a scan the clerk uploads before registering (its proposal pre-fills the
    form), or from an attachment without a text layer (its text then feeds the search)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Recognising")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source_sha256 = models.CharField(max_length=64)
    source_filename = models.CharField(max_length=255)
    source_content_type = models.CharField(max_length=100)
    source_size = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    # The searchable PDF OCRmyPDF wrote (a new content-addressed file), its text and pages.
    result_sha256 = models.CharField(max_length=64, blank=True)
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    text = models.TextField(default="", blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    proposal = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attachment = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.CASCADE, related_name="ocr_jobs")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"OCR {self.source_filename} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def waiting_long(self) -> bool:
        """Still queued a minute on: the background worker is probably not running."""
        return self.status == self.Status.QUEUED and (timezone.now() - self.created_at).total_seconds() > 60


class DocumentImport(models.Model):
    """One import of an agency's legacy records from a file (documents.legacy_import): its checkpoint.

    Each batch of documents commits together with `rows_done`, so a run that stops (killed, power
    cut) resumes after its last committed batch when the same file (same SHA-256) is imported again.
    A file is imported once per agency."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running or interrupted")
        DONE = "done", _("Done")

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    total_rows = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)  # rows of the file behind the checkpoint, in file order
    imported = models.PositiveIntegerField(default=0)  # documents created
    skipped = models.PositiveIntegerField(default=0)  # bad rows left out (--skip-invalid)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["agency", "sha256"], name="documentimport_unique_file")]

    def __str__(self):
        return f"{self.filename} ({self.rows_done}/{self.total_rows})"
