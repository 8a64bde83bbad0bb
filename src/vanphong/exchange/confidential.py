"""End-to-end encryption of confidential (Mật) packages, and which levels may travel at all.

A Mật package travels as CMS AuthEnvelopedData (RFC 5083): the package encrypted with AES-256-GCM
(RFC 5084) under a fresh content key, that key readable only with the recipient agency's seal key:

- RSA seal keys: the key transported with RSA-OAEP, SHA-256 and MGF1-SHA-256 (RFC 8017, RFC 4055);
- P-256 seal keys: ephemeral-static ECDH, dhSinglePass-stdDH-sha256kdf-scheme, the content key
  wrapped with AES-256 key wrap (RFC 5753, RFC 3394),

the two kinds of key our CA makes for the agency-seal profile, whose key usage names keyEncipherment
(RSA) or keyAgreement (P-256) besides signing. The content key is recovered by the agency's key where it
is held (pki.keys.SigningKey: in memory, or inside an HSM token), so an HSM-held key never leaves it.
The hub and the network see only the envelope. `openssl cms -decrypt` opens what `seal_for` makes, and
`open_sealed` opens `openssl cms -encrypt -aes-256-gcm` with those key options
(tests/exchange/test_confidential.py).

Tối mật and Tuyệt mật documents never travel over the exchange (STANDARDS.md: the rules for the
Party network keep them off the ordinary network): `classification_rule` says so, in one place.

cryptography gives the primitives; asn1crypto lays out the ASN.1 (cryptography's PKCS#7 builder
has neither GCM nor OAEP nor ECDH recipients).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from asn1crypto import algos, cms, core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.utils.translation import gettext as _

from vanphong.core.clearance import Clearance
from vanphong.core.errors import ValidationError
from vanphong.exchange.edxml.limits import Limits
from vanphong.pki import keys

PLAIN, ENCRYPT, REFUSE = "plain", "encrypt", "refuse"
Rule = Literal["plain", "encrypt", "refuse"]

# dhSinglePass-stdDH-sha256kdf-scheme (RFC 5753 §7.1.4, SEC 1); asn1crypto has no name for it.
ECDH_SHA256_KDF = "1.3.132.1.11.1"
CONTENT_KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # RFC 5084 §3.2: the recommended and most interoperable GCM nonce length
TAG_BYTES = 16
MIN_RSA_BITS = 2048
# What an envelope adds to a package: recipient infos, algorithm identifiers, the tag.
ENVELOPE_ALLOWANCE = 64 * 1024


# ---- which levels travel -------------------------------------------------------------------------------


def classification_rule(confidentiality) -> Rule:
    """How the exchange carries a document of this confidentiality: "plain" (signed only),
    "encrypt" (Mật: end to end to each recipient agency), or "refuse" (Tối mật, Tuyệt mật)."""
    level = _level(confidentiality)
    if level == Clearance.NONE:
        return PLAIN
    if level == Clearance.CONFIDENTIAL:
        return ENCRYPT
    return REFUSE


def classification_message(confidentiality) -> str:
    """What the exchange tells the clerk about sending a document of this confidentiality."""
    level = _level(confidentiality)
    rule = classification_rule(level)
    if rule == PLAIN:
        return _("This document is not confidential: it travels signed with the agency's seal.")
    if rule == ENCRYPT:
        return _("This document is marked Mật: it travels encrypted for each recipient agency's certificate, "
                 "so that neither the exchange hub nor the network can read it.")
    return _("A document marked %(level)s may not be sent over the document exchange: the rules keep Tối mật and "
             "Tuyệt mật documents off the ordinary network. Deliver it by the confidential-document channel instead.") % {
        "level": _level_mark(level)}


def check_sendable(confidentiality) -> Rule:
    """The rule for sending, or a ValidationError with the refusal the clerk sees."""
    rule = classification_rule(confidentiality)
    if rule == REFUSE:
        raise ValidationError(classification_message(confidentiality))
    return rule


def check_arrival(confidentiality, *, encrypted: bool) -> None:
    """The receiving side of the same rule: a Mật package must have arrived encrypted, and a Tối mật
    or Tuyệt mật one must not have arrived over the exchange at all."""
    level = _level(confidentiality)
    rule = classification_rule(level)
    if rule == REFUSE:
        raise ValidationError(_("The package is marked %(level)s, which may not travel over the document exchange: "
                                "it is refused and the sender must deliver it by the confidential-document channel.")
                              % {"level": _level_mark(level)})
    if rule == ENCRYPT and not encrypted:
        raise ValidationError(_("The package is marked Mật but arrived unencrypted: it is refused, "
                                "because a Mật document may travel only encrypted for the recipient agency."))


def _level(confidentiality) -> Clearance:
    try:
        return Clearance(int(confidentiality))
    except (TypeError, ValueError):
        raise ValidationError(_("Unknown confidentiality level “%(level)s”.") % {"level": confidentiality}) from None


def _level_mark(level: Clearance) -> str:
    # The marks are the legal terms, the same in every language (STANDARDS.md).
    return {Clearance.CONFIDENTIAL: "Mật", Clearance.SECRET: "Tối mật", Clearance.TOP_SECRET: "Tuyệt mật"}[level]


# ---- ASN.1 that asn1crypto lacks --------------------------------------------------------------------


class GcmParameters(core.Sequence):
    """RFC 5084 §3.2 GCMParameters."""

    _fields = [
        ("aes_nonce", core.OctetString),
        ("aes_icvlen", core.Integer, {"default": 12}),
    ]


class EccCmsSharedInfo(core.Sequence):
    """RFC 5753 §7.2 ECC-CMS-SharedInfo: the KDF's SharedInfo, binding the wrap algorithm and key length."""

    _fields = [
        ("key_info", cms.KeyEncryptionAlgorithm),
        ("entity_u_info", core.OctetString, {"explicit": 0, "optional": True}),
        ("supp_pub_info", core.OctetString, {"explicit": 2}),
    ]


