"""`vanphong ca …` end to end, in this process (as tests/core/test_cli.py walks the parser)."""

import stat

import pytest

from tests.pki.conftest import make_csr, openssl, weak_rsa_csr, write
from vanphong.cli import main
from vanphong.pki.cli import REASONS
from vanphong.pki.models import Certificate, CertificateAuthority, RevocationReason

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_shell")]


def run(capsys, *args):
    code = main(["ca", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_init_once_then_only_with_force(capsys):
    code, out, _ = run(capsys, "init", "--name", "Văn phòng Tỉnh ủy")
    assert code == 0 and "Văn phòng Tỉnh ủy Root CA (van-phong-tinh-uy-root)" in out
    assert "http://127.0.0.1:8000/pki/crl/van-phong-tinh-uy-issuing.crl" in out
    code, _, err = run(capsys, "init")
    assert code == 1 and "already exists" in err
    code, out, _ = run(capsys, "init", "--name", "Văn phòng Tỉnh ủy", "--force", "--algorithm", "rsa3072")
    assert code == 0 and "van-phong-tinh-uy-issuing-g2" in out
    assert CertificateAuthority.objects.filter(is_active=True, key_algorithm="rsa3072").count() == 2


def test_issue_list_renew_revoke_and_crl(capsys, tmp_path, official, agency_a):
    assert run(capsys, "init")[0] == 0
    csr = write(tmp_path / "node.csr", make_csr(dns=["node1.vanphong.test"]))
    code, out, err = run(capsys, "issue", "--profile", "tls-server", "--csr", csr)
    assert code == 0 and out.startswith("-----BEGIN CERTIFICATE-----") and "Issued certificate" in err
    node = Certificate.objects.get(profile="tls-server")
    assert "DNS:node1.vanphong.test" in openssl("x509", "-noout", "-ext", "subjectAltName", input=out).stdout

    passphrase = write(tmp_path / "pass.txt", "Mật khẩu của tôi 2026\n")
    p12, pem = tmp_path / "official.p12", tmp_path / "official.pem"
    code, out, _ = run(capsys, "issue", "--profile", "official", "--person", official.username, "--p12", p12,
                       "--passphrase-file", passphrase, "--out", pem)
    assert code == 0 and "for Nguyễn Thị Ánh Tuyết" in out
    assert stat.S_IMODE(p12.stat().st_mode) == 0o600
    write(tmp_path / "pass-no-newline.txt", "Mật khẩu của tôi 2026")  # the trailing newline was not part of it
    openssl("pkcs12", "-in", p12, "-passin", f"file:{tmp_path / 'pass-no-newline.txt'}", "-noout")
    assert openssl("x509", "-in", pem, "-noout", "-subject").returncode == 0

    seal_out = tmp_path / "seal.pem"
    code, _, _ = run(capsys, "issue", "--profile", "agency-seal", "--agency", agency_a.code, "--csr", csr, "--out", seal_out)
    assert code == 0 and seal_out.exists()

    code, out, _ = run(capsys, "list")
    assert code == 0 and node.serial in out and "Nguyễn Thị Ánh Tuyết" in out and "vanphong-issuing" in out

    code, out, _ = run(capsys, "renew", format(node.serial_number, "X"), "--out", tmp_path / "renewed.pem")
    assert code == 0 and "Renewed certificate" in out and Certificate.objects.filter(renewal_of=node).count() == 1

    code, out, _ = run(capsys, "revoke", node.serial, "--reason", "keyCompromise")
    assert code == 0 and "Revoked certificate" in out
    code, _, err = run(capsys, "revoke", node.serial, "--reason", "superseded")
    assert code == 1 and "already revoked" in err

    crl = tmp_path / "issuing.crl"
    code, out, _ = run(capsys, "crl", "--out", crl)
    assert code == 0 and "Wrote the CRL" in out
    text = openssl("crl", "-inform", "DER", "-in", crl, "-noout", "-text").stdout
    assert format(node.serial_number, "X") in text and "Key Compromise" in text
    code, out, _ = run(capsys, "crl")
    assert code == 0 and out.startswith("-----BEGIN X509 CRL-----")
    code, out, _ = run(capsys, "list", "--status", "revoked")
    assert node.serial in out and "1 certificates." in out


def test_bad_input_gets_a_clear_message_and_a_non_zero_exit(capsys, tmp_path, official):
    assert run(capsys, "init")[0] == 0
    count = Certificate.objects.count()
    with pytest.raises(SystemExit) as exit_info:
        main(["ca", "issue", "--profile", "nope", "--csr", "x"])
    assert exit_info.value.code == 2 and "invalid choice: 'nope'" in capsys.readouterr().err

    weak = write(tmp_path / "weak.csr", weak_rsa_csr())
    code, out, err = run(capsys, "issue", "--profile", "tls-client", "--csr", weak)
    assert code == 1 and "too weak: RSA with 1024 bits" in err and out == ""

    code, _, err = run(capsys, "issue", "--profile", "official", "--person", official.username, "--p12", tmp_path / "o.p12",
                       "--passphrase-file", tmp_path / "missing.txt")
    assert code == 1 and "Cannot read the passphrase file" in err and "No such file" in err
    short = write(tmp_path / "short.txt", "1234\n")
    code, _, err = run(capsys, "issue", "--profile", "official", "--person", official.username, "--p12", tmp_path / "o.p12",
                       "--passphrase-file", short)
    assert code == 1 and "at least 8 characters" in err
    assert not (tmp_path / "o.p12").exists()
    code, _, err = run(capsys, "issue", "--profile", "official", "--person", official.username, "--p12", tmp_path / "o.p12")
    assert code == 1 and "--p12 needs --passphrase-file" in err
    code, _, err = run(capsys, "issue", "--profile", "official", "--person", "nobody", "--csr", write(tmp_path / "ok.csr", make_csr()))
    assert code == 1 and "No person has the username nobody" in err
    # A file that cannot be written: nothing is issued.
    code, _, err = run(capsys, "issue", "--profile", "official", "--person", official.username, "--p12", tmp_path / "no-dir" / "o.p12",
                       "--passphrase-file", write(tmp_path / "p.txt", "Mat-khau-2026"))
    assert code == 1 and "Cannot write" in err
    assert Certificate.objects.count() == count

    code, _, err = run(capsys, "revoke", "abcdef0123", "--reason", "keyCompromise")
    assert code == 1 and "No certificate has the serial number abcdef0123" in err
    code, _, err = run(capsys, "revoke", "not-hex", "--reason", "keyCompromise")
    assert code == 1 and "is not a certificate serial number" in err


def test_crl_before_init(capsys):
    code, _, err = run(capsys, "crl")
    assert code == 1 and "initialise it first" in err


def test_cli_reasons_are_the_models_reasons():
    assert REASONS == RevocationReason.values


def test_issue_batch_certifies_a_folder_of_csrs_named_after_their_holders(capsys, tmp_path, agency_a):
    from tests.factories import make_person

    assert run(capsys, "init")[0] == 0
    people = [make_person(agency_a, f"chuyenvien.{n}", f"Phạm Thị Chuyên Viên {n}", roles=["specialist"]) for n in range(3)]
    csrs = tmp_path / "csr"
    csrs.mkdir()
    for person in people:
        write(csrs / f"{person.username.upper() if person is people[0] else person.username}.csr", make_csr())
    write(csrs / "README.txt", "not a CSR: ignored")

    code, out, err = run(capsys, "issue-batch", "--profile", "official", "--csr-dir", csrs, "--out-dir", tmp_path / "out")

    assert code == 0, err
    assert "Issued 3 certificates (official)" in out
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["CHUYENVIEN.0.pem", "chain.pem", "chuyenvien.1.pem", "chuyenvien.2.pem"]
    for person, name in zip(people, written[:1] + written[2:], strict=True):
        text = openssl("x509", "-in", tmp_path / "out" / name, "-noout", "-subject", "-nameopt", "utf8").stdout
        assert person.full_name in text
        verified = openssl("verify", "-CAfile", tmp_path / "out" / "chain.pem", tmp_path / "out" / name).stdout
        assert verified.strip().endswith("OK")
    assert Certificate.objects.filter(profile="official", holder_person__in=people).count() == 3


def test_issue_batch_refuses_the_whole_folder_naming_each_bad_file(capsys, tmp_path, official):
    assert run(capsys, "init")[0] == 0
    csrs = tmp_path / "csr"
    csrs.mkdir()
    write(csrs / f"{official.username}.csr", make_csr())
    write(csrs / "khongcoai.csr", make_csr())
    write(csrs / "yeu.req", weak_rsa_csr())
    from tests.factories import make_person

    weak_key_holder = make_person(official.agency, "chuyenvien.yeu", "Đỗ Văn Yếu", roles=["specialist"])
    write(csrs / f"{weak_key_holder.username}.csr", weak_rsa_csr())
    before = Certificate.objects.count()

    code, out, err = run(capsys, "issue-batch", "--profile", "official", "--csr-dir", csrs, "--out-dir", tmp_path / "out")

    assert code == 1 and out == ""
    assert "khongcoai.csr: no active person of the agencies hosted here has the username “khongcoai”." in err
    assert "yeu.req: no active person" in err
    # Named right, but its key is weak: said in the same answer, so that one round of corrections is enough.
    assert "chuyenvien.yeu.csr: The key is too weak: RSA with 1024 bits." in err
    assert err.index("chuyenvien.yeu.csr") < err.index("khongcoai.csr") < err.index("yeu.req")
    assert Certificate.objects.count() == before and not list((tmp_path / "out").iterdir())
    code, _, err = run(capsys, "issue-batch", "--profile", "official", "--csr-dir", tmp_path / "missing", "--out-dir", tmp_path / "out")
    assert code == 1 and "is not a folder" in err
    code, _, err = run(capsys, "issue-batch", "--profile", "official", "--csr-dir", tmp_path / "out", "--out-dir", tmp_path / "out2")
    assert code == 1 and "Choose the CSR files to certify." in err


def test_issue_batch_counts_the_files_before_reading_them(capsys, tmp_path, monkeypatch):
    from vanphong.pki import services

    assert run(capsys, "init")[0] == 0
    monkeypatch.setattr(services, "MAX_BATCH", 2)
    csrs = tmp_path / "csr"
    csrs.mkdir()
    for n in range(3):
        write(csrs / f"node{n}.csr", make_csr())
    read = []
    monkeypatch.setattr("vanphong.pki.cli._read", lambda path, what: read.append(path) or b"")
    code, _, err = run(capsys, "issue-batch", "--profile", "tls-server", "--csr-dir", csrs, "--out-dir", tmp_path / "out")
    assert code == 1 and "At most 2 certificates are issued at once; this batch has 3." in err
    assert read == [] and not Certificate.objects.filter(profile="tls-server").exists()
