"""CA keys in an HSM through PKCS#11, against SoftHSM2: `ca init --hsm-…`, certificates, CRLs and
OCSP responses signed in the token and judged by openssl, keys that cannot leave the token, and
a wrong PIN."""

from __future__ import annotations

import subprocess

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp as x509_ocsp
from pkcs11 import Attribute, ObjectClass
from pkcs11 import exceptions as p11

from tests.pki.conftest import make_csr, openssl, write
from vanphong.cli import main
from vanphong.pki import hsm, keys, ocsp, selectors, services
from vanphong.pki.models import Certificate, CertificateAuthority

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_shell")]

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
LABEL = "VanPhong CA"
PIN = "271828"


@pytest.fixture
def softhsm(tmp_path, monkeypatch):
    """A SoftHSM2 token of this test's own, in a temporary folder (SOFTHSM2_CONF)."""
    folder = tmp_path / "softhsm"
    (folder / "tokens").mkdir(parents=True)
    conf = write(folder / "softhsm2.conf", f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", LABEL, "--pin", PIN, "--so-pin", "31415926"],
                   check=True, capture_output=True, timeout=60)
    hsm.forget_sessions()
    pkcs11.lib(MODULE).reinitialize()  # SoftHSM2 reads its configuration and tokens when initialised
    yield hsm.Token(MODULE, LABEL, str(write(folder / "pin.txt", PIN + "\n")))
    hsm.forget_sessions()


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _token_key(token: hsm.Token, reference: str):
    _token, key_id = hsm.parse_reference(reference)
    session = hsm.session(token).session
    return session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=key_id)


def test_ca_init_in_the_token_then_issue_and_revoke(capsys, softhsm, tmp_path, ca_operator):
    code, out, err = run(capsys, "ca", "init", "--algorithm", "p256", "--hsm-module", MODULE, "--hsm-token", LABEL,
                         "--hsm-pin-file", softhsm.pin_file)
    assert code == 0, err
    assert f"made in the HSM token “{LABEL}”" in out
    root, issuing = selectors.active_root_ca(), selectors.active_issuing_ca()
    for held in (root, issuing, *Certificate.objects.exclude(private_key="")):  # CAs, OCSP signers, TSA
        assert held.key_backend == keys.PKCS11 and held.private_key.startswith("pkcs11:token=VanPhong%20CA;id=")
        assert PIN not in held.private_key and "pin-source=file:" in held.private_key

    cert = services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr(), dns_names=["node1.vanphong.test"])
    root_pem, issuing_pem = write(tmp_path / "root.pem", root.certificate_pem), write(tmp_path / "issuing.pem", issuing.certificate_pem)
    leaf = write(tmp_path / "leaf.pem", cert.certificate_pem)

    def crl_file():
        der = CertificateAuthority.objects.get(pk=issuing.pk).crl_der
        return write(tmp_path / "crl.der", bytes(der))

    crl = openssl("crl", "-inform", "DER", "-in", crl_file(), "-out", tmp_path / "crl.pem")
    assert crl.returncode == 0
    result = openssl("verify", "-CAfile", root_pem, "-untrusted", issuing_pem, "-crl_check", "-CRLfile", tmp_path / "crl.pem", leaf)
    assert result.stdout.strip().endswith(": OK")
    openssl("crl", "-in", tmp_path / "crl.pem", "-CAfile", issuing_pem, "-noout", "-verify")  # the CRL's signature, made in the token

    # OCSP: answered by the issuing CA's responder, whose key is in the token too.
    request = x509_ocsp.OCSPRequestBuilder().add_certificate(cert.x509, issuing.x509, hashes.SHA256()).build()
    response = x509_ocsp.load_der_ocsp_response(ocsp.respond(request.public_bytes(serialization.Encoding.DER)))
    assert response.certificate_status == x509_ocsp.OCSPCertStatus.GOOD
    responder = response.certificates[0]
    responder.public_key().verify(response.signature, response.tbs_response_bytes, ec.ECDSA(hashes.SHA256()))
    assert response.responder_key_hash == x509.SubjectKeyIdentifier.from_public_key(responder.public_key()).digest
    ocsp_der = write(tmp_path / "response.der", response.public_bytes(serialization.Encoding.DER))
    result = openssl("ocsp", "-respin", ocsp_der, "-issuer", issuing_pem, "-sha256", "-cert", leaf, "-CAfile", root_pem,
                     "-verify_other", issuing_pem, "-no_nonce", check=False)
    assert "Response verify OK" in result.stdout + result.stderr and ": good" in result.stdout

    services.revoke(ca_operator, cert, reason="keyCompromise")
    openssl("crl", "-inform", "DER", "-in", crl_file(), "-out", tmp_path / "crl.pem")
    result = openssl("verify", "-CAfile", root_pem, "-untrusted", issuing_pem, "-crl_check", "-CRLfile", tmp_path / "crl.pem", leaf,
                     check=False)
    assert result.returncode != 0 and "certificate revoked" in result.stdout + result.stderr


