"""Setting up the CA and issuing certificates, judged by openssl where a third party can judge."""

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.factories import make_person
from tests.pki.conftest import make_csr, openssl, weak_rsa_csr, write
from vanphong.core import audit
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.pki import keys, selectors, services
from vanphong.pki.models import Certificate, CertificateAuthority

pytestmark = pytest.mark.django_db


def _cert_file(tmp_path, cert, name="cert.pem"):
    return write(tmp_path / name, cert.certificate_pem)


def _text(path) -> str:
    return openssl("x509", "-in", path, "-noout", "-text").stdout


# ---- init ---------------------------------------------------------------------------------------


def test_init_makes_a_root_and_an_issuing_ca_that_openssl_chains(pki):
    assert (pki.root.kind, pki.issuing.kind) == ("root", "issuing") and pki.issuing.issuer == pki.root
    result = openssl("verify", "-CAfile", pki.root_pem, pki.issuing_pem)
    assert result.stdout.strip().endswith(": OK")
    root_text, issuing_text = _text(pki.root_pem), _text(pki.issuing_pem)
    assert "CA:TRUE" in root_text and "Certificate Sign, CRL Sign" in root_text and "ASN1 OID: prime256v1" in root_text
    assert "CA:TRUE, pathlen:0" in issuing_text
    assert f"URI:http://127.0.0.1:8000/pki/crl/{pki.root.slug}.crl" in issuing_text
    # The service certificates the responder and the TSA sign with, with keys held here.
    held = Certificate.objects.exclude(private_key="")
    assert sorted(held.values_list("profile", "ca__kind")) == [("ocsp-signer", "issuing"), ("ocsp-signer", "root"),
                                                              ("timestamping", "issuing")]
    assert CertificateAuthority.objects.filter(crl_number=1).count() == 2  # a first CRL each, already published


def test_a_second_init_is_refused_unless_forced(pki, ca_operator):
    first = services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr(dns=["node1.vanphong.test"]))  # loads the first CA in this process
    assert first.ca == pki.issuing
    with pytest.raises(ValidationError, match="already exists"):
        services.init_ca(ca_operator, name="Khác")
    assert CertificateAuthority.objects.count() == 2
    root2, issuing2 = services.init_ca(ca_operator, name="VănPhòng Thử nghiệm", force=True)
    assert issuing2.slug.endswith("-issuing-g2") and issuing2.name.endswith("Issuing CA G2")
    assert set(CertificateAuthority.objects.filter(is_active=True)) == {root2, issuing2}
    assert selectors.active_issuing_ca() == issuing2
    # Issuance follows the new CA at once: signed by its key, naming it as issuer.
    second = services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr(dns=["node1.vanphong.test"]))
    assert second.ca == issuing2
    assert second.x509.issuer == issuing2.x509.subject
    second.x509.verify_directly_issued_by(issuing2.x509)
    # The retired CA keeps its OCSP signer, so it keeps answering for what it issued.
    assert selectors.service_certificate(pki.issuing, "ocsp-signer") is not None


def test_init_with_rsa_3072_and_its_status_services(ca_operator, client, tmp_path):
    root, issuing = services.init_ca(ca_operator, algorithm="rsa3072")
    text = _text(write(tmp_path / "i.pem", issuing.certificate_pem))
    assert "Public-Key: (3072 bit)" in text and "sha256WithRSAEncryption" in text
    assert "ENCRYPTED PRIVATE KEY" in issuing.private_key
    # The TSA and the OCSP responder sign with RSA keys too.
    data, query = write(tmp_path / "d.txt", "dữ liệu"), tmp_path / "q.tsq"
    openssl("ts", "-query", "-data", data, "-sha256", "-cert", "-out", query)
    reply = write(tmp_path / "r.tsr", client.post("/pki/tsa", query.read_bytes(), content_type="application/timestamp-query").content)
    verified = openssl("ts", "-verify", "-data", data, "-in", reply, "-CAfile", write(tmp_path / "root.pem", root.certificate_pem),
                       "-untrusted", tmp_path / "i.pem")
    assert "Verification: OK" in verified.stdout
    crl = write(tmp_path / "c.crl", client.get(f"/pki/crl/{issuing.slug}.crl").content)
    assert "sha256WithRSAEncryption" in openssl("crl", "-inform", "DER", "-in", crl, "-noout", "-text").stdout


