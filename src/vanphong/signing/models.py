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