def _aes256_wrap() -> cms.KeyEncryptionAlgorithm:
    return cms.KeyEncryptionAlgorithm({"algorithm": "aes256_wrap"})  # parameters absent (RFC 3565 §2.3.2)


def _kek(shared_secret: bytes, ukm: bytes | None) -> bytes:
    shared_info = EccCmsSharedInfo({"key_info": _aes256_wrap(), "entity_u_info": ukm,
                                    "supp_pub_info": (CONTENT_KEY_BYTES * 8).to_bytes(4, "big")})
    return X963KDF(hashes.SHA256(), CONTENT_KEY_BYTES, shared_info.dump()).derive(shared_secret)


@lru_cache(maxsize=1)
def _oaep_algorithm_der() -> bytes:
    # Built once: asn1crypto takes half a millisecond over these parameters' defaults.
    return cms.KeyEncryptionAlgorithm({"algorithm": "rsaes_oaep", "parameters": algos.RSAESOAEPParams({
        "hash_algorithm": {"algorithm": "sha256"},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
    })}).dump()


# ---- sealing ----------------------------------------------------------------------------------------------


def seal_for(recipient_certificate: x509.Certificate, package: bytes) -> bytes:
    """The package encrypted for the agency that holds `recipient_certificate`, as DER
    ContentInfo(AuthEnvelopedData)."""
    if not isinstance(recipient_certificate, x509.Certificate):
        raise TypeError(f"seal_for takes the recipient agency's x509.Certificate, not {type(recipient_certificate).__name__}")
    limit = Limits.from_settings().max_package_bytes
    if len(package) > limit:
        raise ValidationError(_("The package is %(size)s bytes, more than the exchange takes (%(limit)s bytes).")
                              % {"size": len(package), "limit": limit})
    public_key = recipient_certificate.public_key()
    content_key = AESGCM.generate_key(bit_length=CONTENT_KEY_BYTES * 8)
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise ValidationError(_("The recipient's RSA key has %(bits)s bits; at least %(minimum)s are needed to encrypt for it.")
                                  % {"bits": public_key.key_size, "minimum": MIN_RSA_BITS})
        recipient = _key_transport(recipient_certificate, public_key, content_key)
    elif isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(public_key.curve, ec.SECP256R1):
        recipient = _key_agreement(recipient_certificate, public_key, content_key)
    else:
        raise ValidationError(_("The recipient's certificate has a key this exchange cannot encrypt for: "
                                "only RSA and P-256 keys are supported."))
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(content_key).encrypt(nonce, package, None)  # no authAttrs: no additional data (RFC 5083 §2.2)
    ciphertext, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    del sealed  # one copy of the package fewer while the envelope is built
    envelope = cms.AuthEnvelopedData({"version": "v0", "recipient_infos": [recipient], "mac": tag})
    # asn1crypto encodes a structure's contents again at each field set: the large field goes in last,
    # so the package is copied once less (sealing holds several copies of the package at its peak).
    envelope["auth_encrypted_content_info"] = cms.EncryptedContentInfo({
        "content_type": "data",
        "content_encryption_algorithm": {
            "algorithm": "aes256_gcm",
            "parameters": GcmParameters({"aes_nonce": nonce, "aes_icvlen": TAG_BYTES}),
        },
        "encrypted_content": ciphertext,
    })
    return cms.ContentInfo({"content_type": "authenticated_enveloped_data", "content": envelope}).dump()


