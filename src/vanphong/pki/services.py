"""Every change to the certificate authority: set-up, issuance, renewal, revocation, CRLs.

Each function a person calls checks that they are a CA operator (`actor` None is the trusted
command line), validates, writes in one transaction and appends an audit record. Bad input raises
ValidationError and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.core.errors import ValidationError
from vanphong.core.text import fold, normalize
from vanphong.org.models import Agency, Person
from vanphong.pki import certbuilder, crl, csr, keys, ocsp, profiles, selectors
from vanphong.pki.models import Certificate, CertificateAuthority, KeyAlgorithm, RevocationReason, serial_text
from vanphong.pki.permissions import require_ca_operator

# PBKDF2 rounds for PKCS#12 files given to holders: the passphrase is all that protects the key.
PKCS12_KDF_ROUNDS = 200_000
MIN_PASSPHRASE_LENGTH = 8
# Held service certificates (OCSP signers, the TSA) are replaced this long before they expire.
SERVICE_RENEWAL_MARGIN = dt.timedelta(days=30)
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass
class Issued:
    certificate: Certificate
    pkcs12: bytes | None = None  # the holder's key and certificate chain, when the key was generated here


def _now() -> dt.datetime:
    # X.509 times have whole seconds: the rows then say exactly what the certificates say.
    return timezone.now().replace(microsecond=0)


def _fits_common_name(text: str) -> bool:
    # cryptography counts the 64-character limit of RFC 5280 in UTF-8 bytes.
    return 0 < len(text.encode("utf-8")) <= 64


def _new_serial() -> int:
    """159 random bits (CA/Browser Forum: at least 64). Two alike are as likely as guessing a key;
    the unique serial columns would still refuse the second, so nothing is looked up first
    (two queries, a fifth of an issuance)."""
    return x509.random_serial_number()


# ---- the CAs ------------------------------------------------------------------------------------


@transaction.atomic
def init_ca(actor, *, name: str = "VănPhòng", algorithm: str = keys.P256, force: bool = False, hsm=None, request=None):
    """Create a root CA, an issuing CA under it, an OCSP signer for each and the time-stamping
    certificate. Refused when a CA exists, unless `force`: then the old CAs stop issuing but keep
    publishing the status of what they issued. With `hsm` (a pki.hsm.Token) every one of their keys
    is made in that token and never leaves it. Returns (root, issuing)."""
    require_ca_operator(actor)
    name = normalize(name or "")
    if not name or len(name) > 64:
        raise ValidationError(_("Give the certificate authority a name of 1 to 64 characters."))
    if algorithm not in KeyAlgorithm.values:
        raise ValidationError(_("Unknown key algorithm “%(algorithm)s”. Choose rsa3072 or p256.") % {"algorithm": algorithm})
    active = CertificateAuthority.objects.select_for_update().filter(is_active=True)
    if active.exists() and not force:
        raise ValidationError(_("A certificate authority already exists. To replace it, initialise again with force: "
                                "the old one stops issuing but keeps publishing the status of its certificates."))
    retired = [ca.slug for ca in active]
    active.update(is_active=False)
    # A forced re-initialisation makes a new generation, told apart by " G2", "-g2" and so on.
    generation = CertificateAuthority.objects.filter(kind=CertificateAuthority.Kind.ROOT).count() + 1
    tag = "" if generation == 1 else f"g{generation}"
    base_slug = slugify(fold(name)) or "ca"
    now = _now()
    if hsm is not None:
        from vanphong.pki.hsm import Pkcs11Backend

        backend = Pkcs11Backend(hsm)
    else:
        backend = keys.default_backend()
    root = _create_ca(name, f"Root CA {tag.upper()}".strip(), "-".join(filter(None, [base_slug, "root", tag])),
                      profiles.ROOT_CA, algorithm, issuer=None, now=now, backend=backend)
    issuing = _create_ca(name, f"Issuing CA {tag.upper()}".strip(), "-".join(filter(None, [base_slug, "issuing", tag])),
                         profiles.ISSUING_CA, algorithm, issuer=root, now=now, backend=backend)
    audit.record("pki.ca.initialised", actor=actor, target=issuing, request=request,
                 data={"root": root.slug, "issuing": issuing.slug, "algorithm": algorithm, "replaced": retired,
                       "key_storage": backend.name, "hsm_token": hsm.label if hsm is not None else ""})
    for ca in (root, issuing):
        _ensure_service_certificates(ca, now=now, actor=actor, request=request)
        publish_crl(ca, now=now)
    return root, issuing


def _create_ca(base_name, role, slug, profile, algorithm, *, issuer, now, backend: keys.Backend) -> CertificateAuthority:
    common_name = f"{base_name} {role}" if _fits_common_name(f"{base_name} {role}") else role
    subject = certbuilder.name(common_name=common_name, organization=base_name)
    reference, key = backend.generate(algorithm)
    serial = _new_serial()
    not_after = now + dt.timedelta(days=profile.validity_days)
    if issuer is not None:
        not_after = min(not_after, issuer.not_after)
    cert = certbuilder.build(profile=profile, subject=subject, public_key=key.public_key(), serial=serial, not_after=not_after,
                             issuer=issuer, signer=issuer.signing_key() if issuer else key, now=now)
    return CertificateAuthority.objects.create(
        slug=slug, name=common_name, kind=CertificateAuthority.Kind.ROOT if issuer is None else CertificateAuthority.Kind.ISSUING,
        issuer=issuer, key_algorithm=algorithm, serial=serial_text(serial), key_backend=backend.name, private_key=reference,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
    )


def _ensure_service_certificates(ca: CertificateAuthority, *, now, actor=None, request=None) -> list[Certificate]:
    """Give `ca` an OCSP signer, and the active issuing CA the time-stamping certificate, when it
    has none valid for longer than the renewal margin. Returns those issued."""
    organization = ca.x509.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)[0].value
    # (profile, common name, shorter name if that is too long): each CA's responder is named after it.
    wanted = [("ocsp-signer", f"{ca.name} OCSP Responder", "OCSP Responder")]
    if ca.kind == CertificateAuthority.Kind.ISSUING and ca.is_active:
        wanted.append(("timestamping", f"{organization} Time-Stamping Authority", "Time-Stamping Authority"))
    issued = []
    for profile_code, label, short_label in wanted:
        current = selectors.service_certificate(ca, profile_code)
        if current is not None and (current.not_after > now + SERVICE_RENEWAL_MARGIN or current.not_after >= ca.not_after):
            continue  # still valid long enough, or already lasting as long as its CA
        subject = certbuilder.name(common_name=label if _fits_common_name(label) else short_label, organization=organization)
        backend = keys.backend_like(ca.key_backend, ca.private_key)
        reference, key = backend.generate(ca.key_algorithm)
        cert = _issue(ca, profiles.PROFILES[profile_code], subject, key.public_key(), now=now, renewal_of=current,
                      key_backend=backend.name, private_key=reference)
        audit.record("pki.certificate.issued", actor=actor, target=cert, request=request,
                     data={"serial": cert.serial, "profile": profile_code, "subject": cert.subject, "ca": ca.slug, "held_key": True})
        issued.append(cert)
    return issued


def _issue(ca: CertificateAuthority, profile: profiles.Profile, subject: x509.Name, public_key, *, now, dns_names=(), ip_addresses=(),
           holder_person=None, holder_agency=None, renewal_of=None, key_backend="", private_key="") -> Certificate:
    cert = _certified(ca, profile, subject, public_key, now=now, dns_names=dns_names, ip_addresses=ip_addresses,
                      holder_person=holder_person, holder_agency=holder_agency, renewal_of=renewal_of, key_backend=key_backend,
                      private_key=private_key)
    cert.save(force_insert=True)
    return cert


def _certified(ca: CertificateAuthority, profile: profiles.Profile, subject: x509.Name, public_key, *, now, dns_names=(),
               ip_addresses=(), holder_person=None, holder_agency=None, renewal_of=None, key_backend="",
               private_key="", signer: keys.SigningKey | None = None) -> Certificate:
    """The certificate signed by `ca` (with `signer`, its key, when the caller has it already), as a row not yet saved."""
    if now >= ca.not_after:
        raise ValidationError(_("The certificate authority %(ca)s has expired: it can issue nothing more.") % {"ca": ca.name})
    serial = _new_serial()
    not_after = min(now + dt.timedelta(days=profile.validity_days), ca.not_after)
    cert = certbuilder.build(profile=profile, subject=subject, public_key=public_key, serial=serial, not_after=not_after,
                             issuer=ca, signer=signer or ca.signing_key(), now=now, dns_names=dns_names, ip_addresses=ip_addresses)
    common_names = subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return Certificate(
        ca=ca, serial=serial_text(serial), profile=profile.code, subject=subject.rfc4514_string()[:500],
        common_name=str(common_names[0].value) if common_names else "", holder_person=holder_person, holder_agency=holder_agency,
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        renewal_of=renewal_of, key_backend=key_backend, private_key=private_key,
    )


def _issuing_ca() -> CertificateAuthority:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, serial FROM {CertificateAuthority._meta.db_table} WHERE kind = %s AND is_active ORDER BY id LIMIT 1",
                       [CertificateAuthority.Kind.ISSUING])
        row = cursor.fetchone()
    if row is None:
        raise ValidationError(_("There is no certificate authority yet: initialise it first (vanphong ca init)."))
    return selectors.loaded_ca(*row)  # which CA issues is asked every time, so that a new `ca init` takes effect at once


# ---- issuance -------------------------------------------------------------------------------------


@dataclass
class _Request:
    """What a caller asks for, checked against the profile."""

    profile: profiles.Profile
    subject: x509.Name
    dns_names: list[str]
    ip_addresses: list
    holder_person: Person | None
    holder_agency: Agency | None


def _check_request(profile_code: str, *, common_name: str, holder_person: Person | None, holder_agency: Agency | None,
                   dns_names: Iterable[str], ip_addresses: Iterable[str]) -> _Request:
    profile = profiles.get(profile_code)
    common_name = normalize(common_name or "")
    if holder_person is not None:
        if profile.holder != profiles.PERSON:
            raise ValidationError(_("Only an official's certificate names a person."))
        if not holder_person.is_active:
            raise ValidationError(_("%(name)s is no longer active.") % {"name": holder_person.full_name})
        if common_name and common_name != holder_person.full_name:
            raise ValidationError(_("An official's certificate carries the person's full name, %(name)s.") % {"name": holder_person.full_name})
        holder_agency, common_name = holder_person.agency, holder_person.full_name
    elif profile.holder == profiles.PERSON:
        raise ValidationError(_("An official's certificate must name the person it belongs to."))
    if profile.holder == profiles.AGENCY and holder_agency is None:
        raise ValidationError(_("A seal certificate must name the agency it belongs to."))
    if holder_agency is not None and not holder_agency.is_active:
        raise ValidationError(_("The agency %(name)s is no longer active.") % {"name": holder_agency.name})
    if not common_name and holder_agency is not None:
        common_name = holder_agency.name if _fits_common_name(holder_agency.name) else holder_agency.short_name
    if not common_name:
        raise ValidationError(_("Give the certificate's subject: the name it is issued to."))
    if not _fits_common_name(common_name):
        raise ValidationError(_("The subject “%(name)s” is too long for a certificate (64 bytes at most).") % {"name": common_name})
    organization = ""
    if holder_agency is not None:
        organization = holder_agency.name if len(holder_agency.name) <= 64 else holder_agency.short_name
    subject = certbuilder.name(
        common_name=common_name, organization=organization,
        # The seal names its agency by code (mã định danh), which is what the exchange looks up.
        organization_identifier=holder_agency.code if profile.holder == profiles.AGENCY else "",
    )
    dns, ips = _check_alt_names(dns_names, ip_addresses)
    if profile.needs_san and not (dns or ips):
        raise ValidationError(_("A TLS server certificate needs at least one DNS name or IP address."))
    return _Request(profile, subject, dns, ips, holder_person, holder_agency)


def _check_alt_names(dns_names: Iterable[str], ip_addresses: Iterable[str]):
    dns = []
    for raw in dns_names:
        text = (raw or "").strip().rstrip(".").lower()
        try:
            text = text.encode("idna").decode("ascii")  # Vietnamese domain names, as their xn-- form
        except UnicodeError:
            pass
        if not _DNS_NAME.match(text):
            raise ValidationError(_("“%(name)s” is not a valid DNS name.") % {"name": raw})
        dns.append(text)
    ips = []
    for raw in ip_addresses:
        try:
            ips.append(ipaddress.ip_address((raw or "").strip()))
        except ValueError:
            raise ValidationError(_("“%(address)s” is not a valid IP address.") % {"address": raw}) from None
    return list(dict.fromkeys(dns)), list(dict.fromkeys(ips))


def _issued_entry(actor, cert: Certificate, request, **extra) -> audit.Entry:
    return audit.Entry("pki.certificate.issued", actor=actor, agency=cert.holder_agency, target=cert, request=request,
                       data={"serial": cert.serial, "profile": cert.profile, "subject": cert.subject, "ca": cert.ca.slug,
                             "holder_person": cert.holder_person_id, **extra})


def _audit_issued(actor, cert: Certificate, request, **extra) -> None:
    audit.record_many([_issued_entry(actor, cert, request, **extra)])


@dataclass(frozen=True)
class CsrRequest:
    """One CSR to certify and what the operator says about it. `label` names it in error messages
    (its file name, say) when several are issued at once."""

    csr_data: bytes
    subject: str = ""
    holder_person: Person | None = None
    holder_agency: Agency | None = None
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    label: str = ""


# One batch is one transaction: large enough for the officials of a department, small enough that
# the operator's request answers in seconds.
MAX_BATCH = 1000
# A refused batch names this many of its bad entries, then how many more there are.
MAX_BATCH_ERRORS = 20


def check_batch_size(count: int) -> None:
    """Refuse a batch of more than MAX_BATCH before anything in it is read (the page, the command and the API ask too)."""
    if count > MAX_BATCH:
        raise ValidationError(_("At most %(count)d certificates are issued at once; this batch has %(given)d.")
                              % {"count": MAX_BATCH, "given": count})


def issue_from_csr(actor, *, profile: str, csr_data: bytes, subject: str = "", holder_person: Person | None = None,
                   holder_agency: Agency | None = None, dns_names: Iterable[str] = (), ip_addresses: Iterable[str] = (),
                   request=None) -> Certificate:
    """Certify the key of a CSR. The CA, not the CSR, decides the subject: the CSR's common name is
    used only when none is given, its DNS names and IP addresses only when none are given."""
    one = CsrRequest(csr_data, subject=subject, holder_person=holder_person, holder_agency=holder_agency,
                     dns_names=tuple(dns_names), ip_addresses=tuple(ip_addresses))
    return issue_batch_from_csrs(actor, profile=profile, requests=[one], request=request)[0]


@transaction.atomic
def issue_batch_from_csrs(actor, *, profile: str, requests: list[CsrRequest], request=None) -> list[Certificate]:
    """Certify every CSR of `requests` under one profile, all or none: one bad request refuses the
    batch, with a message per bad entry naming its label. One transaction, one insert of the
    certificates and one of their audit records (each certificate still has its own)."""
    require_ca_operator(actor)
    if not requests:
        raise ValidationError(_("Give at least one certificate signing request."))
    check_batch_size(len(requests))
    profiles.get(profile)  # an unknown profile is one error, not one per entry
    ca, now = _issuing_ca(), _now()
    signer = ca.signing_key()
    certificates, problems = [], []
    for entry in requests:
        try:
            certificates.append(_certified_request(ca, signer, profile, entry, now))
        except ValidationError as exc:
            if len(requests) == 1:
                raise
            problems.extend(f"{entry.label}: {message}" for message in exc.messages)
    if problems:
        raise refusal(problems)
    Certificate.objects.bulk_create(certificates, batch_size=500)
    audit.record_many([_issued_entry(actor, cert, request, source="csr") for cert in certificates])
    return certificates


def refusal(problems: list[str]) -> ValidationError:
    """A batch refused for `problems`: the first MAX_BATCH_ERRORS of them, then how many more there are."""
    shown = problems[:MAX_BATCH_ERRORS]
    if len(problems) > len(shown):
        shown.append(_("… and %(count)d more.") % {"count": len(problems) - len(shown)})
    return ValidationError(shown)


def _certified_request(ca: CertificateAuthority, signer: keys.SigningKey, profile: str, entry: CsrRequest, now) -> Certificate:
    signing_request = csr.load(entry.csr_data)
    csr.check_public_key(signing_request.public_key())
    dns_names, ip_addresses, subject = list(entry.dns_names), list(entry.ip_addresses), entry.subject
    if not dns_names and not ip_addresses:
        dns_names, ip_addresses = csr.requested_alt_names(signing_request)
    if not subject and profiles.get(profile).holder is None:  # a seal or an official is named after its holder
        subject = csr.requested_common_name(signing_request)
    checked = _check_request(profile, common_name=subject, holder_person=entry.holder_person, holder_agency=entry.holder_agency,
                             dns_names=dns_names, ip_addresses=ip_addresses)
    return _certified(ca, checked.profile, checked.subject, signing_request.public_key(), now=now,
                      dns_names=checked.dns_names, ip_addresses=checked.ip_addresses,
                      holder_person=checked.holder_person, holder_agency=checked.holder_agency, signer=signer)


def _check_passphrase(passphrase: str) -> None:
    if not passphrase or len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(_("The passphrase that protects the key must have at least %(count)d characters.")
                              % {"count": MIN_PASSPHRASE_LENGTH})


def _pkcs12(key, cert: Certificate, passphrase: str) -> bytes:
    """PKCS#12 with PBES2 (PBKDF2-SHA256, AES-256-CBC) for key and certificates and an HMAC-SHA256
    MAC: not the legacy RC2/3DES that old tools default to."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(PKCS12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase.encode("utf-8"))
    )
    chain = [ca.x509 for ca in cert.issuers()]
    return pkcs12.serialize_key_and_certificates(cert.common_name.encode("utf-8"), key, cert.x509, chain, encryption)


