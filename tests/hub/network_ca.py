"""The network's CA (the hub's) for tests where this database is an ordinary node: it lives only in files,
so nothing of it is in the node's own pki records, as on a node whose CA only seals its own agency."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils import timezone

_USAGE = dict(content_commitment=False, key_encipherment=False, data_encipherment=False, key_agreement=False,
              encipher_only=False, decipher_only=False)


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


class NetworkCA:
    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mạng liên thông thử nghiệm")])
        now = timezone.now()
        public = self.key.public_key()
        self.cert = (x509.CertificateBuilder().subject_name(self.name).issuer_name(self.name).public_key(public)
                     .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                     .not_valid_after(now + dt.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, **_USAGE), critical=True)
                     .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
                     .sign(self.key, hashes.SHA256()))

    def write_bundle(self, path: Path) -> Path:
        path.write_text(pem(self.cert))
        return path

    def node_certificate(self, name: str, *, server: bool = False, starts: dt.timedelta = dt.timedelta(days=-1),
                         lasts: dt.timedelta = dt.timedelta(days=365), write_to: Path | None = None) -> x509.Certificate:
        """A node's TLS client (or, with `server`, server) certificate; with `write_to`, also NAME.pem and NAME.key there."""
        key = ec.generate_private_key(ec.SECP256R1())
        begin = timezone.now() + starts
        builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
                   .issuer_name(self.name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(begin).not_valid_after(begin + lasts)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **_USAGE), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]),
                                  critical=False)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False))
        if server:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                            critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        if write_to is not None:
            (write_to / f"{name}.pem").write_text(pem(cert))
            (write_to / f"{name}.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                                     serialization.NoEncryption()))
        return cert


def directory_entry(code: str, *certs: x509.Certificate, profile: str = "tls-client", name: str = "Tỉnh ủy Bắc Ninh",
                    endpoint: str = "", seal_pem: str = "") -> dict:
    """One agency of the hub's directory, as hub.directory.entries publishes it."""
    listed = [{"serial": format(c.serial_number, "x"), "profile": profile, "notAfter": c.not_valid_after_utc.isoformat(), "pem": pem(c)}
              for c in certs]
    if seal_pem:
        listed.append({"serial": "5ea1", "profile": "agency-seal", "notAfter": "2099-01-01T00:00:00+00:00", "pem": seal_pem})
    return {"code": code, "name": name, "shortName": name[:60], "notationCode": "TU", "endpoint": endpoint, "certificates": listed}