def _issuer_and_serial(certificate: x509.Certificate) -> cms.IssuerAndSerialNumber:
    # The issuer alone is loaded: taking it from a whole parsed certificate made asn1crypto copy and
    # re-encode the certificate, most of the time sealing took.
    return cms.IssuerAndSerialNumber({"issuer": asn1_x509.Name.load(certificate.issuer.public_bytes()),
                                      "serial_number": certificate.serial_number})


@dataclass(frozen=True)
class _Identity:
    """How a recipient info may name our certificate: issuer and serial, or subject key identifier."""

    issuer: asn1_x509.Name
    serial: int
    key_identifier: bytes | None

    @classmethod
    def of(cls, certificate: x509.Certificate) -> _Identity:
        try:
            key_identifier = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        except x509.ExtensionNotFound:
            key_identifier = None
        return cls(asn1_x509.Name.load(certificate.issuer.public_bytes()), certificate.serial_number, key_identifier)


def _key_transport(certificate, public_key: rsa.RSAPublicKey, content_key: bytes) -> cms.RecipientInfo:
    return cms.RecipientInfo(name="ktri", value={
        "version": "v0",
        "rid": cms.RecipientIdentifier(name="issuer_and_serial_number", value=_issuer_and_serial(certificate)),
        "key_encryption_algorithm": cms.KeyEncryptionAlgorithm.load(_oaep_algorithm_der()),
        "encrypted_key": public_key.encrypt(content_key, keys.OAEP_SHA256),
    })


def _key_agreement(certificate, public_key: ec.EllipticCurvePublicKey, content_key: bytes) -> cms.RecipientInfo:
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    kek = _kek(ephemeral.exchange(ec.ECDH(), public_key), None)
    point = ephemeral.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return cms.RecipientInfo(name="kari", value={
        "version": "v3",
        "originator": cms.OriginatorIdentifierOrKey(name="originator_key", value=asn1_keys.PublicKeyInfo({
            # RFC 5753 §3.1.1: the curve is the recipient's; parameters absent, as OpenSSL writes them.
            "algorithm": {"algorithm": "ec"}, "public_key": point})),
        "key_encryption_algorithm": {"algorithm": ECDH_SHA256_KDF, "parameters": _aes256_wrap()},
        "recipient_encrypted_keys": [{
            "rid": cms.KeyAgreementRecipientIdentifier(name="issuer_and_serial_number", value=_issuer_and_serial(certificate)),
            "encrypted_key": aes_key_wrap(kek, content_key),
        }],
    })


# ---- opening ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    kind: Literal["ktri", "kari"]
    encrypted_key: bytes
    originator_point: bytes = b""  # kari: the sender's ephemeral P-256 point
    ukm: bytes | None = None


@dataclass(frozen=True)
class _Envelope:
    recipient: _Recipient
    nonce: bytes
    ciphertext: bytes
    tag: bytes


class _Refused(Exception):
    """A structure that is well-formed ASN.1 but not what we take; its message is for the clerk."""


def looks_sealed(data: bytes) -> bool:
    """Whether `data` is a CMS AuthEnvelopedData (what `seal_for` makes) rather than, say, edXML:
    for the inbox to tell an encrypted package from a plain one before opening it."""
    try:
        return bytes(data[:1]) == b"\x30" and cms.ContentInfo.load(bytes(data))["content_type"].native == "authenticated_enveloped_data"
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError):
        return False


def open_sealed(private_key_or_signing_key, certificate: x509.Certificate, data: bytes) -> bytes:
    """The package inside `data`, sealed for `certificate` by `seal_for` (or any CMS implementation
    using the same algorithms), opened with the agency's key: a cryptography private key or a
    pki.keys.SigningKey (software or PKCS#11). Anything else is a ValidationError that says why."""
    if not isinstance(certificate, x509.Certificate):
        raise TypeError(f"open_sealed takes the agency's x509.Certificate, not {type(certificate).__name__}")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValidationError(_("The encrypted package must be bytes."))
    data = bytes(data)
    limit = Limits.from_settings().max_package_bytes + ENVELOPE_ALLOWANCE
    if len(data) > limit:
        raise ValidationError(_("The encrypted package is %(size)s bytes, more than the exchange takes (%(limit)s bytes).")
                              % {"size": len(data), "limit": limit})
    key = _agency_key(private_key_or_signing_key, certificate)
    envelope = _parse(data, certificate)
    content_key = _content_key(key, envelope.recipient)
    try:
        return AESGCM(content_key).decrypt(envelope.nonce, envelope.ciphertext + envelope.tag, None)
    except InvalidTag:
        raise ValidationError(_("The encrypted package was altered: its authentication tag does not match its content.")) from None


