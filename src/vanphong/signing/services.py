"""Signing PDFs and managing trusted roots: every use case one function.

Where officials' keys live: the system holds them (pki.services.issue_with_held_key), encrypted
at rest with the CA's key-encryption passphrase (pki.keys), and signs on the server. A held key
signs only for its holder: an official's for that official, signed in; an agency's seal for a
clerk of that agency (signing.permissions). Keys that holders keep themselves sign through a
PKCS#12 file and its passphrase (`vanphong sign`). Either way the certificate is checked first
(in its validity period, not revoked, issued under a root this system trusts) and a refusal
says which and why. Signatures made with held keys are audited.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp as x509_ocsp
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.core.errors import ValidationError
from vanphong.pki import ocsp, tsa
from vanphong.pki import services as pki_services
from vanphong.pki.models import Certificate, CertificateAuthority
from vanphong.signing import appearance, credentials, number_fields, pades, permissions, selectors
from vanphong.signing.models import TrustedRoot

OFFICIAL, SEAL = "Official", "Seal"  # signature field names: Official-1, Seal-1, …
MAX_CHAIN = 6


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def _name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


# ---- checks before signing ----------------------------------------------------------------------


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def chain_to_trusted_root(cert: x509.Certificate, extra: tuple = ()) -> list[x509.Certificate] | None:
    """The issuers from `cert` up to a trusted root (ours, or one an administrator added), or
    None when there is no such chain."""
    roots, intermediates = selectors.trust_anchors()
    return _chain_to(cert, tuple(roots), (*intermediates, *extra))


@lru_cache(maxsize=256)
def _chain_to(cert: x509.Certificate, roots: tuple, candidates: tuple) -> list[x509.Certificate] | None:
    """Cached: checking the issuers' signatures on every document would cost more than signing it."""
    chain, current = [], cert
    for _step in range(MAX_CHAIN):
        root = next((r for r in roots if _issued_by(current, r)), None)
        if root is not None:
            return [*chain, root]
        issuer = next((c for c in candidates if c != current and _issued_by(current, c)), None)
        if issuer is None:
            return None
        chain.append(issuer)
        current = issuer
    return None


def check_can_sign(creds: credentials.Credentials, *, row: Certificate | None = None, now=None) -> None:
    """Refuse a certificate that is expired or not yet valid, revoked, not for signing, or not
    from a certificate authority this system trusts."""
    now = now or timezone.now()
    cert, name = creds.certificate, creds.common_name
    if now >= cert.not_valid_after_utc:
        raise ValidationError(_("The certificate of %(name)s expired on %(date)s: it can no longer sign.")
                              % {"name": name, "date": _date(cert.not_valid_after_utc)})
    if now < cert.not_valid_before_utc:
        raise ValidationError(_("The certificate of %(name)s is valid only from %(date)s.")
                              % {"name": name, "date": _date(cert.not_valid_before_utc)})
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        signs = usage.digital_signature or usage.content_commitment
    except x509.ExtensionNotFound:
        signs = True
    if not signs:
        raise ValidationError(_("The certificate of %(name)s is not for signing documents.") % {"name": name})
    if not _chains_to_our_root(cert, row) and chain_to_trusted_root(cert, creds.chain) is None:
        raise ValidationError(_("The certificate of %(name)s was issued by “%(issuer)s”, which is not a certificate authority "
                                "this system trusts.") % {"name": name, "issuer": cert.issuer.rfc4514_string()})
    row = row or _our_row(cert)
    if row is not None and row.status == Certificate.Status.REVOKED:
        raise ValidationError(_("The certificate of %(name)s was revoked on %(date)s: it can no longer sign.")
                              % {"name": name, "date": _date(row.revoked_at)})


def _chains_to_our_root(cert: x509.Certificate, row: Certificate | None) -> bool:
    """Whether a certificate of ours chains, through the CAs its row names, to one of our roots: those are always trusted
    (selectors.trusted_root_certificates), so a held key needs no query of the trusted roots."""
    if row is None:
        return False
    cas, ca = [], row.ca
    while ca is not None and len(cas) < MAX_CHAIN:
        cas.append(ca)
        ca = ca.issuer
    if not cas or cas[-1].kind != CertificateAuthority.Kind.ROOT:
        return False
    return _chain_to(cert, (cas[-1].x509,), tuple(ca.x509 for ca in cas[:-1])) is not None


