"""Where the CA and service keys live, and the one way to sign with them.

A key is stored as a backend name and a reference (`CertificateAuthority.key_backend`,
`.private_key`). The software backend keeps the key itself in the reference:
PKCS#8, encrypted (PBES2, AES-256-CBC) with the key-encryption passphrase. That passphrase is the
setting VANPHONG_CA_KEY_PASSPHRASE, else a secret generated once into the data folder: a stolen
database backup alone does not give the keys away.

Callers never touch key bytes: they get a SigningKey and ask it to sign a cryptography builder
(certificate, CRL, OCSP response) or raw bytes (CMS signed attributes, XML-DSig). The PKCS#11
backend (pki.hsm: SoftHSM2, a real HSM) keeps the key in a token and signs there; its reference
is a PKCS#11 URI. Keys a CA's services need (its OCSP signer, the TSA, held seal and official
keys) are made where the CA's own key is (`backend_like`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from vanphong import config

RSA3072 = "rsa3072"
P256 = "p256"
SOFTWARE = "software"
PKCS11 = "pkcs11"

# Every signature the CA makes uses SHA-256: with RSA-3072 and P-256 it matches their strength.
SIGNATURE_HASH = hashes.SHA256()
# Content keys sent to an agency's RSA key (CMS KeyTransRecipientInfo, RFC 8017 with SHA-256 throughout).
OAEP_SHA256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class KeyUnavailable(ImproperlyConfigured):
    """A stored key cannot be used: wrong passphrase, unknown backend, token missing."""


class SigningKey(ABC):
    """A private key held by a backend. It signs; an agency's seal key also recovers the content keys of
    packages encrypted to it (exchange.confidential), inside the backend, so the key never leaves it."""

    @abstractmethod
    def public_key(self) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey: ...

    @abstractmethod
    def decrypt_oaep(self, ciphertext: bytes) -> bytes | None:
        """RSA-OAEP (OAEP_SHA256) decryption; None when this key cannot open `ciphertext`.
        KeyUnavailable when the backend cannot decrypt this way at all."""

    @abstractmethod
    def ecdh(self, peer: ec.EllipticCurvePublicKey) -> bytes | None:
        """The ECDH shared secret with a peer's public key on this key's curve; None when the backend
        refuses the peer's point. KeyUnavailable when the backend cannot agree keys at all."""

    @abstractmethod
    def sign(self, data: bytes) -> bytes:
        """SHA-256 signature of `data`: PKCS#1 v1.5 for RSA, DER-encoded ECDSA for EC."""

    @abstractmethod
    def sign_builder(self, builder):
        """Sign a cryptography CertificateBuilder, CertificateRevocationListBuilder or OCSPResponseBuilder."""


class Backend(ABC):
    name: str

    @abstractmethod
    def generate(self, algorithm: str) -> tuple[str, SigningKey]:
        """A new key: (reference to store, key)."""

    @abstractmethod
    def load(self, reference: str) -> SigningKey: ...


def generate_private_key(algorithm: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """A fresh key in memory, for the backends and for keys delivered to holders in a PKCS#12."""
    if algorithm == RSA3072:
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if algorithm == P256:
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key algorithm {algorithm!r}")


class _InMemoryKey(SigningKey):
    def __init__(self, key):
        self._key = key

    def public_key(self):
        return self._key.public_key()

    def sign(self, data: bytes) -> bytes:
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), SIGNATURE_HASH)
        return self._key.sign(data, ec.ECDSA(SIGNATURE_HASH))

    def sign_builder(self, builder):
        return builder.sign(self._key, SIGNATURE_HASH)

    def decrypt_oaep(self, ciphertext: bytes) -> bytes | None:
        if not isinstance(self._key, rsa.RSAPrivateKey):
            raise TypeError("only an RSA key decrypts with RSA-OAEP")
        try:
            return self._key.decrypt(ciphertext, OAEP_SHA256)
        except ValueError:
            return None

    def ecdh(self, peer: ec.EllipticCurvePublicKey) -> bytes | None:
        if not isinstance(self._key, ec.EllipticCurvePrivateKey):
            raise TypeError("only an elliptic-curve key agrees keys by ECDH")
        return self._key.exchange(ec.ECDH(), peer)


def from_private_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> SigningKey:
    """A key already in memory (from a holder's PKCS#12) behind the same interface."""
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise KeyUnavailable(_("Only RSA and ECDSA keys can sign."))
    return _InMemoryKey(key)


def key_encryption_passphrase() -> bytes:
    explicit = settings.VANPHONG_CA_KEY_PASSPHRASE
    if explicit:
        return explicit.encode("utf-8")
    return config.generated_secret(settings.DATA_DIR / "ca_key_passphrase").encode("utf-8")


# Decrypting runs PBKDF2 and, for RSA, checks the key: too slow for every OCSP response or
# certificate, so a process keeps each key it has decrypted. The passphrase is part of the cache
# key, so a changed passphrase is never served a key decrypted with the old one.
@lru_cache(maxsize=64)
def _decrypt(reference: str, passphrase: bytes) -> _InMemoryKey:
    try:
        key = serialization.load_pem_private_key(reference.encode("ascii"), password=passphrase)
    except (ValueError, TypeError) as exc:
        raise KeyUnavailable(
            _("A CA key cannot be decrypted with the configured key-encryption passphrase "
              "(VANPHONG_CA_KEY_PASSPHRASE, or the file ca_key_passphrase in the data folder).")
        ) from exc
    return _InMemoryKey(key)


class SoftwareBackend(Backend):
    name = SOFTWARE

    def generate(self, algorithm: str) -> tuple[str, SigningKey]:
        key = generate_private_key(algorithm)
        reference = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(key_encryption_passphrase()),
        ).decode("ascii")
        return reference, _InMemoryKey(key)

    def load(self, reference: str) -> SigningKey:
        return _decrypt(reference, key_encryption_passphrase())


_backends: dict[str, Backend] = {SOFTWARE: SoftwareBackend()}


def register_backend(backend: Backend) -> None:
    _backends[backend.name] = backend


def backend(name: str) -> Backend:
    if name == PKCS11 and name not in _backends:
        from vanphong.pki import hsm  # python-pkcs11 is loaded only where an HSM is used

        register_backend(hsm.Pkcs11Backend())
    try:
        return _backends[name]
    except KeyError:
        raise KeyUnavailable(_("Unknown key storage “%(name)s”.") % {"name": name}) from None


def default_backend() -> Backend:
    return _backends[SOFTWARE]


def load(backend_name: str, reference: str) -> SigningKey:
    return backend(backend_name).load(reference)


def backend_like(key_backend: str, reference: str) -> Backend:
    """Where to make a new key that belongs with an existing one: in the same HSM token as a CA
    kept there, else encrypted in the database."""
    if key_backend == PKCS11:
        from vanphong.pki import hsm

        token, _key_id = hsm.parse_reference(reference)
        return hsm.Pkcs11Backend(token)
    return default_backend()
