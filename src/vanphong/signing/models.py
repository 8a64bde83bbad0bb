"""Roots of trust for verifying signatures, beyond this instance's own CAs.

Our own root CAs (pki.CertificateAuthority) are always trusted. An administrator adds the root
certificates of other authorities whose signatures arrive here (another instance, the national
CA), through signing.services.add_trusted_root.
"""

from __future__ import annotations

from functools import cached_property

from cryptography import x509
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrustedRoot(models.Model):
    name = models.CharField(_("name"), max_length=200)
    certificate_pem = models.TextField(_("certificate"))
    # SHA-256 of the DER certificate, lower-case hex: the same root cannot be added twice.
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    not_after = models.DateTimeField(_("valid until"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("trusted root certificate")
        verbose_name_plural = _("trusted root certificates")

    def __str__(self):
        return self.name

    @cached_property
    def x509(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))


class DocumentSignature(models.Model):
    """One signature made on a document's main file from its page: the official's, or the agency's
    seal applied by a clerk. The signed PDF is a new attachment of the document; the file it was
    made from stays as it was (a DOCX is converted to PDF first)."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official's signature")
        SEAL = "seal", _("Agency seal")

    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="signatures", verbose_name=_("document"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.ForeignKey("documents.Attachment", on_delete=models.PROTECT, related_name="+", verbose_name=_("signed file"))
    result = models.OneToOneField("documents.Attachment", on_delete=models.PROTECT, related_name="made_by_signature",
                                  verbose_name=_("file with the signature"))
    certificate = models.ForeignKey("pki.Certificate", on_delete=models.PROTECT, related_name="+", verbose_name=_("certificate"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by"))
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    level = models.CharField(_("level"), max_length=6)
    sha256_before = models.CharField(max_length=64)
    sha256_after = models.CharField(max_length=64)
    converted_from = models.CharField(_("converted from"), max_length=10, blank=True)  # "docx" when LibreOffice made the PDF

    class Meta:
        ordering = ["pk"]
        verbose_name = _("signature on a document")
        verbose_name_plural = _("signatures on documents")


class PaperOriginal(models.Model):
    """An outgoing draft signed by hand on paper: its file is a scan, issued without a digital
    signature (signing.document_services.mark_signed_on_paper)."""

    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, related_name="paper_original")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)


class AttachmentVerification(models.Model):
    """The verification report of a PDF attachment, computed by the background worker when the
    file is stored and again on request. `report` is verification.Report as JSON."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Done")
        UNREADABLE = "unreadable", _("Unreadable")

    attachment = models.OneToOneField("documents.Attachment", on_delete=models.CASCADE, related_name="verification")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    signed = models.BooleanField(default=False)
    valid = models.BooleanField(default=False)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verification report")
        verbose_name_plural = _("verification reports")


class XmlSignaturePolicy(models.Model):
    """How XML signatures from other systems are judged: one row, which an administrator changes
    (signing.xml_services.set_sha1_accepted). Without a row, the strict default applies."""

    accept_sha1 = models.BooleanField(
        _("accept SHA-1 XML signatures"), default=False,
        help_text=_("Some systems still sign edXML packages with RSA-SHA1 and SHA-1 digests. Accepted, such signatures are "
                    "flagged as weak in every report."))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("XML signature policy")
        verbose_name_plural = _("XML signature policy")
