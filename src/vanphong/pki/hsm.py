"""CA keys in a hardware security module, through PKCS#11 (python-pkcs11; SoftHSM2 in the tests).

A key is made inside the token, sensitive and not extractable, and never leaves it: the database
keeps only its reference, an RFC 7512 PKCS#11 URI naming the module, the token and the key:

    pkcs11:token=VanPhong%20CA;id=%3a%f1…;object=vanphong-3af1…?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/vanphong/hsm.pin

The PIN is never stored: the URI says where to read it (`pin-source`, a file readable by the
service only), or, without one, it comes from the environment variable VANPHONG_HSM_PIN.

Certificates, CRLs and OCSP responses: cryptography signs its builders only with keys it holds,
so the builder is first signed with a throw-away key of the same kind (the algorithm identifier
inside the signed part depends only on the kind), then the signed part is signed in the token
and the structure is put together again with the token's signature (asn1crypto).
"""

from __future__ import annotations

import hashlib
import os
import threading
import urllib.parse
from dataclasses import dataclass
from functools import lru_cache

import pkcs11
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from django.utils.translation import gettext as _
from pkcs11 import KDF, MGF, Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.util.ec import encode_ec_public_key, encode_ecdsa_signature, encode_named_curve_parameters

from vanphong.pki import keys

PIN_ENVIRONMENT_VARIABLE = "VANPHONG_HSM_PIN"


@dataclass(frozen=True)
class Token:
    """Where keys are made: a PKCS#11 module, a token label, and where its PIN is read."""

    module_path: str
    label: str
    pin_file: str = ""  # empty: the PIN comes from VANPHONG_HSM_PIN

    def pin(self) -> str:
        if self.pin_file:
            try:
                with open(self.pin_file, encoding="utf-8") as handle:
                    return handle.readline().rstrip("\r\n")
            except (OSError, UnicodeDecodeError) as exc:
                raise keys.KeyUnavailable(_("Cannot read the HSM PIN file %(path)s: %(error)s.")
                                          % {"path": self.pin_file, "error": getattr(exc, "strerror", None) or exc}) from None
        pin = os.environ.get(PIN_ENVIRONMENT_VARIABLE, "")
        if not pin:
            raise keys.KeyUnavailable(_("The PIN of the HSM token %(token)s is not configured: give a PIN file or set %(variable)s.")
                                      % {"token": self.label, "variable": PIN_ENVIRONMENT_VARIABLE})
        return pin


def reference(token: Token, key_id: bytes, object_label: str) -> str:
    quote = urllib.parse.quote
    path = f"token={quote(token.label, safe='')};id={''.join(f'%{b:02x}' for b in key_id)};object={quote(object_label, safe='')}"
    query = {"module-path": token.module_path}
    if token.pin_file:
        query["pin-source"] = "file:" + token.pin_file
    return f"pkcs11:{path}?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe='/:')}"


def parse_reference(text: str) -> tuple[Token, bytes]:
    """(token, key id) of a PKCS#11 URI written by `reference`."""
    if not text.startswith("pkcs11:"):
        raise keys.KeyUnavailable(_("The stored key reference is not a PKCS#11 URI."))
    path, _sep, query = text[len("pkcs11:"):].partition("?")
    attributes = dict(part.split("=", 1) for part in path.split(";") if "=" in part)
    options = dict(urllib.parse.parse_qsl(query))
    try:
        token = Token(module_path=options["module-path"], label=urllib.parse.unquote(attributes["token"]),
                      pin_file=options.get("pin-source", "").removeprefix("file:"))
        key_id = urllib.parse.unquote_to_bytes(attributes["id"])
    except KeyError:
        raise keys.KeyUnavailable(_("The stored PKCS#11 URI lacks the module, the token or the key id.")) from None
    return token, key_id


# ---- sessions ---------------------------------------------------------------------------------------