def test_rsa_ca_in_the_token(softhsm, ca_operator, tmp_path):
    root, issuing = services.init_ca(ca_operator, name="VănPhòng HSM", algorithm="rsa3072", hsm=softhsm)
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    chain = write(tmp_path / "chain.pem", issuing.certificate_pem)
    result = openssl("verify", "-CAfile", write(tmp_path / "root.pem", root.certificate_pem), "-untrusted", chain,
                     write(tmp_path / "leaf.pem", cert.certificate_pem))
    assert result.stdout.strip().endswith(": OK")


def test_keys_cannot_leave_the_token(softhsm, ca_operator):
    root, issuing = services.init_ca(ca_operator, algorithm="p256", hsm=softhsm)
    for ca in (root, issuing):
        private = _token_key(softhsm, ca.private_key)
        assert private[Attribute.EXTRACTABLE] is False and private[Attribute.SENSITIVE] is True
        assert private[Attribute.NEVER_EXTRACTABLE] is True
        with pytest.raises(p11.AttributeSensitive):
            private[Attribute.VALUE]  # the secret scalar


def test_wrong_pin_gives_a_clear_error(capsys, softhsm, tmp_path, ca_operator):
    wrong = write(tmp_path / "wrong-pin.txt", "000000\n")
    code, _out, err = run(capsys, "ca", "init", "--hsm-module", MODULE, "--hsm-token", LABEL, "--hsm-pin-file", wrong)
    assert code == 1 and f"The HSM token “{LABEL}” refused the PIN" in err
    assert not CertificateAuthority.objects.exists()
    code, _out, err = run(capsys, "ca", "init", "--hsm-module", MODULE, "--hsm-token", "No Such Token", "--hsm-pin-file", wrong)
    assert code == 1 and "The HSM has no token labelled “No Such Token”" in err
    code, _out, err = run(capsys, "ca", "init", "--hsm-token", LABEL)
    assert code == 1 and "needs both --hsm-module" in err

    # A CA made with the right PIN, whose PIN file later goes wrong: issuing says why it cannot.
    services.init_ca(ca_operator, algorithm="p256", hsm=softhsm)
    write(tmp_path / "softhsm" / "pin.txt", "000000\n")
    hsm.forget_sessions()
    with pytest.raises(keys.KeyUnavailable, match="refused the PIN"):
        services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())


def test_held_seal_key_in_the_token_signs_an_edxml_package(softhsm, ca_operator, agency_a, tmp_path):
    from tests.signing.test_xmldsig import edxml_package, xmlsec1_verify
    from vanphong.signing import credentials, xmldsig

    root, _issuing = services.init_ca(ca_operator, algorithm="p256", hsm=softhsm)
    seal = services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_a)
    assert seal.key_backend == keys.PKCS11
    signed = xmldsig.sign_package(edxml_package(), credentials.held(seal))
    assert xmldsig.verify_package(signed).valid
    assert xmlsec1_verify(write(tmp_path / "signed.edxml", signed), write(tmp_path / "root.pem", root.certificate_pem)).returncode == 0


def test_pades_signature_and_time_stamp_made_in_the_token(softhsm, ca_operator, official):
    """The official's held key and the TSA's key are in the token too: a B-T signature verifies."""
    from tests.signing.conftest import make_pdf
    from vanphong.signing import services as signing
    from vanphong.signing import verification

    services.init_ca(ca_operator, algorithm="p256", hsm=softhsm)
    row = services.issue_with_held_key(ca_operator, profile="official", holder_person=official)
    tsa_row = Certificate.objects.get(profile="timestamping")
    assert row.key_backend == tsa_row.key_backend == keys.PKCS11
    report = verification.verify_pdf(signing.sign_as_official(official, make_pdf(), level="B-T"))
    assert report.valid, [s.problems for s in report.signatures]
    assert report.signatures[0].timestamp_time is not None


def test_check_reports_an_unusable_hsm_pin(softhsm, ca_operator, tmp_path):
    from vanphong.pki.health import check_ca_keys

    assert check_ca_keys().ok  # no CA yet
    services.init_ca(ca_operator, algorithm="p256", hsm=softhsm)
    result = check_ca_keys()
    assert result.ok and f"HSM token “{LABEL}”" in result.detail
    write(tmp_path / "softhsm" / "pin.txt", "000000\n")
    hsm.forget_sessions()
    result = check_ca_keys()
    assert not result.ok and "refused the PIN" in result.detail