def test_unknown_algorithm_is_refused(ca_operator):
    with pytest.raises(ValidationError, match="Unknown key algorithm"):
        services.init_ca(ca_operator, algorithm="rsa1024")
    assert not CertificateAuthority.objects.exists()


def test_issuing_before_init_says_what_to_do(ca_operator):
    with pytest.raises(ValidationError, match="initialise it first"):
        services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())


# ---- keys at rest -------------------------------------------------------------------------------


def test_ca_keys_are_pkcs8_encrypted_with_aes_256_and_cached(pki, tmp_path, settings):
    pem = write(tmp_path / "key.pem", pki.issuing.private_key)
    parsed = openssl("asn1parse", "-in", pem).stdout
    assert ":PBES2" in parsed and ":PBKDF2" in parsed and ":aes-256-cbc" in parsed
    # Encrypted with the passphrase generated into the data folder: it opens the key, nothing else does.
    passphrase = (settings.DATA_DIR / "ca_key_passphrase").read_text().strip()
    openssl("pkey", "-in", pem, "-passin", f"pass:{passphrase}", "-noout")
    assert openssl("pkey", "-in", pem, "-passin", "pass:wrong", "-noout", check=False).returncode != 0
    assert keys.load(pki.issuing.key_backend, pki.issuing.private_key) is keys.load(pki.issuing.key_backend, pki.issuing.private_key)


def test_a_changed_passphrase_gives_a_clear_error(pki, settings):
    settings.VANPHONG_CA_KEY_PASSPHRASE = "not-the-one-the-keys-were-encrypted-with"
    with pytest.raises(keys.KeyUnavailable, match="cannot be decrypted with the configured key-encryption passphrase"):
        pki.issuing.signing_key()


# ---- profiles -----------------------------------------------------------------------------------


def test_tls_server_from_csr_carries_names_and_status_urls(pki, ca_operator, tmp_path, settings):
    settings.VANPHONG_PUBLIC_URL = "https://vanphong.bacninh.gov.vn"
    cert = services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr(dns=["node1.vanphong.test"]),
                                   ip_addresses=["10.1.2.3"], dns_names=["node1.vanphong.test", "Cổng.vanphong.test"])
    text = _text(_cert_file(tmp_path, cert))
    assert "DNS:node1.vanphong.test, DNS:xn--cng-qmz.vanphong.test, IP Address:10.1.2.3" in text
    assert "TLS Web Server Authentication" in text and "Digital Signature" in text
    assert "URI:https://vanphong.bacninh.gov.vn/pki/crl/" + pki.issuing.slug + ".crl" in text
    assert "OCSP - URI:https://vanphong.bacninh.gov.vn/pki/ocsp" in text
    assert f"CA Issuers - URI:https://vanphong.bacninh.gov.vn/pki/ca/{pki.issuing.slug}.crt" in text
    assert "CA:FALSE" in text
    # The CSR's own DNS names are used when none are given.
    from_csr = services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr(dns=["node2.vanphong.test"]))
    assert "DNS:node2.vanphong.test" in _text(_cert_file(tmp_path, from_csr, "2.pem"))


def test_tls_server_needs_a_name(pki, ca_operator):
    with pytest.raises(ValidationError, match="at least one DNS name or IP address"):
        services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr())
    with pytest.raises(ValidationError, match="not a valid DNS name"):
        services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr(), dns_names=["bad name!"])