def _our_row(cert: x509.Certificate) -> Certificate | None:
    """The row of a certificate this instance issued (same serial, same issuer, same bytes)."""
    row = Certificate.objects.filter(serial=format(cert.serial_number, "x")).select_related("ca").first()
    if row is None or row.x509 != cert:
        return None
    return row


# ---- what B-T and B-LT need ---------------------------------------------------------------------


def _timestamp_responder(level: str) -> tsa.Responder | None:
    return tsa.responder() if level != pades.B_B else None


def _ocsp_response(cert: x509.Certificate, issuer: x509.Certificate) -> bytes:
    request = x509_ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
    return ocsp.respond(request.public_bytes(serialization.Encoding.DER))


def _revocation_data(creds: credentials.Credentials, level: str, responder: tsa.Responder | None) -> pades.RevocationData | None:
    """Our OCSP answers for the signer's and the TSA's certificates, and the CRLs of our CAs in
    their chains. Certificates from other authorities get their certificates only: the system
    does not fetch from outside."""
    if level not in (pades.B_LT, pades.B_LTA):
        return None
    data = pades.RevocationData()
    ours = {ca.x509.subject: ca for ca in CertificateAuthority.objects.all()}
    leaves = [creds.certificate]
    if responder is not None:
        tsa_cert = x509.load_der_x509_certificate(responder.certificate.dump())
        leaves.append(tsa_cert)
        data.certificates.append(tsa_cert)
    cas = {}
    for leaf in leaves:
        ca = ours.get(leaf.issuer)
        if ca is not None:
            data.ocsp_responses.append(_ocsp_response(leaf, ca.x509))
            while ca is not None:
                cas[ca.pk] = ca
                data.certificates.append(ca.x509)
                ca = ca.issuer
    data.crls = [pki_services.current_crl(ca) for ca in cas.values()]
    return data


# ---- signing ------------------------------------------------------------------------------------


def _next_field_name(writer, kind: str) -> str:
    taken = {name for name, _signed in pades.signature_fields(writer.prev)}
    n = 1
    while f"{kind}-{n}" in taken:
        n += 1
    return f"{kind}-{n}"


def _official_placement(writer) -> pades.Placement:
    last = pades.page_count(writer) - 1
    width, _height = pades.page_size(writer, last)
    return pades.Placement(last, appearance.official_box(width))


def _seal_placement(writer) -> pades.Placement:
    """Over the left third of the latest official's signature; without one (a digitised copy),
    at the top right of page 1, as STANDARDS.md says."""
    officials = [name for name, signed in pades.signature_fields(writer.prev) if signed and name.startswith(OFFICIAL + "-")]
    if officials:
        placed = pades.widget_placement(writer.prev, officials[-1])
        if placed is not None:
            return pades.Placement(placed.page, appearance.seal_box(placed.box))
    width, height = pades.page_size(writer, 0)
    size = appearance.SEAL_SIZE
    right, top = width - 15 * appearance.MM, height - 10 * appearance.MM
    return pades.Placement(0, (right - size, top - size, right, top))


def _sign(pdf: bytes, creds: credentials.Credentials, *, seal: bool, position: str, level: str, agency_short_name: str = "",
          row: Certificate | None = None, reserve_number: bool = False, number_values: dict | None = None) -> bytes:
    check_can_sign(creds, row=row)
    writer = pades.open_pdf(pdf)
    # In the signature's own revision: the official's covers the empty fields, the seal's fills them.
    if reserve_number and not seal:
        number_fields.reserve(writer, pdf)
    if number_values and seal:
        number_fields.fill(writer, number_values)
    responder = _timestamp_responder(level)
    revocation = _revocation_data(creds, level, responder)
    if seal:
        organisation = creds.certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
        agency_name = str(organisation[0].value) if organisation else creds.common_name
        style = appearance.SealStampStyle(agency_name=agency_name, short_name=agency_short_name)
        placement, kind = _seal_placement(writer), SEAL
    else:
        style = appearance.OfficialStampStyle(position=position, full_name=creds.common_name)
        placement, kind = _official_placement(writer), OFFICIAL
    signed_at = timezone.localtime().isoformat(timespec="seconds")
    return pades.sign(pdf, creds, field_name=_next_field_name(writer, kind), placement=placement, style=style, signed_at=signed_at,
                      level=level, responder=responder, revocation=revocation, writer=writer)


