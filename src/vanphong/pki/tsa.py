"""The time-stamping authority (RFC 3161): a TimeStampReq in, a TimeStampResp out.

The token is a CMS SignedData over a TSTInfo (asn1crypto's types), assembled and signed by
pyHanko's CMS signer, so that the signed attributes (content type, message digest, the
ESSCertIDv2 of RFC 5816) are what verifiers expect. The key never leaves pki.keys: pyHanko asks
it for the raw signature.
"""

from __future__ import annotations

import asyncio
import secrets

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanphong.pki import keys, selectors
from vanphong.pki.models import Certificate

# Digests a request may use for its message imprint: SHA-1 is refused as too weak.
ACCEPTED_IMPRINTS = {"sha256": 32, "sha384": 48, "sha512": 64, "sha3_256": 32, "sha3_384": 48, "sha3_512": 64}


class _HeldKeySigner(Signer):
    """pyHanko's CMS signer, signing with a key from pki.keys."""

    def __init__(self, key: keys.SigningKey, certificate, chain):
        super().__init__(signing_cert=certificate, cert_registry=SimpleCertificateStore.from_certs(chain), embed_roots=False)
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        assert digest_algorithm == "sha256", digest_algorithm  # pki.keys signs with SHA-256
        return self._key.sign(data)


class _TimeStampResp(tsp.TimeStampResp):
    # asn1crypto 1.5.1 declares the token mandatory; RFC 3161 §2.4.2 leaves it out of a rejection.
    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


def _rejection(fail: str, text: str) -> bytes:
    # Protocol text for the client program's log, whose reader's language is unknown: English.
    status = tsp.PKIStatusInfo({"status": "rejection", "status_string": [text], "fail_info": tsp.PKIFailureInfo({fail})})
    return _TimeStampResp({"status": status}).dump()


def _asn1(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def respond(request_der: bytes) -> bytes:
    """DER TimeStampResp: granted with a token, or a rejection naming what was wrong."""
    try:
        request = tsp.TimeStampReq.load(request_der)
        imprint = request["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        digest = imprint["hashed_message"].native
        policy = request["req_policy"].native
        nonce = request["nonce"]
        cert_req = bool(request["cert_req"].native)
        has_extensions = bool(request["extensions"].native)
    except (ValueError, TypeError, KeyError):
        return _rejection("bad_data_format", "The request is not an RFC 3161 TimeStampReq.")
    if algorithm not in ACCEPTED_IMPRINTS:
        return _rejection("bad_alg", "The message imprint must use SHA-256, SHA-384, SHA-512 or SHA-3.")
    if len(digest) != ACCEPTED_IMPRINTS[algorithm]:
        return _rejection("bad_data_format", "The message imprint has the wrong length for its algorithm.")
    if policy is not None and policy != settings.VANPHONG_TSA_POLICY_OID:
        return _rejection("unaccepted_policy", "This authority time-stamps under its own policy only.")
    if has_extensions:
        return _rejection("unaccepted_extension", "Request extensions are not supported.")
    issuing = selectors.active_issuing_ca()
    certificate: Certificate | None = selectors.service_certificate(issuing, "timestamping") if issuing else None
    if certificate is None:
        return _rejection("system_failure", "The time-stamping authority is not set up.")

    tsa_cert = _asn1(certificate.x509)
    tst_info = tsp.TSTInfo({
        "version": "v1",
        "policy": settings.VANPHONG_TSA_POLICY_OID,
        "message_imprint": imprint,
        "serial_number": secrets.randbits(159),  # unique per token, like certificate serials
        "gen_time": timezone.now(),
        "accuracy": {"seconds": 1},
        "ordering": False,
        "nonce": nonce.native if nonce.native is not None else core.Void(),
        "tsa": asn1_x509.GeneralName(name="directory_name", value=tsa_cert.subject),
    })
    content = cms.EncapsulatedContentInfo({"content_type": "tst_info", "content": cms.ParsableOctetString(tst_info.dump())})
    signer = _HeldKeySigner(certificate.signing_key(), tsa_cert, [_asn1(certificate.ca.x509)])
    token = asyncio.run(signer.async_sign_general_data(content, "sha256", detached=False))
    if not cert_req:
        # RFC 3161 §2.4.1: without certReq the certificates field must be absent.
        signed_data = token["content"]
        token = cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData({
            key: signed_data[key] for key in ("version", "digest_algorithms", "encap_content_info", "signer_infos")
        })})
    return _TimeStampResp({"status": tsp.PKIStatusInfo({"status": "granted"}), "time_stamp_token": token}).dump()

