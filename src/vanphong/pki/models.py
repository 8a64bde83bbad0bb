"""The certificate authority: its CAs and every certificate they issued.

Certificates are kept as PEM with the columns needed to find and show them (serial, profile,
subject, holder, validity, status). The PEM is the truth; the columns are copied from it at issue.
"""

from __future__ import annotations

from functools import cached_property

from cryptography import x509
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanphong.pki import keys, profiles


class KeyAlgorithm(models.TextChoices):
    RSA3072 = keys.RSA3072, _("RSA 3072-bit")
    P256 = keys.P256, _("ECDSA P-256")


class KeyBackend(models.TextChoices):
    SOFTWARE = keys.SOFTWARE, _("Encrypted in the database")
    PKCS11 = keys.PKCS11, _("In a hardware security module (PKCS#11)")


class RevocationReason(models.TextChoices):
    """RFC 5280 CRLReason, named as in the RFC (and openssl). certificateHold is left out: a
    revocation here is final."""

    UNSPECIFIED = "unspecified", _("Unspecified")
    KEY_COMPROMISE = "keyCompromise", _("Key compromised")
    CA_COMPROMISE = "cACompromise", _("CA compromised")
    AFFILIATION_CHANGED = "affiliationChanged", _("Holder's affiliation changed")
    SUPERSEDED = "superseded", _("Superseded by another certificate")
    CESSATION_OF_OPERATION = "cessationOfOperation", _("No longer needed")
    PRIVILEGE_WITHDRAWN = "privilegeWithdrawn", _("Privilege withdrawn")

    @property
    def flag(self) -> x509.ReasonFlags:
        return x509.ReasonFlags(self.value)


class HeldKey(models.Model):
    """A private key that this instance holds and signs with (CAs, its OCSP signer and TSA).
    Holders' certificates leave both fields empty: their keys are theirs."""

    key_backend = models.CharField(_("key storage"), max_length=20, choices=KeyBackend.choices, blank=True)
    # Software: encrypted PKCS#8 PEM. An HSM backend stores its key's reference (a PKCS#11 URI).
    private_key = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    def signing_key(self) -> keys.SigningKey:
        return keys.load(self.key_backend, self.private_key)


class CertificateAuthority(HeldKey):
    class Kind(models.TextChoices):
        ROOT = "root", _("Root CA")
        ISSUING = "issuing", _("Issuing CA")

    slug = models.SlugField(_("short name"), max_length=80, unique=True, help_text=_("Names the CA in its public URLs."))
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    issuer = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="subordinates",
                               verbose_name=_("issuer"))
    key_algorithm = models.CharField(_("key algorithm"), max_length=10, choices=KeyAlgorithm.choices)
    serial = models.CharField(_("serial number"), max_length=40)
    certificate_pem = models.TextField(_("certificate"))
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    # Only the CAs of the latest `ca init` issue; older ones keep publishing status for theirs.
    is_active = models.BooleanField(_("issues new certificates"), default=True)
    crl_number = models.PositiveBigIntegerField(_("last CRL number"), default=0)
    crl_next_update = models.DateTimeField(_("next CRL update"), null=True, blank=True)
    crl_der = models.BinaryField(default=b"", editable=False)  # the CRL being published
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "kind"]
        verbose_name = _("certificate authority")
        verbose_name_plural = _("certificate authorities")

    def __str__(self):
        return self.name

    @cached_property
    def x509(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))

    @property
    def crl_url(self) -> str:
        return f"{settings.VANPHONG_PUBLIC_URL}/pki/crl/{self.slug}.crl"

    @property
    def certificate_url(self) -> str:
        return f"{settings.VANPHONG_PUBLIC_URL}/pki/ca/{self.slug}.crt"


def ocsp_url() -> str:
    return f"{settings.VANPHONG_PUBLIC_URL}/pki/ocsp"


def tsa_url() -> str:
    return f"{settings.VANPHONG_PUBLIC_URL}/pki/tsa"


class Certificate(HeldKey):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    ca = models.ForeignKey(CertificateAuthority, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("issued by"))
    # Lower-case hexadecimal, no leading zeros. Random 159-bit numbers, unique over all CAs so
    # that a serial alone names a certificate (`vanphong ca revoke SERIAL`).
    serial = models.CharField(_("serial number"), max_length=40, unique=True)
    profile = models.CharField(_("profile"), max_length=20, choices=profiles.choices())
    subject = models.CharField(_("subject"), max_length=500)
    common_name = models.CharField(_("common name"), max_length=64)
    holder_person = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="certificates",
                                      verbose_name=_("person"))
    holder_agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="certificates",
                                      verbose_name=_("agency"))
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"), db_index=True)
    certificate_pem = models.TextField(_("certificate"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=30, choices=RevocationReason.choices, blank=True)
    renewal_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals",
                                   verbose_name=_("renews"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [
            models.Index(fields=["ca", "status"], name="pki_cert_ca_status"),
            # The operator's list, newest first, pages without sorting every certificate.
            models.Index(fields=["-created_at", "-id"], name="pki_cert_newest"),
            # The shell's expiry banner on every page: a person's signing certificates, latest expiry first.
            models.Index(fields=["holder_person", "profile", "-not_after"], name="pki_cert_holder_expiry"),
        ]

    def __str__(self):
        return f"{self.common_name} ({self.serial})"

    @cached_property
    def x509(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))

    @property
    def serial_number(self) -> int:
        return int(self.serial, 16)

    def issuers(self) -> list[CertificateAuthority]:
        """The CAs above this certificate: its issuing CA first, the root last."""
        chain, ca = [], self.ca
        while ca is not None:
            chain.append(ca)
            ca = ca.issuer
        return chain

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.not_after


def serial_text(number: int) -> str:
    return format(number, "x")
