"""Fixtures for the certificate authority: a CA operator, an initialised CA, CSRs, and openssl."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.utils import translation

from vanphong.pki import services


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """These tests make many people and never sign in: Argon2's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class InitialisedCA:
    root: object
    issuing: object
    folder: Path

    @property
    def root_pem(self) -> Path:
        return self._pem("root.pem", self.root)

    @property
    def issuing_pem(self) -> Path:
        return self._pem("issuing.pem", self.issuing)

    @property
    def chain_pem(self) -> Path:
        path = self.folder / "chain.pem"
        path.write_text(self.issuing.certificate_pem + self.root.certificate_pem)
        return path

    def _pem(self, name, ca) -> Path:
        path = self.folder / name
        path.write_text(ca.certificate_pem)
        return path


@pytest.fixture
def pki(ca_operator, tmp_path):
    root, issuing = services.init_ca(ca_operator, name="VănPhòng Thử nghiệm", algorithm="p256")
    return InitialisedCA(root, issuing, tmp_path)


def make_csr(key=None, common_name="node1.vanphong.test", dns=()) -> bytes:
    key = key or ec.generate_private_key(ec.SECP256R1())
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, common_name)]))
    if dns:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def weak_rsa_csr() -> bytes:
    return make_csr(rsa.generate_private_key(public_exponent=65537, key_size=1024), common_name="weak.vanphong.test")


def openssl(*args, check=True, input=None) -> subprocess.CompletedProcess:
    # openssl prints some names byte by byte (BMPString friendly names): undecodable bytes are replaced.
    result = subprocess.run(["openssl", *map(str, args)], capture_output=True, encoding="utf-8", errors="replace", input=input, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"openssl {' '.join(map(str, args))}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path