@transaction.atomic
def issue_with_generated_key(actor, *, profile: str, passphrase: str, subject: str = "", holder_person: Person | None = None,
                             holder_agency: Agency | None = None, dns_names: Iterable[str] = (), ip_addresses: Iterable[str] = (),
                             algorithm: str = "", request=None) -> Issued:
    """Generate the holder's key here and deliver it once, with its certificate and chain, as a
    PKCS#12 protected by `passphrase`. The key is not kept."""
    require_ca_operator(actor)
    _check_passphrase(passphrase)
    checked = _check_request(profile, common_name=subject, holder_person=holder_person, holder_agency=holder_agency,
                             dns_names=dns_names, ip_addresses=ip_addresses)
    ca = _issuing_ca()
    algorithm = algorithm or ca.key_algorithm
    if algorithm not in KeyAlgorithm.values:
        raise ValidationError(_("Unknown key algorithm “%(algorithm)s”. Choose rsa3072 or p256.") % {"algorithm": algorithm})
    key = keys.generate_private_key(algorithm)
    cert = _issue(ca, checked.profile, checked.subject, key.public_key(), now=_now(), dns_names=checked.dns_names,
                  ip_addresses=checked.ip_addresses, holder_person=checked.holder_person, holder_agency=checked.holder_agency)
    _audit_issued(actor, cert, request, source="generated_key", algorithm=algorithm)
    return Issued(cert, _pkcs12(key, cert, passphrase))


