"""Reads of the certificate authority. Lists are for CA operators; the public status services
(CRL, OCSP, TSA) read only what every verifier may know."""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core.errors import NotFound, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.core.text import normalize
from vanphong.org.models import Agency, Person, Role
from vanphong.pki.models import Certificate, CertificateAuthority
from vanphong.pki.permissions import require_ca_operator

# The CAs this process has loaded, with their issuers, for issuing and signing. What those read of a CA (its name,
# certificate, key, validity, issuer) never changes once the CA is made, and reading it again cost more than the rest
# of a signature. Keyed by id and random serial: a database emptied and filled again can give another CA the same id.
# Nothing that changes (the CRL's number and dates, is_active) is to be read from these copies.
_loaded_cas: dict[tuple[int, str], CertificateAuthority] = {}
_loaded_cas_lock = threading.Lock()


def loaded_ca(ca_id: int, ca_serial: str) -> CertificateAuthority:
    key = (ca_id, ca_serial)
    ca = _loaded_cas.get(key)
    if ca is None:
        ca = CertificateAuthority.objects.select_related("issuer").defer("crl_der", "issuer__crl_der").get(pk=ca_id)
        with _loaded_cas_lock:
            ca = _loaded_cas.setdefault(key, ca)
    return ca


_SERIAL = re.compile(r"^(0x)?[0-9a-f]{1,40}$")
# Fewer hexadecimal digits than this are searched as words of the subject ("cafe", "bac").
MIN_SERIAL_SEARCH = 8


def parse_serial(text: str) -> str:
    """A serial as people copy it: hexadecimal, any case, with or without colons or spaces
    (as `openssl x509 -serial` prints it). Returns the stored form."""
    cleaned = re.sub(r"[\s:]", "", text or "").lower()
    if not _SERIAL.match(cleaned):
        raise ValidationError(_("“%(serial)s” is not a certificate serial number (hexadecimal).") % {"serial": text})
    return format(int(cleaned, 16), "x")


def certificates(reader, *, status: str = "", profile: str = "", query: str = "", expiring_within_days: int | None = None,
                 now=None) -> QuerySet[Certificate]:
    """Every certificate the CA issued, newest first. `query` finds a serial (as people copy it)
    or words of the subject; `expiring_within_days` keeps the valid ones that expire within so
    many days and are not expired yet."""
    require_ca_operator(reader)
    qs = Certificate.objects.select_related("ca", "holder_person", "holder_agency").order_by("-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    if profile:
        qs = qs.filter(profile=profile)
    if expiring_within_days is not None:
        now = now or timezone.now()
        qs = qs.filter(status=Certificate.Status.VALID, not_after__gt=now, not_after__lte=now + dt.timedelta(days=expiring_within_days))
    query = normalize(query or "")
    if query:
        # A serial (as long as people copy one) is found by its unique index; anything else in
        # the subject (RFC 4514: CN, O, C), which holds the common name.
        serial = _looks_like_serial(query)
        qs = qs.filter(serial=serial) if serial else qs.filter(subject__icontains=query)
    return qs


def _looks_like_serial(text: str) -> str | None:
    if len(re.sub(r"[\s:]", "", text)) < MIN_SERIAL_SEARCH:
        return None
    try:
        return parse_serial(text)
    except ValidationError:
        return None


def certificate_by_serial(reader, serial: str) -> Certificate:
    require_ca_operator(reader)
    try:
        return Certificate.objects.select_related("ca").get(serial=parse_serial(serial))
    except Certificate.DoesNotExist:
        raise NotFound(_("No certificate has the serial number %(serial)s.") % {"serial": serial}) from None


def certificate_for_operator(reader, serial: str) -> Certificate:
    """One certificate for its page, with the CA chain it hangs from."""
    require_ca_operator(reader)
    try:
        return (Certificate.objects.select_related("ca", "ca__issuer", "holder_person", "holder_person__agency", "holder_agency",
                                                   "renewal_of")
                .get(serial=parse_serial(serial)))
    except (Certificate.DoesNotExist, ValidationError):
        raise NotFound(_("No certificate has the serial number %(serial)s.") % {"serial": serial}) from None


def renewals_of(reader, certificate: Certificate) -> QuerySet[Certificate]:
    require_ca_operator(reader)
    return certificate.renewals.order_by("-created_at")


def own_certificates(person) -> QuerySet[Certificate]:
    """The certificates issued to `person`: those the system holds for them and those whose key
    they were given or brought. Newest first."""
    return Certificate.objects.filter(holder_person=person).select_related("ca").order_by("-not_after", "-pk")


def holders(reader) -> QuerySet[Person]:
    """Who an official's certificate may name: the active people of the agencies this instance
    hosts (the operator's network). People of other instances get theirs from their own CA."""
    require_ca_operator(reader)
    return (Person.objects.filter(is_active=True, agency__hosted=True, agency__is_active=True)
            .select_related("agency").order_by("agency__name", "sort_name", "pk"))


def seal_agencies(reader) -> QuerySet[Agency]:
    """The agencies whose seal this CA certifies: those hosted here."""
    require_ca_operator(reader)
    return Agency.objects.filter(hosted=True, is_active=True).order_by("name", "pk")


def operations(reader, *, action: str = "") -> QuerySet[AuditRecord]:
    """The audit records of the certificate authority (set-up, issuance, renewal, revocation,
    CRLs), newest first; `action` keeps one kind."""
    require_ca_operator(reader)
    qs = AuditRecord.objects.filter(action__startswith="pki.").select_related("actor").order_by("-seq")
    if action:
        qs = qs.filter(action=action)
    return qs


@dataclass(frozen=True)
class ExpiryNotice:
    """What the shell tells a person about their certificates: `expiring` is the valid one that
    expires within the warning period (when no later one replaces it), `lapsed` says that their
    newest certificate is expired or revoked and none valid is left."""

    expiring: Certificate | None
    lapsed: Certificate | None

    @property
    def days_left(self) -> int:
        return max(0, (self.expiring.not_after - timezone.now()).days) if self.expiring else 0

    def __bool__(self):
        return bool(self.expiring or self.lapsed)


def expiry_notice(person, *, now=None) -> ExpiryNotice:
    """One query on the holder index: the person's certificates, newest last to expire first.
    Only officials' certificates count: they are the ones a person signs with."""
    now = now or timezone.now()
    if not (person and person.is_authenticated):
        return ExpiryNotice(None, None)
    rows = list(Certificate.objects.filter(holder_person_id=person.pk, profile="official")
                .only("serial", "common_name", "status", "not_after", "revoked_at", "profile", "ca_id")
                .order_by("-not_after")[:20])
    valid = [c for c in rows if c.status == Certificate.Status.VALID and c.not_after > now]
    if not valid:
        return ExpiryNotice(None, rows[0] if rows else None)
    latest = valid[0]
    warning = dt.timedelta(days=settings.VANPHONG_CERTIFICATE_WARNING_DAYS)
    return ExpiryNotice(latest if latest.not_after <= now + warning else None, None)


def ca_operators_to_ask(person) -> list[Person]:
    """Whom a person asks for a new certificate: the CA operators of their own agency, or else
    those of the instance."""
    operators = Person.objects.filter(is_active=True, roles__code=Role.Code.CA_OPERATOR).order_by("sort_name", "pk")
    own = list(operators.filter(agency_id=person.agency_id)[:3])
    return own or list(operators.select_related("agency")[:3])


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
