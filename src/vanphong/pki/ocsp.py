"""The OCSP responder (RFC 6960): the status of one certificate, signed by the delegated OCSP
signer of the CA that issued it, with the request's nonce echoed.

Statuses: good (issued here, not revoked), revoked (with time and reason), unknown (a serial this
CA never issued). A request about a CA this instance does not run is answered "unauthorized".
Responses are made per request and not logged to the audit chain: they change nothing.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from django.utils import timezone

from vanphong.pki import selectors
from vanphong.pki.models import Certificate, CertificateAuthority, RevocationReason, serial_text

# How long a response may be relied on (its nextUpdate). Status changes reach the CRL and OCSP at
# once; a relying party that caches a response sees a revocation at most this late.
RESPONSE_LIFETIME = dt.timedelta(hours=1)


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(serialization.Encoding.DER)


@lru_cache(maxsize=256)
def _cert_id_hashes(certificate_pem: str, algorithm_name: str) -> tuple[bytes, bytes]:
    """(issuerNameHash, issuerKeyHash) that a request names for this CA certificate (RFC 6960
    §4.1.1): the hash of the subject name, and of the public key's bits."""
    cert = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    algorithm = {"sha1": hashes.SHA1(), "sha224": hashes.SHA224(), "sha256": hashes.SHA256(),
                 "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[algorithm_name]
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    key_bits = asn1_keys.PublicKeyInfo.load(spki)["public_key"].contents[1:]  # without the unused-bits octet

    def digest(data: bytes) -> bytes:
        h = hashes.Hash(algorithm)
        h.update(data)
        return h.finalize()

    return digest(cert.subject.public_bytes()), digest(key_bits)


def _issuer(request: ocsp.OCSPRequest) -> CertificateAuthority | None:
    wanted = (request.issuer_name_hash, request.issuer_key_hash)
    for ca in CertificateAuthority.objects.only("pk", "certificate_pem"):
        if _cert_id_hashes(ca.certificate_pem, request.hash_algorithm.name) == wanted:
            return ca
    return None


def respond(request_der: bytes) -> bytes:
    """DER OCSPResponse for a DER OCSPRequest."""
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        request.hash_algorithm  # noqa: B018 (raises for an algorithm that cryptography does not know)
    except Exception:  # cryptography raises ValueError, or UnsupportedAlgorithm; both mean a request we cannot read
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    if request.hash_algorithm.name not in {"sha1", "sha224", "sha256", "sha384", "sha512"}:
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    ca = _issuer(request)
    if ca is None:
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    responder = selectors.service_certificate(ca, "ocsp-signer")
    if responder is None:
        return _unsuccessful(ocsp.OCSPResponseStatus.TRY_LATER)

    now = timezone.now().replace(microsecond=0)
    status, revoked_at, reason = _status(ca, request.serial_number)
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash, issuer_key_hash=request.issuer_key_hash, serial_number=request.serial_number,
            algorithm=request.hash_algorithm, cert_status=status, this_update=now, next_update=now + RESPONSE_LIFETIME,
            revocation_time=revoked_at, revocation_reason=reason,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder.x509)
        .certificates([responder.x509])
    )
    try:
        nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value
        builder = builder.add_extension(nonce, critical=False)
    except x509.ExtensionNotFound:
        pass
    return responder.signing_key().sign_builder(builder).public_bytes(serialization.Encoding.DER)


def _status(ca: CertificateAuthority, serial: int):
    """(status, revocation time, reason) of a serial issued by `ca`."""
    cert = Certificate.objects.filter(ca=ca, serial=serial_text(serial)).only("status", "revoked_at", "revocation_reason").first()
    if cert is not None:
        if cert.status == Certificate.Status.REVOKED:
            reason = cert.revocation_reason
            flag = RevocationReason(reason).flag if reason and reason != RevocationReason.UNSPECIFIED else None
            return ocsp.OCSPCertStatus.REVOKED, cert.revoked_at, flag
        return ocsp.OCSPCertStatus.GOOD, None, None
    if CertificateAuthority.objects.filter(issuer=ca, serial=serial_text(serial)).exists():
        return ocsp.OCSPCertStatus.GOOD, None, None  # an issuing CA under this root (CA revocation comes later)
    return ocsp.OCSPCertStatus.UNKNOWN, None, None
