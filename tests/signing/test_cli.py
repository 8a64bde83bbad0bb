"""`vanphong sign` and `vanphong verify` end to end, with their exit codes, judged by pdfsig too."""

import pytest

from tests.signing.conftest import pdfsig, tamper, write
from vanphong.cli import main
from vanphong.pki import services as pki_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_shell")]


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def holder_files(pki, ca_operator, official, agency_a, tmp_path):
    official_p12 = pki_services.issue_with_generated_key(ca_operator, profile="official", passphrase="mật khẩu dài", holder_person=official)
    seal_p12 = pki_services.issue_with_generated_key(ca_operator, profile="agency-seal", passphrase="mật khẩu dài", holder_agency=agency_a)
    return (write(tmp_path / "official.p12", official_p12.pkcs12), write(tmp_path / "seal.p12", seal_p12.pkcs12),
            write(tmp_path / "pass.txt", "mật khẩu dài\n"))


def test_sign_seal_and_verify(capsys, holder_files, unsigned_pdf, tmp_path, nss_db):
    official_p12, seal_p12, passphrase = holder_files
    source = write(tmp_path / "draft.pdf", unsigned_pdf)
    code, out, err = run(capsys, "sign", source, "--p12", official_p12, "--passphrase-file", passphrase, "--out", tmp_path / "signed.pdf",
                         "--position", "Phó Chánh Văn phòng")
    assert code == 0, err
    assert "Signed" in out and "(B-T)" in out
    code, _out, err = run(capsys, "sign", tmp_path / "signed.pdf", "--p12", seal_p12, "--passphrase-file", passphrase, "--seal",
                          "--level", "B-LT", "--out", tmp_path / "sealed.pdf")
    assert code == 0, err

    code, out, _err = run(capsys, "verify", tmp_path / "sealed.pdf")
    assert code == 0, out
    assert "Signature 1 (Official-1): VALID" in out and "Signature 2 (Seal-1): VALID" in out
    assert "Signer: Nguyễn Thị Ánh Tuyết" in out and "Revocation: not revoked" in out
    assert "Chain: VănPhòng Thử nghiệm Issuing CA → VănPhòng Thử nghiệm Root CA" in out
    assert out.rstrip().endswith("All signatures are valid.")
    _code, text = pdfsig(tmp_path / "sealed.pdf", nss_db)
    assert text.count("Signature Validation: Signature is Valid.") == 2

    write(tmp_path / "changed.pdf", tamper((tmp_path / "sealed.pdf").read_bytes()))
    code, out, _err = run(capsys, "verify", tmp_path / "changed.pdf")
    assert code == 1 and "INVALID" in out and "The signed content was altered after signing" in out
    assert out.rstrip().endswith("The document's signatures are NOT all valid.")


def test_exit_codes_for_bad_input(capsys, holder_files, unsigned_pdf, tmp_path):
    official_p12, _seal_p12, _passphrase = holder_files
    source = write(tmp_path / "draft.pdf", unsigned_pdf)
    wrong = write(tmp_path / "wrong.txt", "không đúng\n")
    code, _out, err = run(capsys, "sign", source, "--p12", official_p12, "--passphrase-file", wrong, "--out", tmp_path / "x.pdf")
    assert code == 1 and "the passphrase is wrong" in err
    assert not (tmp_path / "x.pdf").exists()
    code, _out, err = run(capsys, "sign", tmp_path / "missing.pdf", "--p12", official_p12, "--passphrase-file", wrong, "--out", "x.pdf")
    assert code == 2 and "Cannot read" in err
    code, out, _err = run(capsys, "verify", source)  # a PDF without signatures
    assert code == 1 and "The document carries no signature." in out
    code, _out, err = run(capsys, "verify", write(tmp_path / "junk.pdf", b"not a pdf"))
    assert code == 2 and "not a PDF that can be read" in err
    code, _out, err = run(capsys, "verify", tmp_path / "nowhere.pdf")
    assert code == 2 and "Cannot read" in err