# Profiles whose key the instance may hold for its holder (server-side signing).
HELD_SIGNING_PROFILES = ("official", "agency-seal")


@transaction.atomic
def issue_with_held_key(actor, *, profile: str, holder_person: Person | None = None, holder_agency: Agency | None = None,
                        request=None) -> Certificate:
    """Certify a key that this instance generates and keeps for the holder, encrypted at rest like
    the CA keys (pki.keys), so that an official signs from the web page and the clerk applies the
    agency's seal without a token. signing.services uses it only for the holder: the signed-in
    official for an official's certificate, a clerk of the agency for its seal."""
    require_ca_operator(actor)
    if profile not in HELD_SIGNING_PROFILES:
        raise ValidationError(_("The system holds keys only for officials' and agency seal certificates."))
    checked = _check_request(profile, common_name="", holder_person=holder_person, holder_agency=holder_agency,
                             dns_names=(), ip_addresses=())
    ca = _issuing_ca()
    backend = keys.backend_like(ca.key_backend, ca.private_key)
    reference, key = backend.generate(ca.key_algorithm)
    cert = _issue(ca, checked.profile, checked.subject, key.public_key(), now=_now(), holder_person=checked.holder_person,
                  holder_agency=checked.holder_agency, key_backend=backend.name, private_key=reference)
    _audit_issued(actor, cert, request, source="held_key", algorithm=ca.key_algorithm)
    return cert


