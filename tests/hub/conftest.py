"""Fixtures for the hub: a CA, two agencies the hub serves, and each one's node client certificate."""

from __future__ import annotations

import os
import random
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import translation

from vanphong.hub import demo_network, services
from vanphong.hub.identity import ENVIRON_KEY
from vanphong.pki import services as pki

# Tests whose instances run on SQLite databases of their own and never open the test database: the PostgreSQL half of
# `make test` would repeat them exactly, at minutes each, so they run in the SQLite half only.
on_own_databases = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                      reason="its instances use SQLite databases of their own: the SQLite run covers it")


def free_base_port(count: int = 4) -> int:
    """The first of `count` consecutive free ports on loopback (the servers of a three-instance network)."""
    for _attempt in range(50):
        base = random.randint(20000, 40000)
        try:
            for port in range(base, base + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise AssertionError(f"no {count} free ports")


@pytest.fixture(scope="session")
def prepared_network(tmp_path_factory, new_instance):
    """The three instances of vanphong.hub.demo_network (hub, node A, node B), set up once per session by
    demo_network.prepare, the set-up `vanphong hub demo-network` runs on a new folder (each instance's database comes
    migrated: tests.instances). Nothing is started here. Tests take copies (`network_copy`): setting up costs minutes,
    and prepare() on a prepared folder only migrates and gives the hub's directory the node address of the test's run."""
    folder = tmp_path_factory.mktemp("prepared-network")
    for name in ("hub", "node-a", "node-b"):
        new_instance(folder / name)
    demo_network.prepare(folder, base_port=free_base_port())
    return folder


@pytest.fixture
def network_copy(prepared_network, tmp_path):
    """A test's own copy of the prepared network's folders (databases, CAs, certificates, keys), nothing running."""
    return shutil.copytree(prepared_network, tmp_path / "net")


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, the msgids; the Vietnamese comes from the catalogue."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Nodes ask for English here: the messages are compared in English, the msgids."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@dataclass
class NodeCredentials:
    """A node's client certificate and key, as files for a TLS client and as DER for the test client."""

    certificate: object  # pki.models.Certificate
    cert_path: Path
    key_path: Path

    @property
    def der(self) -> bytes:
        return self.certificate.x509.public_bytes(serialization.Encoding.DER)

    @property
    def meta(self) -> dict:
        return {ENVIRON_KEY: self.der}


def make_key_and_csr(common_name: str = "node"):
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
           .sign(key, hashes.SHA256()))
    return key, csr.public_bytes(serialization.Encoding.PEM)


def write_key(key, path: Path) -> Path:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


def issue_node_certificate(folder: Path, *, profile: str = "tls-client", agency=None, name: str = "node",
                           dns_names=(), ip_addresses=()) -> NodeCredentials:
    key, csr = make_key_and_csr(name)
    cert = pki.issue_from_csr(None, profile=profile, csr_data=csr, holder_agency=agency, subject=name, dns_names=dns_names,
                                ip_addresses=ip_addresses)
    stem = f"{name}-{cert.serial[:8]}"
    cert_path = folder / f"{stem}.pem"
    cert_path.write_text(cert.certificate_pem)
    return NodeCredentials(cert, cert_path, write_key(key, folder / f"{stem}.key"))


@pytest.fixture
def ca(db, tmp_path):
    root, issuing = pki.init_ca(None, name="VănPhòng Mạng thử", algorithm="p256")
    bundle = tmp_path / "ca.pem"
    bundle.write_text(issuing.certificate_pem + root.certificate_pem)
    return bundle


@pytest.fixture
def member_a(agency_a):
    return services.serve_agency(None, agency_a, endpoint="https://tu-bacninh.example.vn/hub/")


@pytest.fixture
def member_b(agency_b):
    return services.serve_agency(None, agency_b)


@pytest.fixture
def node_a(ca, member_a, tmp_path):
    return issue_node_certificate(tmp_path, agency=member_a.agency, name="node-a")


@pytest.fixture
def node_b(ca, member_b, tmp_path):
    return issue_node_certificate(tmp_path, agency=member_b.agency, name="node-b")