def _audit_signed(actor, row: Certificate, *, kind: str, level: str, before: bytes, after: bytes, request) -> None:
    audit.record("signing.pdf_signed", actor=actor, agency=row.holder_agency, target=row, request=request,
                 data={"serial": row.serial, "kind": kind, "level": level,
                       "sha256_unsigned": hashlib.sha256(before).hexdigest(), "sha256_signed": hashlib.sha256(after).hexdigest()})


def sign_as_official(actor, pdf: bytes, *, level: str = pades.B_T, position: str | None = None, reserve_number: bool = False,
                     request=None) -> bytes:
    """The signed-in official signs with the key the system holds for them: position, blue
    signature image, full name and signing time on the last page. `reserve_number`: a draft not
    yet numbered leaves the clerk empty fields for its number and date (signing.number_fields)."""
    row = selectors.held_official_certificate(actor) if actor is not None else None
    if row is None:
        raise ValidationError(_("You have no valid signing certificate held by the system: ask a CA operator to issue one."))
    permissions.require_official_key_holder(actor, row)
    signed = _sign(pdf, credentials.held(row), seal=False, position=actor.position if position is None else position, level=level,
                   row=row, reserve_number=reserve_number)
    _audit_signed(actor, row, kind="official", level=level, before=pdf, after=signed, request=request)
    return signed


def seal_certificate_for(actor) -> Certificate:
    """The seal certificate of the actor's agency whose key the system holds, for a clerk who keeps the seal."""
    agency = actor.agency
    permissions.require_seal_keeper(actor, agency)
    row = selectors.held_seal_certificate(agency)
    if row is None:
        raise ValidationError(_("%(agency)s has no valid seal certificate held by the system: ask a CA operator to issue one.")
                              % {"agency": agency.name})
    return row


def apply_seal(actor, pdf: bytes, *, level: str = pades.B_T, number_values: dict | None = None, request=None) -> bytes:
    """A clerk applies the agency's seal signature: the red seal over the left third of the
    official's signature (or at the top right of page 1 on a digitised copy). `number_values`
    fills the number and date fields the official's signature left (signing.number_fields)."""
    agency = actor.agency
    row = seal_certificate_for(actor)
    signed = _sign(pdf, credentials.held(row), seal=True, position="", level=level, agency_short_name=agency.short_name, row=row,
                   number_values=number_values)
    _audit_signed(actor, row, kind="seal", level=level, before=pdf, after=signed, request=request)
    return signed


def sign_with_pkcs12(pdf: bytes, pkcs12: bytes, passphrase: str, *, seal: bool = False, position: str = "",
                     level: str = pades.B_T) -> bytes:
    """Sign with a key its holder keeps in a PKCS#12 file (`vanphong sign`)."""
    return _sign(pdf, credentials.from_pkcs12(pkcs12, passphrase), seal=seal, position=position, level=level)


# ---- trusted roots ----------------------------------------------------------------------------------


def _load_certificate(data: bytes) -> x509.Certificate:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise ValidationError(_("The file is not an X.509 certificate (PEM or DER).")) from None


@transaction.atomic
def add_trusted_root(actor, data: bytes, *, name: str = "", request=None) -> TrustedRoot:
    """Trust signatures whose chain ends in this self-signed CA certificate."""
    permissions.require_trust_manager(actor)
    cert = _load_certificate(data)
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca or not _issued_by(cert, cert):
        raise ValidationError(_("Only a self-signed CA certificate can be a trusted root."))
    if timezone.now() >= cert.not_valid_after_utc:
        raise ValidationError(_("This root certificate expired on %(date)s.") % {"date": _date(cert.not_valid_after_utc)})
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    if TrustedRoot.objects.filter(fingerprint=fingerprint).exists() or any(r == cert for r in selectors.trusted_root_certificates()):
        raise ValidationError(_("This root certificate is trusted already."))
    root = TrustedRoot.objects.create(name=(name or _name(cert))[:200], certificate_pem=cert.public_bytes(serialization.Encoding.PEM)
                                      .decode("ascii"), fingerprint=fingerprint, not_after=cert.not_valid_after_utc,
                                      added_by=actor)
    audit.record("signing.trusted_root.added", actor=actor, target=root, request=request,
                 data={"name": root.name, "fingerprint": fingerprint, "subject": cert.subject.rfc4514_string()})
    return root


@transaction.atomic
def remove_trusted_root(actor, root: TrustedRoot, *, request=None) -> None:
    permissions.require_trust_manager(actor)
    audit.record("signing.trusted_root.removed", actor=actor, target=root, request=request,
                 data={"name": root.name, "fingerprint": root.fingerprint})
    root.delete()
