"""Reads of the certificate authority. Lists are for CA operators; the public status services
(CRL, OCSP, TSA) read only what every verifier may know."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core.errors import NotFound, ValidationError
from vanphong.pki.models import Certificate, CertificateAuthority
from vanphong.pki.permissions import require_ca_operator

_SERIAL = re.compile(r"^(0x)?[0-9a-f]{1,40}$")


def parse_serial(text: str) -> str:
    """A serial as people copy it: hexadecimal, any case, with or without colons or spaces
    (as `openssl x509 -serial` prints it). Returns the stored form."""
    cleaned = re.sub(r"[\s:]", "", text or "").lower()
    if not _SERIAL.match(cleaned):
        raise ValidationError(_("“%(serial)s” is not a certificate serial number (hexadecimal).") % {"serial": text})
    return format(int(cleaned, 16), "x")


def certificates(reader, *, status: str = "", profile: str = "") -> QuerySet[Certificate]:
    require_ca_operator(reader)
    qs = Certificate.objects.select_related("ca", "holder_person", "holder_agency")
    if status:
        qs = qs.filter(status=status)
    if profile:
        qs = qs.filter(profile=profile)
    return qs


def certificate_by_serial(reader, serial: str) -> Certificate:
    require_ca_operator(reader)
    try:
        return Certificate.objects.select_related("ca").get(serial=parse_serial(serial))
    except Certificate.DoesNotExist:
        raise NotFound(_("No certificate has the serial number %(serial)s.") % {"serial": serial}) from None


def own_certificates(person) -> QuerySet[Certificate]:
    """An official's own certificates (for the pages of a later increment)."""
    return Certificate.objects.filter(holder_person=person).select_related("ca")


def certificate_authorities(reader) -> QuerySet[CertificateAuthority]:
    require_ca_operator(reader)
    return CertificateAuthority.objects.select_related("issuer")


def active_issuing_ca() -> CertificateAuthority | None:
    return CertificateAuthority.objects.filter(kind=CertificateAuthority.Kind.ISSUING, is_active=True).first()


def active_root_ca() -> CertificateAuthority | None:
    return CertificateAuthority.objects.filter(kind=CertificateAuthority.Kind.ROOT, is_active=True).first()


def published_ca(slug: str) -> CertificateAuthority:
    """A CA whose certificate and CRL are public."""
    try:
        return CertificateAuthority.objects.get(slug=slug)
    except CertificateAuthority.DoesNotExist:
        raise NotFound() from None


def service_certificate(ca: CertificateAuthority, profile: str) -> Certificate | None:
    """The newest valid certificate of `profile` issued by `ca` whose key this instance holds:
    the OCSP signer of `ca`, or the time-stamping certificate."""
    return (
        Certificate.objects.filter(ca=ca, profile=profile, status=Certificate.Status.VALID, not_after__gt=timezone.now())
        .exclude(private_key="")
        .order_by("-not_after")
        .first()
    )
