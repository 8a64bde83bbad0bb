"""What signs: a key with its certificate and chain, as a pyHanko signer kept ready in memory.

pyHanko's SimpleSigner re-reads its key on every signature (most of the cost of a signature);
here the key is the cached pki.keys.SigningKey, and the pyHanko signer built around it is cached
too, per certificate. A PKCS#12 opened for `vanphong sign` is cached too, so a
script signing many files pays the passphrase's key derivation once.

The signer also keeps its signed attributes: under PAdES they are the content type, the
signing-certificate-v2 reference and the message digest, the same for every signature but the
digest. asn1crypto rebuilds them from the certificate in ~10 ms, two thirds of a B-B signature;
the kept DER with the new digest in place is byte for byte what pyHanko would build.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property, lru_cache

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils.translation import gettext as _
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanphong.core.errors import ValidationError
from vanphong.pki import keys
from vanphong.pki.models import Certificate


def asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


# Signed attributes that do not change from one signature to the next but for the digest.
CONSTANT_SIGNED_ATTRIBUTES = {"content_type", "message_digest", "signing_certificate_v2", "cms_algorithm_protection"}


class KeySigner(Signer):
    """pyHanko's CMS signer over a pki.keys.SigningKey (SHA-256: PKCS#1 v1.5 or ECDSA)."""

    def __init__(self, key: keys.SigningKey, certificate: x509.Certificate, chain: list[x509.Certificate]):
        super().__init__(signing_cert=asn1(certificate), cert_registry=SimpleCertificateStore.from_certs([asn1(c) for c in chain]),
                         embed_roots=False)
        self._key = key
        self._signed_attrs_templates: dict[tuple, tuple[bytes, bytes]] = {}

    @property
    def signing_key(self) -> keys.SigningKey:
        """The key itself, for signatures other than CMS (XML-DSig)."""
        return self._key

    async def signed_attrs(self, data_digest: bytes, digest_algorithm: str, attr_settings=None, content_type="data",
                           use_pades=False, timestamper=None, dry_run=False, is_pdf_sig=True) -> cms.CMSAttributes:
        build = super().signed_attrs
        key = (digest_algorithm, content_type, use_pades, is_pdf_sig)
        if key not in self._signed_attrs_templates:
            placeholder = os.urandom(len(data_digest))
            template = await build(placeholder, digest_algorithm, attr_settings=attr_settings, content_type=content_type,
                                   use_pades=use_pades, timestamper=timestamper, dry_run=dry_run, is_pdf_sig=is_pdf_sig)
            if {attribute["type"].native for attribute in template} - CONSTANT_SIGNED_ATTRIBUTES:
                # A time or other changing attribute (not PAdES): build every time.
                return await build(data_digest, digest_algorithm, attr_settings=attr_settings, content_type=content_type,
                                   use_pades=use_pades, timestamper=timestamper, dry_run=dry_run, is_pdf_sig=is_pdf_sig)
            self._signed_attrs_templates[key] = (placeholder, template.dump())
        placeholder, der = self._signed_attrs_templates[key]
        assert der.count(placeholder) == 1 and len(data_digest) == len(placeholder)
        return cms.CMSAttributes.load(der.replace(placeholder, data_digest))

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        assert digest_algorithm == "sha256", digest_algorithm  # pki.keys signs with SHA-256
        return self._key.sign(data)


@dataclass(frozen=True)
class Credentials:
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # issuers, leaf's issuer first (the root may be left out)
    signer: KeySigner

    @cached_property
    def size(self) -> int:
        """Bytes of DER the certificate and chain take in a signature."""
        return sum(len(c.public_bytes(serialization.Encoding.DER)) for c in (self.certificate, *self.chain))

    @cached_property
    def common_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.certificate.subject.rfc4514_string()


def _chain_of(row: Certificate) -> list[x509.Certificate]:
    return [ca.x509 for ca in row.issuers()]


@lru_cache(maxsize=256)
def _held(serial: str, certificate_pem: str, key_backend: str, reference: str, chain_pems: tuple[str, ...]) -> Credentials:
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    chain = [x509.load_pem_x509_certificate(pem.encode("ascii")) for pem in chain_pems]
    return Credentials(certificate, tuple(chain), KeySigner(keys.load(key_backend, reference), certificate, chain))


def held(row: Certificate) -> Credentials:
    """The credentials of a certificate whose key this instance holds."""
    chain = tuple(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in _chain_of(row))
    return _held(row.serial, row.certificate_pem, row.key_backend, row.private_key, chain)


@lru_cache(maxsize=16)
def _from_pkcs12(data: bytes, passphrase: bytes) -> Credentials:
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        raise ValidationError(_("The PKCS#12 file cannot be opened: the passphrase is wrong, or the file is damaged.")) from None
    if key is None or certificate is None:
        raise ValidationError(_("The PKCS#12 file holds no private key with its certificate."))
    return Credentials(certificate, tuple(others), KeySigner(keys.from_private_key(key), certificate, list(others)))


def from_pkcs12(data: bytes, passphrase: str) -> Credentials:
    return _from_pkcs12(data, passphrase.encode("utf-8"))
