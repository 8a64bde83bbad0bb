"""Mật packages encrypted end to end (exchange.confidential): round trips with the agency-seal keys
our CA issues (RSA-3072 and P-256, software and SoftHSM2), openssl opening what we seal and we
opening what openssl seals, and every wrong, altered or hostile envelope refused with a clear
message, quickly. And the rule of which confidentiality levels travel at all."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import time
from functools import lru_cache

import pkcs11
import pytest
from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_agency
from vanphong.core.clearance import Clearance
from vanphong.exchange import confidential
from vanphong.pki import hsm, keys, services

# A package as the exchange hands it over: signed edXML bytes, with Vietnamese and a CRLF that must
# survive unchanged (openssl is run with -binary).
PACKAGE = ("<edXML:edXMLEnvelope>Quyết định số 12/QĐ-UBND về việc phòng, chống thiên tai\r\n</edXML:edXMLEnvelope>"
           .encode("utf-8") + bytes(range(256)))


def openssl(*args, input_bytes: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *map(str, args)], capture_output=True, input=input_bytes, timeout=60)


def refusal(key, certificate, data) -> str:
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        confidential.open_sealed(key, certificate, data)
    assert time.monotonic() - started < 2, "a refusal must be quick"
    return " ".join(caught.value.messages)


# ---- keys and certificates --------------------------------------------------------------------------


class Seal:
    """An agency-seal certificate with its key as the exchange gets them, plus PEM files for openssl."""

    def __init__(self, certificate: x509.Certificate, key, private_key, folder):
        self.certificate, self.key = certificate, key
        self.cert_pem = folder / f"seal-{certificate.serial_number:x}.pem"
        self.cert_pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        self.key_pem = None
        if private_key is not None:
            self.key_pem = folder / f"seal-{certificate.serial_number:x}.key"
            self.key_pem.write_bytes(private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                              serialization.NoEncryption()))


def issue_seal(ca_operator, agency, tmp_path) -> Seal:
    """The agency's seal certificate from our CA, its key held by the system (pki.keys)."""
    row = services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency)
    key = keys.load(row.key_backend, row.private_key)
    private = None
    if row.key_backend == keys.SOFTWARE:
        # What the software backend stores: PKCS#8 encrypted with the key-encryption passphrase.
        private = serialization.load_pem_private_key(row.private_key.encode("ascii"), keys.key_encryption_passphrase())
    return Seal(row.x509, key, private, tmp_path)


@pytest.fixture(params=[keys.P256, keys.RSA3072])
def algorithm(request):
    return request.param


@pytest.fixture
def seals(ca_operator, agency_a, tmp_path, algorithm):
    """Two agencies' seals from one CA: agency A (this instance) and another agency B."""
    services.init_ca(ca_operator, name="VănPhòng Thử nghiệm", algorithm=algorithm)
    agency_b = make_agency("000.00.00.H40", "Ủy ban nhân dân tỉnh Nghệ An", "UBND Nghệ An")
    return issue_seal(ca_operator, agency_a, tmp_path), issue_seal(ca_operator, agency_b, tmp_path)


@lru_cache(maxsize=4)
def standalone(algorithm: str):
    """A seal-like certificate (digitalSignature and nonRepudiation only, as the agency-seal profile) and
    its key, made without the database: for the many hostile cases."""
    key = keys.generate_private_key(algorithm)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"Cơ quan thử {algorithm}")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                                encipher_only=False, decipher_only=False), critical=True)
                   .sign(key, hashes.SHA256()))
    return certificate, key


# ---- round trips and third parties ----------------------------------------------------------------


def test_round_trip_with_the_seal_keys_our_ca_issues(seals, algorithm):
    ours, theirs = seals
    sealed = confidential.seal_for(ours.certificate, PACKAGE)
    assert PACKAGE not in sealed and b"thi\xc3\xaan tai" not in sealed  # nothing readable on the way
    assert confidential.looks_sealed(sealed) and not confidential.looks_sealed(PACKAGE)
    assert confidential.open_sealed(ours.key, ours.certificate, sealed) == PACKAGE
    # Each seal is fresh: the same package twice gives two different envelopes.
    assert confidential.seal_for(ours.certificate, PACKAGE) != sealed
    envelope = cms.ContentInfo.load(sealed)["content"]
    assert envelope["auth_encrypted_content_info"]["content_encryption_algorithm"]["algorithm"].native == "aes256_gcm"
    recipient = envelope["recipient_infos"][0]
    assert recipient.name == ("ktri" if algorithm == keys.RSA3072 else "kari")
    # Another agency's seal does not open it, and says why.
    assert "not encrypted for this agency's certificate" in refusal(theirs.key, theirs.certificate, sealed)


