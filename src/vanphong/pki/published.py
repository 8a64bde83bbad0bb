"""What verifiers are told about a certificate: whether the CRL being published lists it, and what
the OCSP responder answers. The certificate page shows both, so that an operator sees a
revocation reach the public services, not only the database row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp as x509_ocsp

from vanphong.pki import ocsp, services
from vanphong.pki.models import Certificate

GOOD, REVOKED, UNKNOWN, NO_ANSWER = "good", "revoked", "unknown", "no-answer"


@dataclass(frozen=True)
class PublishedStatus:
    crl_number: int | None
    crl_next_update: dt.datetime | None
    crl_lists_it: bool
    crl_revoked_at: dt.datetime | None
    ocsp_status: str  # GOOD, REVOKED, UNKNOWN or NO_ANSWER (the responder could not answer)
    ocsp_revoked_at: dt.datetime | None


def published_status(certificate: Certificate) -> PublishedStatus:
    ca = certificate.ca
    crl = x509.load_der_x509_crl(services.current_crl(ca))
    entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    request = (x509_ocsp.OCSPRequestBuilder().add_certificate(certificate.x509, ca.x509, hashes.SHA256()).build()
               .public_bytes(serialization.Encoding.DER))
    answer = x509_ocsp.load_der_ocsp_response(ocsp.respond(request))
    status, revoked_at = NO_ANSWER, None
    if answer.response_status == x509_ocsp.OCSPResponseStatus.SUCCESSFUL:
        status = {x509_ocsp.OCSPCertStatus.GOOD: GOOD, x509_ocsp.OCSPCertStatus.REVOKED: REVOKED}.get(answer.certificate_status, UNKNOWN)
        revoked_at = answer.revocation_time_utc
    return PublishedStatus(number, crl.next_update_utc, entry is not None, entry.revocation_date_utc if entry else None,
                           status, revoked_at)
