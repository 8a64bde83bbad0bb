"""The exchange's tables: the directory's endpoints, the outbox (documents and status messages to
send), the receipts each recipient sent back, and the inbox of packages received.

Nothing here shares rows between agencies: a package leaves an agency as bytes in the outbox and
arrives at the other (here or on another instance) as bytes in the inbox, through a transport.
The models leave room for what comes later: a package's BussinessDocType (0 new, 1 recall,
2 update, 3 replace) is a column of the outbox and the inbox, and receipts take any edXML status
code (13, 15, 16 included)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanphong.org.models import Agency

BUSINESS_NEW, BUSINESS_RECALL, BUSINESS_UPDATE, BUSINESS_REPLACE = 0, 1, 2, 3


class TransportName(models.TextChoices):
    LOCAL = "local", _("On this instance")
    HUB = "hub", _("Through the exchange hub")
    HTTPS = "https", _("Direct HTTPS (mutual TLS)")


class ExchangeEndpoint(models.Model):
    """How packages reach an agency of the directory. Without a row: the local transport for an
    agency hosted here; none for the others (their packages wait until an endpoint is set)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, primary_key=True, related_name="exchange_endpoint",
                                  verbose_name=_("agency"))
    transport = models.CharField(_("transport"), max_length=10, choices=TransportName.choices, default=TransportName.LOCAL)
    url = models.URLField(_("address"), blank=True, help_text=_("The node's or the hub's address, for HTTPS and the hub."))
    certificate_pem = models.TextField(_("seal certificate (PEM)"), blank=True,
                                       help_text=_("The agency's seal certificate, that Mật packages are encrypted for."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exchange endpoint")
        verbose_name_plural = _("exchange endpoints")

    def __str__(self):
        return f"{self.agency.code} → {self.transport}"


class OutboundMessage(models.Model):
    """One package to deliver to one agency: a document (edoc) or a status message.

    Written in the transaction of its cause (the issue of the document, the decision on a received
    package, a workflow status event); delivered by the worker at least once (exchange.outbox): a
    batch is claimed under a token with a lease, sent, then marked sent under the token. The signed
    bytes are kept (content-addressed, `payload_sha256`) once built, so that a retry sends exactly
    the same package and the receiver recognises it."""

    class Kind(models.TextChoices):
        EDOC = "edoc", _("Document")
        STATUS = "status", _("Status")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not sent")
        REFUSED = "refused", _("Refused by the exchange")

    kind = models.CharField(max_length=6, choices=Kind.choices)
    sender = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # A document: the outgoing document and what the package does with it (BussinessDocType).
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="exchange_packages")
    business_doc_type = models.PositiveSmallIntegerField(default=BUSINESS_NEW)
    # A status: the received package it answers, its code and words (a rejection's reason), and
    # the workflow event it reports (03–06), whose delivered_at is filled once sent.
    inbound = models.ForeignKey("exchange.InboundPackage", null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    status_code = models.CharField(max_length=2, blank=True)
    description = models.TextField(blank=True)
    status_event = models.OneToOneField("workflow.StatusEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    occurred_at = models.DateTimeField()
    edxml_document_id = models.CharField(max_length=200, blank=True)

    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claim = models.UUIDField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    payload_sha256 = models.CharField(max_length=64, blank=True)
    payload_size = models.PositiveBigIntegerField(null=True, blank=True)
    transport = models.CharField(max_length=10, blank=True)
    transport_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "recipient", "business_doc_type"], condition=Q(kind="edoc"),
                                    name="exchange_one_package_per_recipient"),
            models.UniqueConstraint(fields=["inbound", "status_code"], condition=Q(kind="status"), name="exchange_one_status_per_code"),
            models.CheckConstraint(condition=Q(kind="edoc", document__isnull=False) | Q(kind="status", inbound__isnull=False),
                                   name="exchange_message_has_subject"),
        ]
        indexes = [models.Index(fields=["next_attempt_at", "id"], condition=Q(state="pending"), name="exchange_outbox_due")]

    def __str__(self):
        return f"{self.kind} {self.edxml_document_id or self.pk} → {self.recipient_id} ({self.state})"


class Receipt(models.Model):
    """A status a recipient agency sent back about one of our packages: the sender's timeline."""

    package = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="receipts")
    code = models.CharField(max_length=2)
    description = models.TextField(blank=True)
    staff = models.CharField(max_length=255, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)  # the status's Timestamp
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "pk"]
        constraints = [models.UniqueConstraint(fields=["package", "code"], name="exchange_receipt_once_per_code")]