@transaction.atomic
def renew(actor, certificate: Certificate, *, csr_data: bytes | None = None, passphrase: str | None = None, request=None) -> Issued:
    """A new certificate with the same profile, subject, names and holder, and a fresh validity.
    The key: the CSR's if one is given; a new one delivered as PKCS#12 if a passphrase is given; a
    new held key for the instance's own service certificates; else the same key, certified again.
    The old certificate stays valid until it expires or is revoked."""
    require_ca_operator(actor)
    certificate = Certificate.objects.select_related("ca", "holder_person", "holder_agency").get(pk=certificate.pk)
    if certificate.status == Certificate.Status.REVOKED:
        raise ValidationError(_("A revoked certificate cannot be renewed: issue a new one."))
    if certificate.holder_person is not None and not certificate.holder_person.is_active:
        raise ValidationError(_("%(name)s is no longer active.") % {"name": certificate.holder_person.full_name})
    old = certificate.x509
    try:
        san = old.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns, ips = san.get_values_for_type(x509.DNSName), san.get_values_for_type(x509.IPAddress)
    except x509.ExtensionNotFound:
        dns, ips = [], []
    held = bool(certificate.private_key)
    # A service certificate must come from the CA it answers for; a holder's, from today's CA.
    ca = certificate.ca if held and certificate.profile not in HELD_SIGNING_PROFILES else _issuing_ca()
    key, key_backend, reference = None, "", ""
    if csr_data is not None:
        signing_request = csr.load(csr_data)
        csr.check_public_key(signing_request.public_key())
        public_key = signing_request.public_key()
    elif passphrase is not None:
        _check_passphrase(passphrase)
        key = keys.generate_private_key(ca.key_algorithm)
        public_key = key.public_key()
    elif held:
        backend = keys.backend_like(ca.key_backend, ca.private_key)
        reference, signing_key = backend.generate(ca.key_algorithm)
        key_backend, public_key = backend.name, signing_key.public_key()
    else:
        public_key = old.public_key()
    new = _issue(ca, profiles.get(certificate.profile), old.subject, public_key, now=_now(), dns_names=dns, ip_addresses=ips,
                 holder_person=certificate.holder_person, holder_agency=certificate.holder_agency, renewal_of=certificate,
                 key_backend=key_backend, private_key=reference)
    audit.record("pki.certificate.renewed", actor=actor, agency=new.holder_agency, target=new, request=request,
                 data={"serial": new.serial, "renews": certificate.serial, "profile": new.profile, "subject": new.subject,
                       "new_key": key is not None or csr_data is not None or held})
    return Issued(new, _pkcs12(key, new, passphrase) if key is not None else None)