class _Session:
    """One logged-in session per token and process. PKCS#11 sessions are not for concurrent use, so
    every operation holds the lock; a forked process (a server worker) opens its own."""

    def __init__(self, token: Token):
        self.token, self.lock, self.pid = token, threading.Lock(), os.getpid()
        try:
            library = pkcs11.lib(token.module_path)
        except (RuntimeError, OSError) as exc:
            raise keys.KeyUnavailable(_("Cannot load the PKCS#11 module %(path)s: %(error)s.")
                                      % {"path": token.module_path, "error": exc}) from None
        try:
            found = library.get_token(token_label=token.label)
        except p11.NoSuchToken:
            raise keys.KeyUnavailable(_("The HSM has no token labelled “%(token)s”.") % {"token": token.label}) from None
        except p11.PKCS11Error as exc:
            raise keys.KeyUnavailable(_("The HSM cannot be reached: %(error)s") % {"error": type(exc).__name__}) from None
        try:
            self.session = found.open(user_pin=token.pin(), rw=True)
        except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange):
            raise keys.KeyUnavailable(_("The HSM token “%(token)s” refused the PIN: check the PIN file or %(variable)s.")
                                      % {"token": token.label, "variable": PIN_ENVIRONMENT_VARIABLE}) from None
        except p11.PinLocked:
            raise keys.KeyUnavailable(_("The HSM token “%(token)s” is locked after too many wrong PINs.")
                                      % {"token": token.label}) from None
        except p11.PKCS11Error as exc:
            raise keys.KeyUnavailable(_("The HSM token “%(token)s” cannot be opened: %(error)s")
                                      % {"token": token.label, "error": type(exc).__name__}) from None


_sessions: dict[Token, _Session] = {}
_sessions_lock = threading.Lock()


def session(token: Token) -> _Session:
    with _sessions_lock:
        current = _sessions.get(token)
        if current is None or current.pid != os.getpid():
            current = _sessions[token] = _Session(token)
        return current


def forget_sessions() -> None:
    """Close every session (after the token's PIN or contents changed; the tests)."""
    with _sessions_lock:
        for held in _sessions.values():
            if held.pid == os.getpid():
                try:
                    held.session.close()
                except p11.PKCS11Error:
                    pass
        _sessions.clear()
    _load.cache_clear()


# ---- keys ---------------------------------------------------------------------------------------------


def _public_key(public) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
    if public.key_type == KeyType.RSA:
        return rsa.RSAPublicNumbers(int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"),
                                    int.from_bytes(public[Attribute.MODULUS], "big")).public_key()
    return serialization.load_der_public_key(encode_ec_public_key(public))