def test_openssl_opens_what_we_seal(seals, tmp_path):
    ours, _theirs = seals
    sealed = tmp_path / "sealed.der"
    sealed.write_bytes(confidential.seal_for(ours.certificate, PACKAGE))
    result = openssl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", sealed, "-inkey", ours.key_pem, "-recip", ours.cert_pem)
    assert result.returncode == 0, result.stderr
    assert result.stdout == PACKAGE
    structure = openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", sealed).stdout.decode()
    assert "id-smime-ct-authEnvelopedData" in structure and "aes-256-gcm" in structure


def openssl_seal(seal: Seal, tmp_path, *options, cipher="-aes-256-gcm") -> bytes:
    source, out = tmp_path / "package.xml", tmp_path / "openssl.der"
    source.write_bytes(PACKAGE)
    result = openssl("cms", "-encrypt", cipher, "-binary", "-outform", "DER", "-in", source, "-out", out, "-recip", seal.cert_pem,
                     *options)
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


OUR_KEY_OPTIONS = {
    keys.RSA3072: ("-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-keyopt", "rsa_mgf1_md:sha256"),
    keys.P256: ("-keyopt", "ecdh_kdf_md:sha256"),
}


def test_we_open_what_openssl_seals(seals, algorithm, tmp_path):
    ours, theirs = seals
    sealed = openssl_seal(ours, tmp_path, *OUR_KEY_OPTIONS[algorithm])
    assert confidential.looks_sealed(sealed)
    assert confidential.open_sealed(ours.key, ours.certificate, sealed) == PACKAGE
    assert "not encrypted for this agency's certificate" in refusal(theirs.key, theirs.certificate, sealed)


def test_openssl_with_other_algorithms_is_refused(seals, algorithm, tmp_path):
    ours, _theirs = seals
    weaker = openssl_seal(ours, tmp_path)  # openssl's defaults: RSA PKCS#1 v1.5, or ECDH with a SHA-1 KDF
    message = refusal(ours.key, ours.certificate, weaker)
    if algorithm == keys.RSA3072:
        assert "only RSA-OAEP with SHA-256 is accepted" in message
        oaep_sha1 = openssl_seal(ours, tmp_path, "-keyopt", "rsa_padding_mode:oaep")
        assert "parameters other than SHA-256" in refusal(ours.key, ours.certificate, oaep_sha1)
    else:
        assert "only dhSinglePass-stdDH-sha256kdf is accepted" in message
    aes128 = openssl_seal(ours, tmp_path, *OUR_KEY_OPTIONS[algorithm], cipher="-aes-128-gcm")
    assert "only AES-256-GCM is accepted" in refusal(ours.key, ours.certificate, aes128)
    cbc = openssl_seal(ours, tmp_path, *OUR_KEY_OPTIONS[algorithm], cipher="-aes-256-cbc")  # EnvelopedData
    assert "not encrypted as CMS AuthEnvelopedData (it is enveloped_data)" in refusal(ours.key, ours.certificate, cbc)
    assert not confidential.looks_sealed(cbc)