def _parse(data: bytes, certificate: x509.Certificate) -> _Envelope:
    try:
        return _read(data, certificate)
    except _Refused as refusal:
        raise ValidationError(str(refusal)) from None
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError):
        # asn1crypto parses lazily and reports malformed input as any of these.
        raise ValidationError(_("The encrypted package is not a well-formed CMS structure (DER).")) from None


def _read(data: bytes, certificate: x509.Certificate) -> _Envelope:
    if not data or data[0] != 0x30:
        raise _Refused(_("The encrypted package is not a CMS structure."))
    info = cms.ContentInfo.load(data, strict=True)
    if info["content_type"].dotted != cms.ContentType._reverse_map["authenticated_enveloped_data"]:
        raise _Refused(_("The package is not encrypted as CMS AuthEnvelopedData (it is %(type)s).")
                       % {"type": info["content_type"].native})
    envelope = info["content"]
    if envelope["version"].native != "v0":
        raise _Refused(_("Unsupported AuthEnvelopedData version %(version)s.") % {"version": envelope["version"].native})
    if envelope["auth_attrs"].native is not None:
        raise _Refused(_("The encrypted package carries authenticated attributes, which this exchange does not take."))
    content = envelope["auth_encrypted_content_info"]
    if content["content_type"].native != "data":
        raise _Refused(_("The encrypted package holds %(type)s instead of data.") % {"type": content["content_type"].native})
    algorithm = content["content_encryption_algorithm"]
    if algorithm["algorithm"].dotted != algos.EncryptionAlgorithmId._reverse_map["aes256_gcm"]:
        raise _Refused(_("The package is encrypted with %(algorithm)s; only AES-256-GCM is accepted.")
                       % {"algorithm": algorithm["algorithm"].native})
    if not isinstance(algorithm["parameters"], core.Any):
        raise _Refused(_("The AES-256-GCM parameters are missing."))
    parameters = algorithm["parameters"].parse(GcmParameters)
    nonce, tag_length = parameters["aes_nonce"].native, parameters["aes_icvlen"].native
    if len(nonce) != NONCE_BYTES:
        raise _Refused(_("The AES-GCM nonce is %(length)s bytes; %(expected)s are expected.") % {"length": len(nonce), "expected": NONCE_BYTES})
    tag = envelope["mac"].native
    if tag_length != TAG_BYTES or len(tag) != TAG_BYTES:
        raise _Refused(_("The AES-GCM authentication tag must be %(expected)s bytes long.") % {"expected": TAG_BYTES})
    ciphertext = content["encrypted_content"].native
    if ciphertext is None:
        raise _Refused(_("The encrypted package has no content (detached content is not accepted)."))
    return _Envelope(_recipient_for(envelope["recipient_infos"], certificate), nonce, ciphertext, tag)


def _recipient_for(infos: cms.RecipientInfos, certificate: x509.Certificate) -> _Recipient:
    ours = _Identity.of(certificate)
    for info in infos:
        if info.name == "ktri" and _is_ours(info.chosen["rid"], ours):
            return _transport_recipient(info.chosen)
        if info.name == "kari":
            for encrypted in info.chosen["recipient_encrypted_keys"]:
                rid = encrypted["rid"]
                if _is_ours(rid, ours):
                    return _agreement_recipient(info.chosen, encrypted["encrypted_key"].native)
    raise _Refused(_("The package is not encrypted for this agency's certificate (serial %(serial)s, %(subject)s).")
                   % {"serial": format(certificate.serial_number, "X"), "subject": certificate.subject.rfc4514_string()})


def _is_ours(rid, ours: _Identity) -> bool:
    if rid.name == "issuer_and_serial_number":
        return rid.chosen["serial_number"].native == ours.serial and rid.chosen["issuer"] == ours.issuer
    identifier = rid.chosen["subject_key_identifier"] if rid.name == "r_key_id" else rid.chosen
    return ours.key_identifier is not None and identifier.native == ours.key_identifier