# ---- revocation and status --------------------------------------------------------------------


@transaction.atomic
def revoke(actor, certificate: Certificate, *, reason: str, request=None) -> Certificate:
    """Revoke for an RFC 5280 reason and publish a new CRL at once. Final: a revoked certificate
    cannot be revoked again or restored."""
    require_ca_operator(actor)
    if reason not in RevocationReason.values:
        raise ValidationError(_("Unknown reason for revocation “%(reason)s”. Choose one of: %(choices)s.")
                              % {"reason": reason, "choices": ", ".join(RevocationReason.values)})
    certificate = Certificate.objects.select_for_update().select_related("ca").get(pk=certificate.pk)
    if certificate.status == Certificate.Status.REVOKED:
        raise ValidationError(_("This certificate was already revoked on %(date)s.")
                              % {"date": timezone.localtime(certificate.revoked_at).strftime("%d/%m/%Y %H:%M")})
    now = _now()
    certificate.status, certificate.revoked_at, certificate.revocation_reason = Certificate.Status.REVOKED, now, reason
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason"])
    ocsp.announce_status_change()
    audit.record("pki.certificate.revoked", actor=actor, agency=certificate.holder_agency, target=certificate, request=request,
                 data={"serial": certificate.serial, "reason": reason, "subject": certificate.subject})
    publish_crl(certificate.ca, now=now)
    return certificate