# ---- altered and misdirected ------------------------------------------------------------------------


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_altered_ciphertext_tag_nonce_or_key_is_refused(algorithm):
    certificate, key = standalone(algorithm)
    sealed = confidential.seal_for(certificate, PACKAGE)
    envelope = cms.ContentInfo.load(sealed)["content"]
    content = envelope["auth_encrypted_content_info"]
    ciphertext = content["encrypted_content"].contents
    tag = envelope["mac"].contents
    nonce = content["content_encryption_algorithm"]["parameters"].parse(confidential.GcmParameters)["aes_nonce"].native
    if algorithm == keys.RSA3072:
        encrypted_key = envelope["recipient_infos"][0].chosen["encrypted_key"].native
    else:
        encrypted_key = envelope["recipient_infos"][0].chosen["recipient_encrypted_keys"][0]["encrypted_key"].native
    altered = "was altered: its authentication tag does not match"
    for part, expected in ((ciphertext, altered), (tag, altered), (nonce, altered),
                           (encrypted_key, "content key cannot be recovered with this agency's key")):
        at = sealed.index(part)
        for offset in (0, len(part) // 2, len(part) - 1):
            assert expected in refusal(key, certificate, flip(sealed, at + offset))


def test_wrong_recipient_and_wrong_key_are_refused(algorithm):
    certificate, key = standalone(algorithm)
    other_algorithm = keys.P256 if algorithm == keys.RSA3072 else keys.RSA3072
    other_certificate, other_key = standalone(other_algorithm)
    sealed = confidential.seal_for(certificate, PACKAGE)
    assert "not encrypted for this agency's certificate" in refusal(other_key, other_certificate, sealed)
    assert "does not belong to the certificate" in refusal(other_key, certificate, sealed)
    # A key of the same kind that is not the certificate's.
    assert "does not belong to the certificate" in refusal(keys.generate_private_key(algorithm), certificate, sealed)
    with pytest.raises(TypeError, match="x509.Certificate"):  # a caller's mistake, not input to refuse
        confidential.open_sealed(key, certificate.public_bytes(serialization.Encoding.PEM), sealed)


def test_only_rsa_and_p256_recipients():
    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "P-384")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(7)
                   .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    with pytest.raises(ValidationError, match="only RSA and P-256 keys are supported"):
        confidential.seal_for(certificate, PACKAGE)
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    weak_certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(weak.public_key())
                        .serial_number(8).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
                        .sign(weak, hashes.SHA256()))
    with pytest.raises(ValidationError, match="1024 bits; at least 2048"):
        confidential.seal_for(weak_certificate, PACKAGE)
    with pytest.raises(TypeError, match="x509.Certificate"):
        confidential.seal_for("000.00.00.H40", PACKAGE)


# ---- hostile input --------------------------------------------------------------------------------


@pytest.mark.parametrize("data, expected", [
    (b"", "not a CMS structure"),
    (PACKAGE, "not a CMS structure"),
    (b"\x30", "not a well-formed CMS structure"),
    (b"\x30\x84\xff\xff\xff\xff" + b"\x00" * 64, "not a well-formed CMS structure"),  # a length claiming 4 GiB
    (b"\x30\x80" * 50_000, "not a well-formed CMS structure"),  # nesting without end
    (cms.ContentInfo({"content_type": "data", "content": b"plain"}).dump(), "not encrypted as CMS AuthEnvelopedData (it is data)"),
])
def test_malformed_input_is_refused_clearly(data, expected):
    certificate, key = standalone(keys.P256)
    assert expected in refusal(key, certificate, data)