def _transport_recipient(info: cms.KeyTransRecipientInfo) -> _Recipient:
    algorithm = info["key_encryption_algorithm"]
    if algorithm["algorithm"].native != "rsaes_oaep":
        raise _Refused(_("The content key is encrypted with %(algorithm)s; only RSA-OAEP with SHA-256 is accepted.")
                       % {"algorithm": algorithm["algorithm"].native})
    parameters = algorithm["parameters"]
    mask = parameters["mask_gen_algorithm"]
    if (parameters["hash_algorithm"]["algorithm"].native != "sha256" or mask["algorithm"].native != "mgf1"
            or mask["parameters"]["algorithm"].native != "sha256" or parameters["p_source_algorithm"]["parameters"].native != b""):
        raise _Refused(_("The content key is encrypted with RSA-OAEP parameters other than SHA-256 and MGF1-SHA-256."))
    return _Recipient("ktri", info["encrypted_key"].native)


def _agreement_recipient(info: cms.KeyAgreeRecipientInfo, encrypted_key: bytes) -> _Recipient:
    algorithm = info["key_encryption_algorithm"]
    if algorithm["algorithm"].dotted != ECDH_SHA256_KDF:
        raise _Refused(_("The content key is agreed with %(algorithm)s; only dhSinglePass-stdDH-sha256kdf is accepted.")
                       % {"algorithm": algorithm["algorithm"].dotted})
    wrap = algorithm["parameters"].parse(cms.KeyEncryptionAlgorithm) if isinstance(algorithm["parameters"], core.Any) else None
    if wrap is None or wrap["algorithm"].native != "aes256_wrap" or wrap["parameters"].native is not None:
        raise _Refused(_("The content key is wrapped with an algorithm other than AES-256 key wrap."))
    originator = info["originator"]
    if originator.name != "originator_key":
        raise _Refused(_("The sender's ephemeral key is missing from the encrypted package."))
    key_info = originator.chosen
    if key_info["algorithm"]["algorithm"].native != "ec":
        raise _Refused(_("The sender's ephemeral key is not an elliptic-curve key."))
    curve = key_info["algorithm"]["parameters"]
    if curve.native is not None and not (curve.name == "named" and curve.chosen.native == "secp256r1"):
        raise _Refused(_("The sender's ephemeral key is not on the P-256 curve."))
    ukm = info["ukm"].native
    return _Recipient("kari", encrypted_key, originator_point=bytes(key_info["public_key"]), ukm=ukm)


# ---- the agency's key ---------------------------------------------------------------------------------------


def _content_key(key: keys.SigningKey, recipient: _Recipient) -> bytes:
    """The content key recovered with the agency's key, wherever that key is held (pki.keys, pki.hsm)."""
    public_key = key.public_key()
    try:
        if recipient.kind == "ktri":
            if not isinstance(public_key, rsa.RSAPublicKey):
                raise ValidationError(_("The package's content key is for an RSA key, but this agency's key is not RSA."))
            content_key = key.decrypt_oaep(recipient.encrypted_key)
        else:
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                raise ValidationError(_("The package's content key is for an elliptic-curve key, but this agency's key is RSA."))
            try:
                originator = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), recipient.originator_point)
            except ValueError:
                raise ValidationError(_("The sender's ephemeral key is not a valid P-256 point.")) from None
            shared = key.ecdh(originator)
            if shared is None:
                raise ValidationError(_("The sender's ephemeral key is not a valid P-256 point."))
            try:
                content_key = aes_key_unwrap(_kek(shared, recipient.ukm), recipient.encrypted_key)
            except (InvalidUnwrap, ValueError):
                content_key = None
    except keys.KeyUnavailable as exc:
        raise ValidationError(str(exc)) from None
    if content_key is None or len(content_key) != CONTENT_KEY_BYTES:
        # One message whatever failed, so that the answer tells an attacker nothing about the key.
        raise ValidationError(_("The content key cannot be recovered with this agency's key: "
                                "the package was altered or was not encrypted for this agency."))
    return content_key


def _agency_key(key, certificate: x509.Certificate) -> keys.SigningKey:
    if isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        key = keys.from_private_key(key)
    elif not isinstance(key, keys.SigningKey):
        raise ValidationError(_("Only an RSA or P-256 private key can open an encrypted package."))
    if key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            certificate.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo):
        raise ValidationError(_("The private key given does not belong to the certificate given."))
    return key