class Pkcs11Key(keys.SigningKey):
    def __init__(self, token: Token, key_id: bytes):
        self._token, self._id = token, key_id
        held = session(token)
        with held.lock:
            try:
                public = held.session.get_key(object_class=ObjectClass.PUBLIC_KEY, id=key_id)
            except p11.NoSuchKey:
                raise keys.KeyUnavailable(_("The HSM token “%(token)s” no longer holds the key %(id)s.")
                                          % {"token": token.label, "id": key_id.hex()}) from None
            self._public = _public_key(public)

    def public_key(self):
        return self._public

    def _private(self, held: _Session):
        return held.session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=self._id)

    def sign(self, data: bytes) -> bytes:
        held = session(self._token)
        with held.lock:
            private = self._private(held)
            if isinstance(self._public, rsa.RSAPublicKey):
                return private.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS)
            # SoftHSM2 and many HSMs offer plain ECDSA only: the digest is made here.
            raw = private.sign(hashlib.sha256(data).digest(), mechanism=Mechanism.ECDSA)
        return encode_ecdsa_signature(raw)

    def sign_builder(self, builder):
        if isinstance(builder, ocsp.OCSPResponseBuilder):
            return self._sign_ocsp(builder)
        draft = builder.sign(_stand_in(isinstance(self._public, rsa.RSAPublicKey)), keys.SIGNATURE_HASH)
        der = draft.public_bytes(serialization.Encoding.DER)
        if isinstance(draft, x509.Certificate):
            parsed = asn1_x509.Certificate.load(der)
            rebuilt = asn1_x509.Certificate({"tbs_certificate": parsed["tbs_certificate"], "signature_algorithm":
                                             parsed["signature_algorithm"], "signature_value": self.sign(draft.tbs_certificate_bytes)})
            return x509.load_der_x509_certificate(rebuilt.dump())
        if isinstance(draft, x509.CertificateRevocationList):
            parsed = asn1_crl.CertificateList.load(der)
            rebuilt = asn1_crl.CertificateList({"tbs_cert_list": parsed["tbs_cert_list"], "signature_algorithm":
                                                parsed["signature_algorithm"], "signature": self.sign(draft.tbs_certlist_bytes)})
            return x509.load_der_x509_crl(rebuilt.dump())
        raise TypeError(f"cannot sign a {type(draft).__name__} through PKCS#11")


    def decrypt_oaep(self, ciphertext: bytes) -> bytes | None:
        return self._in_token(lambda private: private.decrypt(
            ciphertext, mechanism=Mechanism.RSA_PKCS_OAEP, mechanism_param=(Mechanism.SHA256, MGF.SHA256, None)),
            _("The HSM token “%(token)s” cannot decrypt with RSA-OAEP and SHA-256 (%(error)s): encrypted packages cannot be "
              "opened with an RSA key kept in this token. Use a P-256 seal key, or an HSM that offers RSA-OAEP with SHA-256."))

    def ecdh(self, peer: ec.EllipticCurvePublicKey) -> bytes | None:
        point = peer.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)

        def derive(private):
            # The shared secret is made in the token as a session object readable once, then destroyed.
            secret = private.derive_key(KeyType.GENERIC_SECRET, 256, mechanism=Mechanism.ECDH1_DERIVE,
                                        mechanism_param=(KDF.NULL, None, point),
                                        template={Attribute.TOKEN: False, Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True})
            try:
                return bytes(secret[Attribute.VALUE])
            finally:
                secret.destroy()

        return self._in_token(derive, _("The HSM token “%(token)s” cannot agree a key by ECDH with the agency's key (%(error)s): "
                                        "encrypted packages cannot be opened with a key kept in this token."))

    def _in_token(self, operation, unsupported: str):
        """`operation` run on the private key in the token; None when the token finds the input invalid;
        KeyUnavailable with `unsupported` (%(token)s, %(error)s) when the token cannot do it at all."""
        held = session(self._token)
        with held.lock:
            try:
                return operation(self._private(held))
            except (p11.EncryptedDataInvalid, p11.EncryptedDataLenRange, p11.DataInvalid, p11.DataLenRange):
                return None
            except (p11.MechanismInvalid, p11.MechanismParamInvalid, p11.ArgumentsBad, p11.FunctionNotSupported,
                    p11.FunctionRejected, p11.KeyTypeInconsistent, p11.TemplateInconsistent, p11.AttributeValueInvalid,
                    p11.AttributeSensitive, p11.KeyUnextractable) as exc:
                raise keys.KeyUnavailable(unsupported % {"token": self._token.label, "error": type(exc).__name__}) from None
            except p11.NoSuchKey:
                raise keys.KeyUnavailable(_("The HSM token “%(token)s” no longer holds the agency's key.")
                                          % {"token": self._token.label}) from None
            except p11.PKCS11Error as exc:
                raise keys.KeyUnavailable(_("The HSM token “%(token)s” failed to open the encrypted package: %(error)s.")
                                          % {"token": self._token.label, "error": type(exc).__name__}) from None

    def _sign_ocsp(self, builder: ocsp.OCSPResponseBuilder) -> ocsp.OCSPResponse:
        """cryptography insists that the key match the responder's certificate, so the draft names a
        stand-in responder; the real ResponderID goes into the signed part before the token signs it.
        (The builder's fields are read directly: it has no public accessors.)"""
        responder, encoding = builder._responder_id
        is_rsa = isinstance(self._public, rsa.RSAPublicKey)
        draft = ocsp.OCSPResponseBuilder(builder._response, (_stand_in_certificate(is_rsa), encoding), builder._certs,
                                         builder._extensions).sign(_stand_in(is_rsa), keys.SIGNATURE_HASH)
        parsed = asn1_ocsp.OCSPResponse.load(draft.public_bytes(serialization.Encoding.DER))
        basic = parsed["response_bytes"]["response"].parsed
        data = basic["tbs_response_data"]
        real = asn1_x509.Certificate.load(responder.public_bytes(serialization.Encoding.DER))
        if encoding == ocsp.OCSPResponderEncoding.HASH:
            data["responder_id"] = asn1_ocsp.ResponderId({"by_key": real.public_key.sha1})
        else:
            data["responder_id"] = asn1_ocsp.ResponderId({"by_name": real.subject})
        signed = asn1_ocsp.BasicOCSPResponse({"tbs_response_data": data, "signature_algorithm": basic["signature_algorithm"],
                                              "signature": self.sign(data.dump(force=True)), "certs": basic["certs"]})
        rebuilt = asn1_ocsp.OCSPResponse({"response_status": "successful", "response_bytes": {
            "response_type": "basic_ocsp_response", "response": signed}})
        return ocsp.load_der_ocsp_response(rebuilt.dump())