def test_official_certificate_has_the_full_vietnamese_name_as_utf8_cn(pki, ca_operator, official, tmp_path):
    cert = services.issue_from_csr(ca_operator, profile="official", csr_data=make_csr(common_name="ignored"), holder_person=official)
    subject = openssl("x509", "-in", _cert_file(tmp_path, cert), "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus,show_type").stdout
    assert "CN=UTF8STRING:Nguyễn Thị Ánh Tuyết" in subject
    assert "O=UTF8STRING:Tỉnh ủy Bắc Ninh" in subject
    text = _text(_cert_file(tmp_path, cert))
    assert "Digital Signature, Non Repudiation" in text and "E-mail Protection" in text and "1.3.6.1.5.5.7.3.36" in text
    assert cert.holder_person == official and cert.holder_agency == official.agency
    with pytest.raises(ValidationError, match="must name the person"):
        services.issue_from_csr(ca_operator, profile="official", csr_data=make_csr())
    with pytest.raises(ValidationError, match="carries the person's full name"):
        services.issue_from_csr(ca_operator, profile="official", csr_data=make_csr(), holder_person=official, subject="Người Khác")


def test_agency_seal_names_the_agency_and_its_code(pki, ca_operator, agency_a, tmp_path):
    cert = services.issue_from_csr(ca_operator, profile="agency-seal", csr_data=make_csr(), holder_agency=agency_a)
    subject = openssl("x509", "-in", _cert_file(tmp_path, cert), "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus").stdout
    assert "O=Tỉnh ủy Bắc Ninh" in subject and "organizationIdentifier=000.00.00.T27" in subject and "CN=Tỉnh ủy Bắc Ninh" in subject
    # Signs, and takes the content keys of confidential packages (exchange.confidential): by ECDH for a P-256 key,
    # by RSA key transport for an RSA key.
    usage = cert.x509.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.digital_signature, usage.content_commitment, usage.key_agreement, usage.key_encipherment) == (True, True, True, False)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_cert = services.issue_from_csr(ca_operator, profile="agency-seal", csr_data=make_csr(rsa_key), holder_agency=agency_a)
    usage = rsa_cert.x509.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.digital_signature, usage.key_encipherment, usage.key_agreement) == (True, True, False)
    official = services.issue_from_csr(ca_operator, profile="official", csr_data=make_csr(rsa_key),
                                       holder_person=make_person(agency_a, "quanchuc.ku", "Lê Văn Ký"))
    usage = official.x509.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.key_encipherment, usage.key_agreement) == (False, False)  # a person's certificate only signs
    with pytest.raises(ValidationError, match="must name the agency"):
        services.issue_from_csr(ca_operator, profile="agency-seal", csr_data=make_csr())


def test_service_profiles(pki, tmp_path):
    ocsp_signer = selectors.service_certificate(pki.issuing, "ocsp-signer")
    text = _text(_cert_file(tmp_path, ocsp_signer))
    assert "OCSP Signing" in text and "OCSP No Check" in text
    tsa = selectors.service_certificate(pki.issuing, "timestamping")
    text = _text(_cert_file(tmp_path, tsa, "tsa.pem"))
    assert "X509v3 Extended Key Usage: critical\n                Time Stamping\n" in text


def test_unknown_profile_is_refused(pki, ca_operator):
    with pytest.raises(ValidationError, match="Unknown certificate profile “root”"):
        services.issue_from_csr(ca_operator, profile="root", csr_data=make_csr())


# ---- bad CSRs -----------------------------------------------------------------------------------


def test_weak_and_forged_csrs_are_refused_and_nothing_is_written(pki, ca_operator):
    before = (Certificate.objects.count(), AuditRecord.objects.count())
    with pytest.raises(ValidationError, match="too weak: RSA with 1024 bits. At least 2048"):
        services.issue_from_csr(ca_operator, profile="tls-client", csr_data=weak_rsa_csr())
    with pytest.raises(ValidationError, match="not approved"):
        services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr(ec.generate_private_key(ec.SECP256K1())))
    der = bytearray(x509.load_pem_x509_csr(make_csr()).public_bytes(serialization.Encoding.DER))
    der[-3] ^= 0x01  # a bit of the signature
    with pytest.raises(ValidationError, match="signature of the certificate signing request is not valid"):
        services.issue_from_csr(ca_operator, profile="tls-client", csr_data=bytes(der))
    with pytest.raises(ValidationError, match="not a certificate signing request"):
        services.issue_from_csr(ca_operator, profile="tls-client", csr_data=b"hello")
    assert (Certificate.objects.count(), AuditRecord.objects.count()) == before