def test_truncated_and_random_bytes_are_refused(algorithm):
    certificate, key = standalone(algorithm)
    sealed = confidential.seal_for(certificate, PACKAGE)
    for length in sorted({1, 2, 10, 17, 100, len(sealed) // 2, len(sealed) - 17, len(sealed) - 1}):
        refusal(key, certificate, sealed[:length])
    assert "not a well-formed" in refusal(key, certificate, sealed + b"\x00")  # trailing bytes
    generator = random.Random(20261207)
    for _ in range(200):
        refusal(key, certificate, generator.randbytes(generator.randrange(1, 3000)))
    refusal(key, certificate, b"\x30" + os.urandom(5000))
    with pytest.raises(ValidationError, match="must be bytes"):
        confidential.open_sealed(key, certificate, "not bytes")


def test_huge_input_is_refused_before_it_is_read(settings):
    settings.VANPHONG_EDXML_MAX_BYTES = 1024 * 1024
    certificate, key = standalone(keys.P256)
    assert "more than the exchange takes" in refusal(key, certificate, b"\x30" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError, match="more than the exchange takes"):
        confidential.seal_for(certificate, b"x" * (1024 * 1024 + 1))
    # At the limit a package travels.
    big = os.urandom(1024 * 1024)
    assert confidential.open_sealed(key, certificate, confidential.seal_for(certificate, big)) == big


@lru_cache(maxsize=2)
def sealed_once(algorithm: str) -> bytes:
    return confidential.seal_for(standalone(algorithm)[0], PACKAGE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(algorithm=st.sampled_from([keys.P256, keys.RSA3072]), data=st.data())
def test_any_mutation_is_refused_or_harmless(algorithm, data):
    """Bytes changed, cut or inserted anywhere: either the package comes out whole (the change was in
    something that does not matter) or a ValidationError says why; never another exception."""
    certificate, key = standalone(algorithm)
    sealed = bytearray(sealed_once(algorithm))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(sealed) - 1))
        action = data.draw(st.sampled_from(["set", "cut", "insert"]))
        if action == "set":
            sealed[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del sealed[at:at + data.draw(st.integers(1, 64))]
        else:
            sealed[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    try:
        assert confidential.open_sealed(key, certificate, bytes(sealed)) == PACKAGE
    except ValidationError as refused:
        assert refused.messages and all(refused.messages)


# ---- keys in an HSM ------------------------------------------------------------------------------------

MODULE = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.fixture
def softhsm(tmp_path, monkeypatch):
    """A SoftHSM2 token of this test's own, in a temporary folder (SOFTHSM2_CONF)."""
    folder = tmp_path / "softhsm"
    (folder / "tokens").mkdir(parents=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "VanPhong CA", "--pin", "271828", "--so-pin", "31415926"],
                   check=True, capture_output=True, timeout=60)
    hsm.forget_sessions()
    pkcs11.lib(MODULE).reinitialize()
    (folder / "pin.txt").write_text("271828\n")
    yield hsm.Token(MODULE, "VanPhong CA", str(folder / "pin.txt"))
    hsm.forget_sessions()


def test_p256_seal_key_in_the_hsm_opens_inside_the_token(ca_operator, agency_a, tmp_path, softhsm):
    services.init_ca(ca_operator, name="VănPhòng HSM", algorithm=keys.P256, hsm=softhsm)
    seal = issue_seal(ca_operator, agency_a, tmp_path)
    assert isinstance(seal.key, hsm.Pkcs11Key)
    sealed = confidential.seal_for(seal.certificate, PACKAGE)
    assert confidential.open_sealed(seal.key, seal.certificate, sealed) == PACKAGE
    assert confidential.open_sealed(seal.key, seal.certificate, openssl_seal(seal, tmp_path, *OUR_KEY_OPTIONS[keys.P256])) == PACKAGE
    assert "content key cannot be recovered" in refusal(seal.key, seal.certificate, flip(sealed, sealed.index(
        cms.ContentInfo.load(sealed)["content"]["recipient_infos"][0].chosen["recipient_encrypted_keys"][0]["encrypted_key"].native)))
    # The shared secrets made in the token do not pile up there.
    session = hsm.session(softhsm).session
    assert not list(session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.SECRET_KEY}))


def test_rsa_seal_key_in_softhsm_says_clearly_it_cannot_open(ca_operator, agency_a, tmp_path, softhsm):
    """SoftHSM2 offers RSA-OAEP with SHA-1 only: the refusal names the token and the reason."""
    services.init_ca(ca_operator, name="VănPhòng HSM", algorithm=keys.RSA3072, hsm=softhsm)
    seal = issue_seal(ca_operator, agency_a, tmp_path)
    sealed = confidential.seal_for(seal.certificate, PACKAGE)
    message = refusal(seal.key, seal.certificate, sealed)
    assert "HSM token “VanPhong CA” cannot decrypt with RSA-OAEP and SHA-256" in message
    assert "cannot be opened with an RSA key kept in this token" in message


# ---- which levels travel ---------------------------------------------------------------------------


def test_classification_rule():
    assert confidential.classification_rule(Clearance.NONE) == "plain"
    assert confidential.classification_rule(Clearance.CONFIDENTIAL) == "encrypt"
    assert confidential.classification_rule(Clearance.SECRET) == "refuse"
    assert confidential.classification_rule(Clearance.TOP_SECRET) == "refuse"
    assert confidential.classification_rule("1") == "encrypt"  # as a form posts it
    assert "travels encrypted for each recipient agency" in confidential.classification_message(Clearance.CONFIDENTIAL)
    for level, mark in ((Clearance.SECRET, "Tối mật"), (Clearance.TOP_SECRET, "Tuyệt mật")):
        with pytest.raises(ValidationError) as caught:
            confidential.check_sendable(level)
        assert f"A document marked {mark} may not be sent over the document exchange" in caught.value.messages[0]
    assert confidential.check_sendable(Clearance.CONFIDENTIAL) == "encrypt"
    assert confidential.check_sendable(Clearance.NONE) == "plain"
    for unknown in (4, -1, "mật", None):
        with pytest.raises(ValidationError, match="Unknown confidentiality level"):
            confidential.classification_rule(unknown)