@lru_cache(maxsize=2)
def _stand_in_certificate(is_rsa: bool) -> x509.Certificate:
    import datetime as dt

    key = _stand_in(is_rsa)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "stand-in")])
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(1)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1)).sign(key, keys.SIGNATURE_HASH))


@lru_cache(maxsize=2)
def _stand_in(is_rsa: bool):
    """A throw-away key whose only use is to make cryptography lay out the signed structure."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048) if is_rsa else ec.generate_private_key(ec.SECP256R1())


@lru_cache(maxsize=64)
def _load(reference_text: str) -> Pkcs11Key:
    token, key_id = parse_reference(reference_text)
    return Pkcs11Key(token, key_id)


class Pkcs11Backend(keys.Backend):
    """Loads any PKCS#11 key by its URI; generates in `token` when it has one."""

    name = keys.PKCS11

    def __init__(self, token: Token | None = None):
        self.token = token

    def generate(self, algorithm: str) -> tuple[str, keys.SigningKey]:
        if self.token is None:
            raise keys.KeyUnavailable(_("No HSM token is configured to make keys in."))
        key_id = os.urandom(16)
        label = f"vanphong-{key_id.hex()[:12]}"
        private_template = {Attribute.TOKEN: True, Attribute.PRIVATE: True, Attribute.SENSITIVE: True,
                            Attribute.EXTRACTABLE: False, Attribute.SIGN: True}
        public_template = {Attribute.TOKEN: True, Attribute.VERIFY: True}
        held = session(self.token)
        with held.lock:
            try:
                if algorithm == keys.RSA3072:
                    held.session.generate_keypair(KeyType.RSA, 3072, id=key_id, label=label, store=True,
                                                  public_template=public_template, private_template=private_template)
                elif algorithm == keys.P256:
                    parameters = held.session.create_domain_parameters(
                        KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True)
                    parameters.generate_keypair(id=key_id, label=label, store=True, public_template=public_template,
                                                private_template=private_template)
                else:
                    raise ValueError(f"unknown key algorithm {algorithm!r}")
            except p11.PKCS11Error as exc:
                raise keys.KeyUnavailable(_("The HSM token “%(token)s” could not make the key: %(error)s")
                                          % {"token": self.token.label, "error": type(exc).__name__}) from None
        text = reference(self.token, key_id, label)
        return text, _load(text)

    def load(self, reference_text: str) -> keys.SigningKey:
        return _load(reference_text)