def test_an_openssl_made_csr_with_a_1024_bit_key_is_refused(pki, ca_operator, tmp_path):
    openssl("req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", tmp_path / "k.pem", "-subj", "/CN=weak", "-out", tmp_path / "r.csr")
    with pytest.raises(ValidationError, match="1024 bits"):
        services.issue_from_csr(ca_operator, profile="tls-client", csr_data=(tmp_path / "r.csr").read_bytes())


# ---- generated keys as PKCS#12 ------------------------------------------------------------------


def test_pkcs12_opens_with_its_passphrase_only_and_uses_aes_256(pki, ca_operator, official, tmp_path):
    issued = services.issue_with_generated_key(ca_operator, profile="official", holder_person=official, passphrase="Mật khẩu rất dài 2026")
    p12 = write(tmp_path / "official.p12", issued.pkcs12)
    good = write(tmp_path / "good.txt", "Mật khẩu rất dài 2026")
    bad = write(tmp_path / "bad.txt", "Mat khau sai 2026")
    info = openssl("pkcs12", "-info", "-in", p12, "-passin", f"file:{good}", "-noenc")
    assert "PBES2, PBKDF2, AES-256-CBC" in info.stderr and "RC2" not in info.stderr
    assert "MAC: sha256" in info.stderr
    assert info.stdout.count("BEGIN CERTIFICATE") == 3 and "BEGIN PRIVATE KEY" in info.stdout  # its own, issuing, root
    wrong = openssl("pkcs12", "-info", "-in", p12, "-passin", f"file:{bad}", "-noenc", check=False)
    assert wrong.returncode != 0 and "mac verify" in wrong.stderr.lower()
    # The key in the file belongs to the certificate.
    key_pub = openssl("pkey", "-pubout", input=info.stdout).stdout
    cert_pub = openssl("x509", "-pubkey", "-noout", input=issued.certificate.certificate_pem).stdout
    assert key_pub == cert_pub
    assert issued.certificate.private_key == ""  # the holder's key is not kept


def test_pkcs12_needs_a_real_passphrase(pki, ca_operator):
    with pytest.raises(ValidationError, match="at least 8 characters"):
        services.issue_with_generated_key(ca_operator, profile="tls-client", subject="node", passphrase="short")
    assert not Certificate.objects.filter(profile="tls-client").exists()


# ---- renewal ------------------------------------------------------------------------------------


def test_renew_keeps_subject_and_names_and_chains(pki, ca_operator, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    old = services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr(key), dns_names=["node1.vanphong.test"])
    same_key = services.renew(ca_operator, old).certificate
    assert same_key.serial != old.serial and same_key.renewal_of == old and same_key.subject == old.subject
    assert same_key.x509.public_key() == key.public_key()
    assert "DNS:node1.vanphong.test" in _text(_cert_file(tmp_path, same_key))
    openssl("verify", "-CAfile", pki.root_pem, "-untrusted", pki.issuing_pem, _cert_file(tmp_path, same_key))
    new_key = services.renew(ca_operator, old, passphrase="Mat-khau-moi-2026")
    assert new_key.pkcs12 and new_key.certificate.x509.public_key() != key.public_key()
    held = selectors.service_certificate(pki.issuing, "timestamping")
    renewed = services.renew(ca_operator, held).certificate
    assert renewed.private_key and renewed.private_key != held.private_key and renewed.ca == pki.issuing
    old.refresh_from_db()
    assert old.status == "valid"  # renewal does not revoke


def test_a_revoked_certificate_cannot_be_renewed(pki, ca_operator):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    services.revoke(ca_operator, cert, reason="superseded")
    with pytest.raises(ValidationError, match="cannot be renewed"):
        services.renew(ca_operator, cert)


# ---- serials ------------------------------------------------------------------------------------