def test_arrival_rule():
    confidential.check_arrival(Clearance.NONE, encrypted=False)
    confidential.check_arrival(Clearance.CONFIDENTIAL, encrypted=True)
    with pytest.raises(ValidationError, match="marked Mật but arrived unencrypted"):
        confidential.check_arrival(Clearance.CONFIDENTIAL, encrypted=False)
    for level in (Clearance.SECRET, Clearance.TOP_SECRET):
        with pytest.raises(ValidationError, match="may not travel over the document exchange"):
            confidential.check_arrival(level, encrypted=True)


# ---- structures other implementations might send ------------------------------------------------------


def test_openssl_naming_us_by_key_identifier_and_among_several_recipients(seals, algorithm, tmp_path):
    ours, theirs = seals
    assert ours.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    by_key_id = openssl_seal(ours, tmp_path, "-keyid", *OUR_KEY_OPTIONS[algorithm])
    rid = cms.ContentInfo.load(by_key_id)["content"]["recipient_infos"][0].chosen
    assert (rid["rid"].name if algorithm == keys.RSA3072 else rid["recipient_encrypted_keys"][0]["rid"].name) in (
        "subject_key_identifier", "r_key_id")
    assert confidential.open_sealed(ours.key, ours.certificate, by_key_id) == PACKAGE
    source, out = tmp_path / "package.xml", tmp_path / "two.der"
    result = openssl("cms", "-encrypt", "-aes-256-gcm", "-binary", "-outform", "DER", "-in", source, "-out", out,
                     "-recip", theirs.cert_pem, *OUR_KEY_OPTIONS[algorithm], "-recip", ours.cert_pem, *OUR_KEY_OPTIONS[algorithm])
    assert result.returncode == 0, result.stderr
    for seal in (ours, theirs):
        assert confidential.open_sealed(seal.key, seal.certificate, out.read_bytes()) == PACKAGE


def test_what_we_write_is_der():
    for algorithm in (keys.P256, keys.RSA3072):
        sealed = confidential.seal_for(standalone(algorithm)[0], PACKAGE)
        assert cms.ContentInfo.load(sealed, strict=True).dump(force=True) == sealed


def rebuilt(sealed: bytes, change) -> bytes:
    """`sealed` with one part of its structure changed, encoded again."""
    info = cms.ContentInfo.load(sealed)
    envelope = info["content"]
    change(envelope)
    return cms.ContentInfo({"content_type": "authenticated_enveloped_data", "content": envelope}).dump(force=True)


def gcm(envelope, **fields):
    algorithm = envelope["auth_encrypted_content_info"]["content_encryption_algorithm"]
    parameters = algorithm["parameters"].parse(confidential.GcmParameters)
    values = {"aes_nonce": parameters["aes_nonce"].native, "aes_icvlen": parameters["aes_icvlen"].native, **fields}
    algorithm["parameters"] = confidential.GcmParameters(values)


def kari(envelope):
    return envelope["recipient_infos"][0].chosen


def with_kari(envelope, **fields):
    """The envelope's key-agreement recipient info replaced by one with `fields` changed."""
    current = kari(envelope)
    values = {name: current[name] for name in ("version", "originator", "ukm", "key_encryption_algorithm", "recipient_encrypted_keys")}
    values.update(fields)
    if values["ukm"].__class__.__name__ == "Void":
        values["ukm"] = None
    envelope["recipient_infos"] = [cms.RecipientInfo(name="kari", value=cms.KeyAgreeRecipientInfo(values))]


def originator(algorithm=None, point=None):
    return cms.OriginatorIdentifierOrKey(name="originator_key", value=asn1_keys.PublicKeyInfo({
        "algorithm": algorithm or {"algorithm": "ec"}, "public_key": point or ec.generate_private_key(ec.SECP256R1()).public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)}))


def set_field(container, name, value):
    container[name] = value


