"""The verification report: revocation before and after signing, time-stamps, external roots."""

import datetime as dt
from unittest import mock

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp as x509_ocsp
from django.utils import timezone

from tests.factories import make_person
from tests.signing.conftest import outside_ca
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.pki import ocsp
from vanphong.pki import services as pki_services
from vanphong.pki.models import Certificate
from vanphong.signing import credentials, pades, services, verification
from vanphong.signing.appearance import OfficialStampStyle

pytestmark = pytest.mark.django_db


def _ocsp_status(cert: Certificate) -> x509_ocsp.OCSPCertStatus:
    request = x509_ocsp.OCSPRequestBuilder().add_certificate(cert.x509, cert.ca.x509, hashes.SHA256()).build()
    return x509_ocsp.load_der_ocsp_response(ocsp.respond(request.public_bytes(serialization.Encoding.DER))).certificate_status


def _sign_regardless(pdf: bytes, cert: Certificate, level: str) -> bytes:
    """Sign without the service's checks: what a program that ignores revocation would make."""
    from vanphong.pki import tsa

    creds = credentials.held(cert)
    writer = pades.open_pdf(pdf)
    return pades.sign(pdf, creds, field_name="Official-1", placement=pades.Placement(0, (300, 70, 520, 195)),
                      style=OfficialStampStyle(position="Giám đốc", full_name=creds.common_name), signed_at="2026-01-01T00:00:00+07:00",
                      level=level, responder=tsa.responder() if level != pades.B_B else None, writer=writer)


def test_revocation_after_a_time_stamped_signature_keeps_it_valid_and_spoils_later_ones(official, official_cert, ca_operator,
                                                                                        unsigned_pdf):
    # Revocation times have whole seconds: the time-stamp is made a minute earlier, so that the
    # order does not hang on which second the test runs in.
    a_minute_ago = timezone.now() - dt.timedelta(minutes=1)
    with mock.patch("vanphong.pki.tsa.timezone.now", return_value=a_minute_ago):
        before_t = services.sign_as_official(official, unsigned_pdf, level="B-T")
    before_b = services.sign_as_official(official, unsigned_pdf, level="B-B")
    assert _ocsp_status(official_cert) == x509_ocsp.OCSPCertStatus.GOOD
    pki_services.revoke(ca_operator, official_cert, reason="keyCompromise")
    assert _ocsp_status(official_cert) == x509_ocsp.OCSPCertStatus.REVOKED

    (kept,) = verification.verify_pdf(before_t).signatures
    assert kept.valid and kept.revocation == verification.REVOKED_LATER
    assert "after the time-stamped signing time: the signature stays valid" in kept.notes[0]

    # Without a time-stamp, nothing proves the signature came before the revocation.
    (unproved,) = verification.verify_pdf(before_b).signatures
    assert not unproved.valid and "no trusted time-stamp proves the signature was made before" in unproved.problems[0]

    # Signed after the revocation (by a program that does not check): invalid.
    official_cert.refresh_from_db()
    (late,) = verification.verify_pdf(_sign_regardless(unsigned_pdf, official_cert, "B-T")).signatures
    assert not late.valid and late.revocation == verification.REVOKED
    assert "Key compromised" in late.problems[0] and "before the time-stamped signing time" in late.problems[0]


def test_signing_with_held_keys_is_audited(official, official_cert, unsigned_pdf):
    signed = services.sign_as_official(official, unsigned_pdf, level="B-B")
    record = AuditRecord.objects.filter(action="signing.pdf_signed").get()
    assert record.actor_id == official.pk and record.data["serial"] == official_cert.serial and record.data["kind"] == "official"
    import hashlib

    assert record.data["sha256_signed"] == hashlib.sha256(signed).hexdigest()


def test_a_signature_under_an_outside_root_is_trusted_once_an_administrator_adds_it(pki, agency_a, admin_a, unsigned_pdf):
    root, key, leaf = outside_ca("Cơ quan chứng thực khác")
    from vanphong.pki import keys

    creds = credentials.Credentials(leaf, (root,), credentials.KeySigner(keys.from_private_key(key), leaf, [root]))
    signed = pades.sign(unsigned_pdf, creds, field_name="Official-1", placement=pades.Placement(0, (300, 70, 520, 195)),
                        style=OfficialStampStyle(position="Chuyên viên", full_name="Ngô Văn Ngoài"),
                        signed_at="2026-01-01T00:00:00+07:00", level=pades.B_B)
    (untrusted,) = verification.verify_pdf(signed).signatures
    assert untrusted.intact and not untrusted.trusted
    assert "which does not lead to a trusted root certificate" in untrusted.problems[0]

    clerk = make_person(agency_a, "vanthu.x", "Vũ Thị Thư", roles=["clerk"])
    pem = root.public_bytes(serialization.Encoding.PEM)
    with pytest.raises(PermissionDenied):
        services.add_trusted_root(clerk, pem)
    with pytest.raises(ValidationError, match="Only a self-signed CA certificate can be a trusted root"):
        services.add_trusted_root(admin_a, leaf.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(ValidationError, match="not an X.509 certificate"):
        services.add_trusted_root(admin_a, b"hello")
    with pytest.raises(ValidationError, match="trusted already"):
        services.add_trusted_root(admin_a, pki.root.certificate_pem.encode())
    trusted_root = services.add_trusted_root(admin_a, pem)
    assert trusted_root.name == "Cơ quan chứng thực khác"

    (trusted,) = verification.verify_pdf(signed).signatures
    assert trusted.valid and trusted.chain == ["Cơ quan chứng thực khác"]
    assert trusted.revocation == verification.UNKNOWN and "revocation status is unknown" in trusted.notes[0]

    services.remove_trusted_root(admin_a, trusted_root)
    assert not verification.verify_pdf(signed).valid


def test_a_document_without_signatures_or_not_a_pdf(unsigned_pdf, pki):
    report = verification.verify_pdf(unsigned_pdf)
    assert not report.valid and report.problems == ["The document carries no signature."]
    with pytest.raises(verification.UnreadableDocument):
        verification.verify_pdf(b"not a pdf at all")


def test_an_expired_certificate_with_a_time_stamp_from_before_stays_valid(official, official_cert, unsigned_pdf, settings):
    signed = services.sign_as_official(official, unsigned_pdf, level="B-T")
    later = official_cert.not_after + dt.timedelta(days=1)
    # Verify as if on a day after the certificate expired (the TSA's certificate lives longer).
    with mock.patch("pyhanko_certvalidator.context.datetime") as fake:
        fake.now.return_value = later
        assert timezone.now() < later
        (signature,) = verification.verify_pdf(signed).signatures
        assert fake.now.called
    assert signature.valid, signature.problems
    assert "The certificate has expired since, but the time-stamp proves" in signature.notes[0]
    # Without the time-stamp, the same day finds it expired.
    plain = services.sign_as_official(official, unsigned_pdf, level="B-B")
    with mock.patch("pyhanko_certvalidator.context.datetime") as fake:
        fake.now.return_value = later
        (signature,) = verification.verify_pdf(plain).signatures
    assert not signature.valid and "has expired, and no trusted time-stamp proves" in signature.problems[0]