def test_serials_are_random_159_bit_and_unique(pki, ca_operator):
    certs = [services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr()) for _ in range(8)]
    numbers = [c.x509.serial_number for c in certs]
    assert len(set(numbers)) == len(numbers) and all(0 < n < 2**159 for n in numbers)
    assert max(numbers).bit_length() > 140  # random, not counted
    assert [c.serial for c in certs] == [format(n, "x") for n in numbers]
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(ca=pki.issuing, serial=certs[0].serial, profile="tls-client", subject="x", common_name="x",
                                   not_before=certs[0].not_before, not_after=certs[0].not_after, certificate_pem="x")


# ---- permission and audit -----------------------------------------------------------------------


def test_only_ca_operators_may_change_anything(pki, ca_operator, agency_a, official, admin_a, operator):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    before = (CertificateAuthority.objects.count(), Certificate.objects.count(), AuditRecord.objects.count())
    clerk = make_person(agency_a, "vanthu.x", "Lê Văn Thư", roles=["clerk"])
    for person in (admin_a, operator, clerk, official):
        with pytest.raises(PermissionDenied):
            services.init_ca(person, force=True)
        with pytest.raises(PermissionDenied):
            services.issue_from_csr(person, profile="tls-client", csr_data=make_csr())
        with pytest.raises(PermissionDenied):
            services.issue_with_generated_key(person, profile="tls-client", subject="n", passphrase="Mat-khau-2026")
        with pytest.raises(PermissionDenied):
            services.renew(person, cert)
        with pytest.raises(PermissionDenied):
            services.revoke(person, cert, reason="keyCompromise")
        with pytest.raises(PermissionDenied):
            selectors.certificates(person)
    assert (CertificateAuthority.objects.count(), Certificate.objects.count(), AuditRecord.objects.count()) == before
    cert.refresh_from_db()
    assert cert.status == "valid"
    ca_operator.is_active = False
    ca_operator.save()
    with pytest.raises(PermissionDenied):
        services.revoke(ca_operator, cert, reason="keyCompromise")


def test_every_service_writes_an_audit_record(ca_operator, official):
    def last(action):
        return AuditRecord.objects.filter(action=action).order_by("-seq").first()

    root, issuing = services.init_ca(ca_operator)
    rec = last("pki.ca.initialised")
    assert rec.actor == ca_operator and rec.data["issuing"] == issuing.slug and rec.data["algorithm"] == "p256"
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    rec = last("pki.certificate.issued")
    assert rec.actor == ca_operator and rec.target_id == str(cert.pk) and rec.data["serial"] == cert.serial and rec.data["source"] == "csr"
    p12 = services.issue_with_generated_key(ca_operator, profile="official", holder_person=official, passphrase="Mat-khau-2026")
    rec = last("pki.certificate.issued")
    assert rec.target_id == str(p12.certificate.pk) and rec.data["source"] == "generated_key" and rec.agency == official.agency
    renewed = services.renew(ca_operator, cert).certificate
    rec = last("pki.certificate.renewed")
    assert rec.actor == ca_operator and rec.data == {**rec.data, "serial": renewed.serial, "renews": cert.serial}
    services.revoke(ca_operator, cert, reason="keyCompromise")
    rec = last("pki.certificate.revoked")
    assert rec.actor == ca_operator and rec.data["reason"] == "keyCompromise" and rec.data["serial"] == cert.serial
    assert last("pki.crl.published").data == {"ca": issuing.slug, "number": 2, "revoked": 1}
    assert audit.verify().ok


def test_selectors_find_by_serial_as_openssl_prints_it(pki, ca_operator):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    printed = format(cert.serial_number, "X")
    colons = ":".join(printed.zfill(40)[i:i + 2] for i in range(0, 40, 2))
    assert selectors.certificate_by_serial(None, printed) == cert
    assert selectors.certificate_by_serial(None, colons) == cert
    with pytest.raises(ValidationError):
        selectors.certificate_by_serial(None, "xyz")


def test_certificates_are_signed_with_sha256(pki, ca_operator):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    assert isinstance(cert.x509.signature_hash_algorithm, hashes.SHA256)