@transaction.atomic
def publish_crl(ca: CertificateAuthority, *, now=None) -> bytes:
    """Sign and store the next CRL of `ca`: every certificate it revoked. The system does this on
    each revocation and on schedule, so there is no actor."""
    now = now or _now()
    ca = CertificateAuthority.objects.select_for_update().get(pk=ca.pk)
    revoked = Certificate.objects.filter(ca=ca, status=Certificate.Status.REVOKED).order_by("revoked_at")
    number = ca.crl_number + 1
    der, next_update = crl.build(ca, revoked, number=number, now=now)
    ca.crl_der, ca.crl_number, ca.crl_next_update = der, number, next_update
    ca.save(update_fields=["crl_der", "crl_number", "crl_next_update"])
    audit.record("pki.crl.published", actor=None, target=ca, data={"ca": ca.slug, "number": number, "revoked": len(revoked)})
    return der


def current_crl(ca: CertificateAuthority) -> bytes:
    """The CRL to serve: the stored one, or a new one if it is past half its life (a worker
    normally refreshes it first; this keeps CRLs fresh on an instance whose worker is down)."""
    if not crl.is_due(ca, timezone.now()):
        return bytes(ca.crl_der)
    with transaction.atomic():
        ca = CertificateAuthority.objects.select_for_update().get(pk=ca.pk)
        if not crl.is_due(ca, timezone.now()):  # another request refreshed it while this one waited
            return bytes(ca.crl_der)
        return publish_crl(ca)


def refresh_status_services() -> dict[str, int]:
    """The scheduled upkeep: re-issue CRLs past half-life and replace service certificates
    (OCSP signers, TSA) that expire within the renewal margin. Returns what it did."""
    now = _now()
    done = {"crls": 0, "service_certificates": 0}
    for ca in CertificateAuthority.objects.filter(not_after__gt=now):
        with transaction.atomic():
            if crl.is_due(ca, now):
                publish_crl(ca, now=now)
                done["crls"] += 1
            done["service_certificates"] += len(_ensure_service_certificates(ca, now=now))
    return done
