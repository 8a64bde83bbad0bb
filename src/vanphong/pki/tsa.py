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


def _check(request_der: bytes) -> tuple[tsp.TimeStampReq | None, bytes | None]:
    """(the request, None) when it can be granted; (None, a rejection) otherwise."""
    try:
        request = tsp.TimeStampReq.load(request_der)
        imprint = request["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        digest = imprint["hashed_message"].native
        policy = request["req_policy"].native
        has_extensions = bool(request["extensions"].native)
        request["nonce"].native, request["cert_req"].native  # noqa: B018 (parse them now: a bad one is a bad request)
    except (ValueError, TypeError, KeyError):
        return None, _rejection("bad_data_format", "The request is not an RFC 3161 TimeStampReq.")
    if algorithm not in ACCEPTED_IMPRINTS:
        return None, _rejection("bad_alg", "The message imprint must use SHA-256, SHA-384, SHA-512 or SHA-3.")
    if len(digest) != ACCEPTED_IMPRINTS[algorithm]:
        return None, _rejection("bad_data_format", "The message imprint has the wrong length for its algorithm.")
    if policy is not None and policy != settings.VANPHONG_TSA_POLICY_OID:
        return None, _rejection("unaccepted_policy", "This authority time-stamps under its own policy only.")
    if has_extensions:
        return None, _rejection("unaccepted_extension", "Request extensions are not supported.")
    return request, None


class Responder:
    """The time-stamping certificate and its key, read from the database once: answering is then
    pure computation, which an event loop may run (the in-process time-stamper of signing does)."""

    def __init__(self, certificate: Certificate):
        self.certificate = _asn1(certificate.x509)
        self.signer = _HeldKeySigner(certificate.signing_key(), self.certificate, [_asn1(certificate.ca.x509)])

    async def async_respond(self, request_der: bytes) -> bytes:
        request, rejection = _check(request_der)
        if rejection is not None:
            return rejection
        nonce = request["nonce"]
        tst_info = tsp.TSTInfo({
            "version": "v1",
            "policy": settings.VANPHONG_TSA_POLICY_OID,
            "message_imprint": request["message_imprint"],
            "serial_number": secrets.randbits(159),  # unique per token, like certificate serials
            "gen_time": timezone.now(),
            "accuracy": {"seconds": 1},
            "ordering": False,
            "nonce": nonce.native if nonce.native is not None else core.Void(),
            "tsa": asn1_x509.GeneralName(name="directory_name", value=self.certificate.subject),
        })
        content = cms.EncapsulatedContentInfo({"content_type": "tst_info", "content": cms.ParsableOctetString(tst_info.dump())})
        token = await self.signer.async_sign_general_data(content, "sha256", detached=False)
        if not request["cert_req"].native:
            # RFC 3161 §2.4.1: without certReq the certificates field must be absent.
            signed_data = token["content"]
            token = cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData({
                key: signed_data[key] for key in ("version", "digest_algorithms", "encap_content_info", "signer_infos")
            })})
        return _TimeStampResp({"status": tsp.PKIStatusInfo({"status": "granted"}), "time_stamp_token": token}).dump()


def responder() -> Responder | None:
    """The responder of the active issuing CA's time-stamping certificate; None when not set up."""
    issuing = selectors.active_issuing_ca()
    certificate: Certificate | None = selectors.service_certificate(issuing, "timestamping") if issuing else None
    return Responder(certificate) if certificate is not None else None


def respond(request_der: bytes) -> bytes:
    """DER TimeStampResp: granted with a token, or a rejection naming what was wrong."""
    _request, rejection = _check(request_der)
    if rejection is not None:
        return rejection
    current = responder()
    if current is None:
        return _rejection("system_failure", "The time-stamping authority is not set up.")
    return asyncio.run(current.async_respond(request_der))
