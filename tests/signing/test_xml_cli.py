"""`vanphong sign-xml`, `vanphong verify FILE.xml` (chosen by content) and `vanphong xml-policy`."""

import pytest

from tests.signing.conftest import write
from tests.signing.test_xmldsig import INTEROP, edxml_package, xmlsec1_verify
from vanphong.cli import main
from vanphong.pki import services as pki_services
from vanphong.signing import selectors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_shell")]


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seal_p12(pki, ca_operator, agency_a, tmp_path):
    issued = pki_services.issue_with_generated_key(ca_operator, profile="agency-seal", passphrase="mật khẩu dài", holder_agency=agency_a)
    return write(tmp_path / "seal.p12", issued.pkcs12), write(tmp_path / "pass.txt", "mật khẩu dài\n")


def test_sign_xml_then_verify(capsys, seal_p12, pki, tmp_path, agency_a):
    p12, passphrase = seal_p12
    source = write(tmp_path / "goi-tin.xml", edxml_package())
    code, out, err = run(capsys, "sign-xml", source, "--p12", p12, "--passphrase-file", passphrase, "--out", tmp_path / "signed.bin")
    assert code == 0, err
    assert "Signed" in out
    assert xmlsec1_verify(tmp_path / "signed.bin", pki.root_pem).returncode == 0

    # No .xml extension: the content decides.
    code, out, _err = run(capsys, "verify", tmp_path / "signed.bin")
    assert code == 0, out
    assert "XML signature of the edXML package: VALID" in out
    assert f"Agency in the certificate: {agency_a.code}" in out and "The certificate's agency matches From: yes" in out
    assert "Chain: VănPhòng Thử nghiệm Issuing CA → VănPhòng Thử nghiệm Root CA" in out
    assert out.rstrip().endswith("The package's signature is valid.")

    tampered = (tmp_path / "signed.bin").read_bytes().replace("triển khai".encode(), "triển khaj".encode(), 1)
    code, out, _err = run(capsys, "verify", write(tmp_path / "tampered.pdf", tampered))
    assert code == 1 and "INVALID" in out and "changed after signing" in out
    assert out.rstrip().endswith("The package's signature is NOT valid.")


def test_verify_exit_codes(capsys, tmp_path):
    code, out, _err = run(capsys, "verify", INTEROP / "edoc_multi_recipient.edxml")
    assert code == 1 and "UNVERIFIABLE" in out and "placeholder" in out
    code, out, _err = run(capsys, "verify", INTEROP / "status_inbox_01.edxml")
    assert code == 1 and "UNSIGNED" in out
    code, out, _err = run(capsys, "verify", write(tmp_path / "broken.xml", b"\xef\xbb\xbf  <edXML><unclosed>"))
    assert code == 2 and "MALFORMED" in out and "not well-formed" in out


def test_sign_xml_refusals(capsys, seal_p12, tmp_path):
    p12, _passphrase = seal_p12
    wrong = write(tmp_path / "wrong.txt", "không đúng\n")
    source = write(tmp_path / "goi-tin.xml", edxml_package())
    code, _out, err = run(capsys, "sign-xml", source, "--p12", p12, "--passphrase-file", wrong, "--out", tmp_path / "x.xml")
    assert code == 1 and "the passphrase is wrong" in err and not (tmp_path / "x.xml").exists()
    code, _out, err = run(capsys, "sign-xml", write(tmp_path / "junk.xml", b"<html/>"), "--p12", p12, "--passphrase-file", _passphrase,
                          "--out", tmp_path / "x.xml")
    assert code == 1 and "not an edXML package" in err and not (tmp_path / "x.xml").exists()
    code, _out, err = run(capsys, "sign-xml", tmp_path / "missing.xml", "--p12", p12, "--passphrase-file", wrong, "--out", "x.xml")
    assert code == 2 and "Cannot read" in err


def test_xml_policy(capsys):
    code, out, _err = run(capsys, "xml-policy")
    assert code == 0 and "refused" in out
    code, out, _err = run(capsys, "xml-policy", "--accept-sha1")
    assert code == 0 and "accepted" in out and selectors.xml_signature_policy().accept_sha1
    code, out, _err = run(capsys, "xml-policy", "--refuse-sha1")
    assert code == 0 and "refused" in out and not selectors.xml_signature_policy().accept_sha1