ENVELOPE_CHANGES = [
    ("version", lambda e: set_field(e, "version", "v2"), "Unsupported AuthEnvelopedData version v2"),
    ("authenticated attributes", lambda e: set_field(e, "auth_attrs", [{"type": "content_type", "values": ["data"]}]),
     "carries authenticated attributes"),
    ("inner type", lambda e: set_field(e["auth_encrypted_content_info"], "content_type", "signed_data"),
     "holds signed_data instead of data"),
    ("detached", lambda e: set_field(e["auth_encrypted_content_info"], "encrypted_content", None), "no content (detached"),
    ("no GCM parameters", lambda e: set_field(e["auth_encrypted_content_info"], "content_encryption_algorithm",
                                              {"algorithm": "aes256_gcm"}), "AES-256-GCM parameters are missing"),
    ("long nonce", lambda e: gcm(e, aes_nonce=b"\x00" * 16), "nonce is 16 bytes; 12 are expected"),
    ("short tag", lambda e: gcm(e, aes_icvlen=12), "tag must be 16 bytes long"),
    ("short mac", lambda e: set_field(e, "mac", b"\x00" * 12), "tag must be 16 bytes long"),
]

KARI_CHANGES = [
    ("wrap", lambda e: with_kari(e, key_encryption_algorithm={
        "algorithm": confidential.ECDH_SHA256_KDF, "parameters": cms.KeyEncryptionAlgorithm({"algorithm": "aes128_wrap"})}),
     "wrapped with an algorithm other than AES-256 key wrap"),
    ("no wrap", lambda e: with_kari(e, key_encryption_algorithm={"algorithm": confidential.ECDH_SHA256_KDF}),
     "wrapped with an algorithm other than AES-256 key wrap"),
    ("SHA-1 KDF", lambda e: with_kari(e, key_encryption_algorithm={
        "algorithm": "1.3.133.16.840.63.0.2", "parameters": cms.KeyEncryptionAlgorithm({"algorithm": "aes256_wrap"})}),
     "only dhSinglePass-stdDH-sha256kdf is accepted"),
    ("static originator", lambda e: with_kari(e, originator=cms.OriginatorIdentifierOrKey(
        name="subject_key_identifier", value=b"\x01" * 20)), "ephemeral key is missing"),
    ("RSA originator", lambda e: with_kari(e, originator=cms.OriginatorIdentifierOrKey(name="originator_key", value=asn1_keys.PublicKeyInfo.load(
        standalone(keys.RSA3072)[0].public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)))),
     "not an elliptic-curve key"),
    ("P-384 originator", lambda e: with_kari(e, originator=originator({"algorithm": "ec", "parameters": ("named", "secp384r1")})),
     "not on the P-256 curve"),
    ("point off the curve", lambda e: with_kari(e, originator=originator(point=b"\x04" + b"\x01" * 64)),
     "not a valid P-256 point"),
]


@pytest.mark.parametrize("name, change, expected", ENVELOPE_CHANGES + KARI_CHANGES, ids=[c[0] for c in ENVELOPE_CHANGES + KARI_CHANGES])
def test_envelope_variants_are_refused_with_their_reason(name, change, expected):
    certificate, key = standalone(keys.P256)
    altered = rebuilt(sealed_once(keys.P256), change)
    assert expected in refusal(key, certificate, altered)


def test_user_keying_material_is_taken_into_the_kdf():
    """RFC 5753 allows the sender to add ukm to the KDF's input; OpenSSL does not send it, others may."""
    certificate, key = standalone(keys.P256)
    sealed = sealed_once(keys.P256)
    content_key, ukm = os.urandom(32), os.urandom(64)
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    kek = confidential._kek(ephemeral.exchange(ec.ECDH(), certificate.public_key()), ukm)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.keywrap import aes_key_wrap

    nonce = os.urandom(12)
    encrypted = AESGCM(content_key).encrypt(nonce, PACKAGE, None)

    def change(envelope):
        point = ephemeral.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        rid = kari(envelope)["recipient_encrypted_keys"][0]["rid"]
        with_kari(envelope, ukm=ukm, originator=originator(point=point),
                  recipient_encrypted_keys=[{"rid": rid, "encrypted_key": aes_key_wrap(kek, content_key)}])
        envelope["auth_encrypted_content_info"]["encrypted_content"] = encrypted[:-16]
        envelope["mac"] = encrypted[-16:]
        gcm(envelope, aes_nonce=nonce)

    with_ukm = rebuilt(sealed, change)
    assert confidential.open_sealed(key, certificate, with_ukm) == PACKAGE

    def without(envelope):
        with_kari(envelope, ukm=None)

    assert "content key cannot be recovered" in refusal(key, certificate, rebuilt(with_ukm, without))
