"""Bad input is refused with a clear message: expired certificate, unknown CA, wrong passphrase,
someone else's key, a file that is not a PDF."""

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.factories import make_person
from tests.signing.conftest import outside_ca, pkcs12_of
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.pki import certbuilder, profiles
from vanphong.pki import services as pki_services
from vanphong.signing import services

pytestmark = pytest.mark.django_db


def test_an_expired_certificate_cannot_sign(pki, unsigned_pdf):
    key = ec.generate_private_key(ec.SECP256R1())
    long_ago = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=400)
    cert = certbuilder.build(profile=profiles.PROFILES["official"], subject=certbuilder.name(common_name="Lê Văn Hết Hạn"),
                             public_key=key.public_key(), serial=77, not_after=long_ago + dt.timedelta(days=30), issuer=pki.issuing,
                             signer=pki.issuing.signing_key(), now=long_ago)
    p12 = pkcs12_of(key, cert, [pki.issuing.x509, pki.root.x509])
    with pytest.raises(ValidationError, match=r"The certificate of Lê Văn Hết Hạn expired on \d\d/\d\d/\d{4} .*: it can no longer sign"):
        services.sign_with_pkcs12(unsigned_pdf, p12, "mật-khẩu-2026")


def test_a_certificate_from_an_unknown_ca_cannot_sign(pki, unsigned_pdf):
    root, key, leaf = outside_ca()
    p12 = pkcs12_of(key, leaf, [root])  # its own root inside the file does not make it trusted
    with pytest.raises(ValidationError, match="The certificate of Ngô Văn Ngoài was issued by .*Other Authority Root.*, which is "
                                              "not a certificate authority this system trusts"):
        services.sign_with_pkcs12(unsigned_pdf, p12, "mật-khẩu-2026")


def test_a_wrong_pkcs12_passphrase_is_refused(pki, ca_operator, official, unsigned_pdf):
    issued = pki_services.issue_with_generated_key(ca_operator, profile="official", passphrase="đúng-mật-khẩu", holder_person=official)
    with pytest.raises(ValidationError, match="The PKCS#12 file cannot be opened: the passphrase is wrong, or the file is damaged"):
        services.sign_with_pkcs12(unsigned_pdf, issued.pkcs12, "sai-mật-khẩu")
    signed = services.sign_with_pkcs12(unsigned_pdf, issued.pkcs12, "đúng-mật-khẩu", position="Phó Chánh Văn phòng")
    assert signed.startswith(unsigned_pdf)  # an incremental update: the original bytes are kept as they were


def test_a_revoked_certificate_cannot_sign(official, official_cert, ca_operator, unsigned_pdf):
    pki_services.revoke(ca_operator, official_cert, reason="keyCompromise")
    with pytest.raises(ValidationError, match="You have no valid signing certificate"):
        services.sign_as_official(official, unsigned_pdf)


def test_revoked_pkcs12_certificate_cannot_sign(pki, ca_operator, official, unsigned_pdf):
    issued = pki_services.issue_with_generated_key(ca_operator, profile="official", passphrase="đúng-mật-khẩu", holder_person=official)
    pki_services.revoke(ca_operator, issued.certificate, reason="affiliationChanged")
    with pytest.raises(ValidationError, match=r"was revoked on \d\d/\d\d/\d{4}.*: it can no longer sign"):
        services.sign_with_pkcs12(unsigned_pdf, issued.pkcs12, "đúng-mật-khẩu")


def test_only_the_holder_signs_with_an_officials_held_key(official, official_cert, agency_a, unsigned_pdf):
    other = make_person(agency_a, "lanhdao.khac", "Trần Văn Khác", roles=["leader"])
    with pytest.raises(ValidationError, match="You have no valid signing certificate held by the system"):
        services.sign_as_official(other, unsigned_pdf)
    from vanphong.signing import permissions

    with pytest.raises(PermissionDenied, match="Only the official named in this certificate may sign with it"):
        permissions.require_official_key_holder(other, official_cert)


def test_only_a_clerk_of_the_agency_applies_its_seal(official, seal_cert, agency_b, unsigned_pdf):
    with pytest.raises(PermissionDenied, match="Only a clerk of Tỉnh ủy Bắc Ninh may apply its seal"):
        services.apply_seal(official, unsigned_pdf)
    clerk_b = make_person(agency_b, "vanthu.b", "Phan Thị Văn Thư", roles=["clerk"])
    with pytest.raises(ValidationError, match="Ủy ban nhân dân tỉnh Nghệ An has no valid seal certificate"):
        services.apply_seal(clerk_b, unsigned_pdf)


def test_held_keys_only_for_signing_profiles_and_by_a_ca_operator(pki, ca_operator, official, clerk_a):
    with pytest.raises(ValidationError, match="The system holds keys only for officials' and agency seal certificates"):
        pki_services.issue_with_held_key(ca_operator, profile="tls-client")
    with pytest.raises(PermissionDenied):
        pki_services.issue_with_held_key(clerk_a, profile="official", holder_person=official)
    cert = pki_services.issue_with_held_key(ca_operator, profile="official", holder_person=official)
    assert cert.private_key.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")  # encrypted at rest


def test_not_a_pdf_and_unknown_level(official, official_cert, unsigned_pdf):
    with pytest.raises(ValidationError, match="The file is not a PDF that can be read"):
        services.sign_as_official(official, b"PK\x03\x04 a zip, not a pdf")
    with pytest.raises(ValidationError, match="Unknown signature level"):
        services.sign_as_official(official, unsigned_pdf, level="B-X")


def test_a_held_key_is_trusted_through_its_own_root_and_that_vouches_for_no_other_certificate(official, official_cert, unsigned_pdf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vanphong.signing import selectors

    with CaptureQueriesContext(connection) as queries:
        services.sign_as_official(official, unsigned_pdf, level="B-B")
    assert not [q["sql"] for q in queries if "signing_trustedroot" in q["sql"]]  # our root is trusted always: nothing to read
    row = selectors.held_official_certificate(official)
    _root, _key, outsider = outside_ca()
    assert services._chains_to_our_root(row.x509, row)
    assert not services._chains_to_our_root(outsider, row)  # a row of ours does not make another CA's certificate trusted