class InboundPackage(models.Model):
    """A package that arrived for an agency hosted here, as received (the bytes, content-addressed),
    with what was read and checked of it, and what became of it. A refused package is kept too,
    with its reason, and never registered."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Waiting for the clerk")
        REGISTERED = "registered", _("Registered")
        REJECTED = "rejected", _("Rejected")
        REFUSED = "refused", _("Refused on arrival")
        # A request about an earlier package (a recall, an update), once the clerk accepted it (status 15); a
        # refused request is REJECTED, with the clerk's reason (status 16).
        ACCEPTED = "accepted", _("Request accepted")
        # The earlier package a sender recalled, its recall accepted: withdrawn, never registered again.
        RECALLED = "recalled", _("Recalled by the sender")
        # The earlier package a sender replaced by a new document, the replacement accepted.
        REPLACED = "replaced", _("Replaced by the sender")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=6, default="edoc")
    sender = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sender_code = models.CharField(max_length=60, blank=True)
    sender_name = models.CharField(max_length=255, blank=True)
    edxml_document_id = models.CharField(max_length=200, blank=True)
    business_doc_type = models.PositiveSmallIntegerField(default=BUSINESS_NEW)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    payload_sha256 = models.CharField(max_length=64, blank=True)  # kept unless refused for its size
    encrypted = models.BooleanField(default=False)  # arrived sealed end to end: a Mật document
    subject = models.CharField(max_length=500, blank=True)
    code_number = models.CharField(max_length=30, blank=True)
    code_notation = models.CharField(max_length=60, blank=True)
    promulgation_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    verification = models.JSONField(default=dict, blank=True)
    oddities = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    reason = models.TextField(blank=True)  # why refused, or the clerk's reason for rejecting
    transport = models.CharField(max_length=10, blank=True)
    transport_id = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    document = models.OneToOneField("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="received_package")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # A request (BussinessDocType 1 a recall, 2 an update): the package it is about, received from the same sender.
    original = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="requests")
    # An accepted update: what it changed, {field: [before, after]} (exchange.corrections).
    changes = models.JSONField(default=dict, blank=True)
    # A replacement (BussinessDocType 3) names the package it replaces in `original`; once the clerk
    # accepts it, it is a new document to register like any other.
    replacement_accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # A package is taken in once: by sender and DocumentId, and by its bytes (refusals aside).
            models.UniqueConstraint(fields=["agency", "sender_code", "edxml_document_id", "business_doc_type"], condition=~Q(state="refused"),
                                    name="exchange_inbox_once_per_document"),
            models.UniqueConstraint(fields=["agency", "sha256"], condition=~Q(state="refused"), name="exchange_inbox_once_per_content"),
        ]
        indexes = [models.Index(fields=["agency", "state", "-received_at", "-id"], name="exchange_inbox_list")]

    def __str__(self):
        return f"{self.edxml_document_id or self.sha256[:12]} ({self.state})"

    @property
    def is_request(self) -> bool:
        """A recall, an update or a replacement of an earlier package, for the clerk to accept or refuse
        (a replacement accepted is then registered). An update imported from another system's file,
        or a replacement of something never received here, names nothing of ours: a document to register."""
        if self.original_id is None:
            return False
        if self.business_doc_type == BUSINESS_REPLACE:
            return self.replacement_accepted_at is None
        return self.business_doc_type in (BUSINESS_RECALL, BUSINESS_UPDATE)

    @property
    def is_replacement(self) -> bool:
        return self.business_doc_type == BUSINESS_REPLACE and self.original_id is not None

    @property
    def is_recall(self) -> bool:
        return self.is_request and self.business_doc_type == BUSINESS_RECALL

    @property
    def is_update(self) -> bool:
        return self.is_request and self.business_doc_type == BUSINESS_UPDATE

    @property
    def reference(self) -> str:
        """Số, ký hiệu as printed (123/QĐ-UBND, or 127-QĐ/TW for a Party notation), as on documents."""
        if not self.code_notation:
            return self.code_number
        from vanphong.documents.notation import join_reference

        return join_reference(self.code_number, self.code_notation, party="/" in self.code_notation)


class Replacement(models.Model):
    """An outgoing document that replaces one issued earlier (BussinessDocType 3): drafted from the old
    one's page; once issued, its packages name the old one in ReplacementInfoList."""

    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, related_name="replacement_of")
    replaced = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="replacements")
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.document_id} replaces {self.replaced_id}"


class LocalMailbox(models.Model):
    """What the local transport holds for an agency hosted here until its inbox fetches and
    acknowledges it: bytes only, as any other transport would carry them."""

    agency_code = models.CharField(max_length=60, db_index=True)
    sender_code = models.CharField(max_length=60)
    message_type = models.CharField(max_length=6)
    doc_id = models.CharField(max_length=200, blank=True)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class Reply(models.Model):
    """An outgoing document that answers a document received through the exchange, drafted from the received
    document's page and addressed to its sender; once issued, its package names the received one in ResponseFor,
    so that the sender's system can put the answer with what it asked (a consultation's answers)."""

    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, related_name="reply_to")
    answered = models.ForeignKey(InboundPackage, on_delete=models.PROTECT, related_name="replies")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.document_id} answers {self.answered_id}"
