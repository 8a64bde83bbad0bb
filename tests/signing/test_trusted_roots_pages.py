"""The trusted roots page: an administrator adds a root by uploading it and removes it after a
confirmation; what is not a usable root is refused with the service's message and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import signed_in
from vanphong.core.models import AuditRecord
from vanphong.signing.models import TrustedRoot

pytestmark = pytest.mark.django_db


def make_root(name: str, *, days: int = 3650, ca: bool = True, issuer_key=None, issuer_name=None, encoding=serialization.Encoding.PEM) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    start, end = (now - dt.timedelta(days=1), now + dt.timedelta(days=days)) if days > 0 else (now - dt.timedelta(days=400), now + dt.timedelta(days=days))
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name or subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(issuer_key or key, hashes.SHA256()))
    return cert.public_bytes(encoding)


def upload(data: bytes, name="root.pem") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/x-x509-ca-cert")


@pytest.fixture
def admin(admin_a) -> Client:
    client = signed_in(Client(), admin_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_add_a_root_in_der_then_remove_it_after_confirmation(admin, admin_a):
    der = make_root("Cơ quan chứng thực quốc gia", encoding=serialization.Encoding.DER)
    response = admin.post("/signing/trusted-roots/", {"certificate": upload(der, "national.cer"), "name": ""})
    assert response.status_code == 302
    root = TrustedRoot.objects.get()
    assert root.name == "Cơ quan chứng thực quốc gia" and root.added_by == admin_a
    body = admin.get("/signing/trusted-roots/").content.decode()
    assert "Cơ quan chứng thực quốc gia" in body and "is now a trusted root" in body
    # Removing asks first; the GET changes nothing.
    page = admin.get(f"/signing/trusted-roots/{root.pk}/remove/").content.decode()
    assert root.fingerprint in page and "will no longer be accepted" in page
    assert TrustedRoot.objects.filter(pk=root.pk).exists()
    assert admin.post(f"/signing/trusted-roots/{root.pk}/remove/").status_code == 302
    assert not TrustedRoot.objects.exists()
    assert list(AuditRecord.objects.filter(action__startswith="signing.trusted_root").order_by("seq").values_list("action", flat=True)) == [
        "signing.trusted_root.added", "signing.trusted_root.removed"]
    assert admin.post(f"/signing/trusted-roots/{root.pk}/remove/").status_code == 404


def _issuer():
    key = ec.generate_private_key(ec.SECP256R1())
    return key, x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Cấp trên")])


@pytest.mark.parametrize("make, message", [
    (lambda: b"hello, not a certificate", "not an X.509 certificate"),
    (lambda: make_root("Lá", ca=False), "Only a self-signed CA certificate"),
    (lambda: make_root("Con", issuer_key=_issuer()[0], issuer_name=_issuer()[1]), "Only a self-signed CA certificate"),
    (lambda: make_root("Hết hạn", days=-5), "This root certificate expired on"),
    (lambda: b"-" * (64 * 1024 + 1), "too large to be a certificate"),
])
def test_refuses_what_is_not_a_usable_root(admin, make, message):
    response = admin.post("/signing/trusted-roots/", {"certificate": upload(make()), "name": "Thử"})
    assert response.status_code == 200 and message in response.content.decode()
    assert not TrustedRoot.objects.exists()


def test_refuses_a_duplicate_and_our_own_root(admin, ca_operator):
    from vanphong.pki import services as pki

    root, _issuing = pki.init_ca(ca_operator, name="VănPhòng", algorithm="p256")
    pem = make_root("Một lần thôi")
    assert admin.post("/signing/trusted-roots/", {"certificate": upload(pem)}).status_code == 302
    for data in (pem, root.certificate_pem.encode()):
        body = admin.post("/signing/trusted-roots/", {"certificate": upload(data)}).content.decode()
        assert "This root certificate is trusted already" in body
    assert TrustedRoot.objects.count() == 1
    assert "This field is required" in admin.post("/signing/trusted-roots/", {"name": "Không có tệp"}).content.decode()
