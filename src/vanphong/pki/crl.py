"""Certificate revocation lists: what one says and when the next is due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vanphong.pki.models import Certificate, CertificateAuthority, RevocationReason

# A CRL promises the next one within a day. It is re-issued at half-life, so verifiers that cache
# it never hold an expired one, and at once on every revocation.
LIFETIME = dt.timedelta(hours=24)


def is_due(ca: CertificateAuthority, now: dt.datetime) -> bool:
    return not ca.crl_der or ca.crl_next_update is None or now >= ca.crl_next_update - LIFETIME / 2


def build(ca: CertificateAuthority, revoked: Iterable[Certificate], *, number: int, now: dt.datetime) -> tuple[bytes, dt.datetime]:
    """(DER, next update). A reason of "unspecified" is left out, as RFC 5280 §5.3.1 asks."""
    next_update = now + LIFETIME
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.x509.subject)
        .last_update(now)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.x509.public_key()), critical=False)
    )
    for cert in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(cert.serial_number).revocation_date(cert.revoked_at)
        if cert.revocation_reason and cert.revocation_reason != RevocationReason.UNSPECIFIED:
            entry = entry.add_extension(x509.CRLReason(RevocationReason(cert.revocation_reason).flag), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    crl = ca.signing_key().sign_builder(builder)
    return crl.public_bytes(serialization.Encoding.DER), next_update
