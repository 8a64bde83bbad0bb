"""XML-DSig of edXML packages: our signatures verify here and in xmlsec1; every fault in what
arrives gives a clear verdict (tampering, wrapping, unknown CA, revocation, SHA-1, hostile XML,
the placeholders in other systems' files)."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from tests.factories import make_person
from tests.signing.conftest import outside_ca, write
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.pki import services as pki_services
from vanphong.signing import credentials, xml_services, xmldsig

pytestmark = pytest.mark.django_db

INTEROP = Path("/work/shared/interop/edxml")
if not INTEROP.is_dir():  # CI lays shared/ beside the clone
    INTEROP = Path(__file__).resolve().parents[3] / "shared" / "interop" / "edxml"
NS = xmldsig.EDXML_NS
DS = xmldsig.DS_NS


def edxml_package(organ_id: str = "000.00.00.T27", subject: str = "Về việc triển khai chữ ký số trong cơ quan") -> bytes:
    """A typical outgoing package: header with From, To, code, subject and trace, a small attachment."""
    attachment = base64.b64encode(("Nội dung văn bản " * 200).encode("utf-8")).decode("ascii")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>{organ_id}</edXML:OrganId><edXML:OrganName>Tỉnh ủy Bắc Ninh</edXML:OrganName></edXML:From>
        <edXML:To><edXML:OrganId>000.00.00.H40</edXML:OrganId><edXML:OrganName>UBND tỉnh Nghệ An</edXML:OrganName></edXML:To>
        <edXML:DocumentId>{organ_id},2026/11/29,45-CV/TU</edXML:DocumentId>
        <edXML:Code><edXML:CodeNumber>45</edXML:CodeNumber><edXML:CodeNotation>CV/TU</edXML:CodeNotation></edXML:Code>
        <edXML:Subject>{subject}</edXML:Subject>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:TraceHeader><edXML:OrganId>{organ_id}</edXML:OrganId><edXML:Timestamp>2026/11/29 09:30:00</edXML:Timestamp></edXML:TraceHeader>
      </edXML:TraceHeaderList>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference><edXML:ContentId>cid:1</edXML:ContentId><edXML:ContentType>text/plain</edXML:ContentType></edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <edXML:AttachmentEncoded xmlns:edXML="{NS}">
    <edXML:Attachment><edXML:ContentId>1</edXML:ContentId><edXML:AttachmentName>vanban.txt</edXML:AttachmentName>
      <edXML:ContentTransferEncoded>{attachment}</edXML:ContentTransferEncoded></edXML:Attachment>
  </edXML:AttachmentEncoded>
</edXML>
""".encode("utf-8")


@pytest.fixture
def seal_cert(pki, ca_operator, agency_a):
    return pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_a)


@pytest.fixture
def signed(seal_cert) -> bytes:
    return xmldsig.sign_package(edxml_package(), credentials.held(seal_cert))


def xmlsec1_verify(path: Path, root_pem: Path) -> subprocess.CompletedProcess:
    """xmlsec1 trusting only our root (the chain comes from KeyInfo). --enabled-reference-uris empty
    keeps it from fetching anything."""
    return subprocess.run(["xmlsec1", "--verify", "--trusted-pem", str(root_pem), "--enabled-reference-uris", "empty",
                           "--id-attr:Id", "Signature", str(path)], capture_output=True, text=True, timeout=60)


def _tree(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# ---- what we sign --------------------------------------------------------------------------------


def test_signature_sits_in_the_header_and_verifies(signed, agency_a):
    root = _tree(signed)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    assert header[-1].tag == f"{{{DS}}}Signature"
    signature = header[-1]
    assert signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod").get("Algorithm").endswith("ecdsa-sha256")
    assert signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}CanonicalizationMethod").get("Algorithm") == \
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    reference = signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    assert reference.get("URI") == ""
    assert [t.get("Algorithm") for t in reference.iter(f"{{{DS}}}Transform")] == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"]
    assert len(signature.findall(f".//{{{DS}}}X509Certificate")) == 3  # seal, issuing CA, root

    report = xmldsig.verify_package(signed)
    assert report.verdict == xmldsig.VALID and report.valid, report.problems
    assert report.signer_agency_code == agency_a.code and report.from_organ_id == agency_a.code
    assert report.signer_matches_from is True
    assert report.chain == ["VănPhòng Thử nghiệm Issuing CA", "VănPhòng Thử nghiệm Root CA"]
    assert report.revocation == "good" and report.trusted and not report.weak_algorithm
    assert report.signed_package is not None and report.signed_package.find(f".//{{{DS}}}Signature") is None
    assert report.as_dict()["valid"] is True


def test_xmlsec1_accepts_ours_and_refuses_tampered_copies(signed, pki, tmp_path):
    path = write(tmp_path / "signed.edxml", signed)
    result = xmlsec1_verify(path, pki.root_pem)
    assert result.returncode == 0 and "OK" in result.stderr, result.stderr

    # One character of content changed.
    changed = signed.replace("triển khai".encode(), "triển khaj".encode(), 1)
    assert changed != signed
    result = xmlsec1_verify(write(tmp_path / "content.edxml", changed), pki.root_pem)
    assert result.returncode != 0 and "FAIL" in result.stderr
    assert "changed after signing" in " ".join(xmldsig.verify_package(changed).problems)

    # The reference digest changed (the content is intact, the signed information is not).
    root = _tree(signed)
    digest = root.find(f".//{{{DS}}}DigestValue")
    raw = bytearray(base64.b64decode(digest.text))
    raw[0] ^= 1
    digest.text = base64.b64encode(bytes(raw)).decode()
    changed = _serialize(root)
    result = xmlsec1_verify(write(tmp_path / "digest.edxml", changed), pki.root_pem)
    assert result.returncode != 0 and "FAIL" in result.stderr
    report = xmldsig.verify_package(changed)
    assert report.verdict == xmldsig.INVALID and "signature value does not match" in report.problems[0]


def test_rsa_keys_sign_rsa_sha256(ca_operator, agency_a, tmp_path):
    root, _issuing = pki_services.init_ca(ca_operator, name="VănPhòng RSA", algorithm="rsa3072")
    row = pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_a)
    signed = xmldsig.sign_package(edxml_package(), credentials.held(row))
    assert b"xmldsig-more#rsa-sha256" in signed
    assert xmldsig.verify_package(signed).valid
    root_pem = write(tmp_path / "root.pem", root.certificate_pem)
    assert xmlsec1_verify(write(tmp_path / "rsa.edxml", signed), root_pem).returncode == 0


def test_signing_refuses_what_it_should_not_sign(seal_cert, pki, ca_operator, signed):
    creds = credentials.held(seal_cert)
    with pytest.raises(ValidationError, match="already carries a signature"):
        xmldsig.sign_package(signed, creds)
    with pytest.raises(ValidationError, match="not an edXML package"):
        xmldsig.sign_package(b"<html/>", creds)
    pki_services.revoke(ca_operator, seal_cert, reason="keyCompromise")
    with pytest.raises(ValidationError, match="revoked"):
        xmldsig.sign_package(edxml_package(), credentials.held(type(seal_cert).objects.get(pk=seal_cert.pk)))


# ---- what arrives ------------------------------------------------------------------------------------


def test_wrapping_and_moved_signatures_are_refused(signed):
    # The signed envelope moved under a forged one, the signature kept in the forged header.
    root = _tree(signed)
    envelope = root.find(f"{{{NS}}}edXMLEnvelope")
    forged = etree.fromstring(_serialize(root))
    forged_envelope = forged.find(f"{{{NS}}}edXMLEnvelope")
    forged_envelope.find(f".//{{{NS}}}Subject").text = "Nội dung giả mạo"
    holder = etree.SubElement(forged, f"{{{NS}}}Wrapper")
    holder.append(envelope)
    report = xmldsig.verify_package(_serialize(forged))
    assert report.verdict == xmldsig.INVALID

    # The signature moved out of the header.
    root = _tree(signed)
    signature = root.find(f".//{{{DS}}}Signature")
    root.append(signature)
    report = xmldsig.verify_package(_serialize(root))
    assert report.verdict == xmldsig.INVALID and "not in the package header" in report.problems[0]

    # A reference to one element by Id, which could then be moved anywhere.
    root = _tree(signed)
    root.find(f".//{{{DS}}}Reference").set("URI", "#body")
    report = xmldsig.verify_package(_serialize(root))
    assert report.verdict == xmldsig.INVALID and "does not cover the whole package" in report.problems[0]

    # Two signatures.
    root = _tree(signed)
    header = root.find(f".//{{{NS}}}edXMLHeader")
    header.append(etree.fromstring(etree.tostring(header[-1])))
    assert "2 signatures" in xmldsig.verify_package(_serialize(root)).problems[0]


def test_unknown_ca_and_revoked_certificate(signed, seal_cert, ca_operator):
    outside_root, leaf_key, leaf = outside_ca()
    # Signed by a CA this instance does not know, as another system would.
    from signxml.algorithms import CanonicalizationMethod
    from signxml.signer import SignatureReference

    root = _tree(edxml_package())
    etree.SubElement(root.find(f".//{{{NS}}}edXMLHeader"), f"{{{DS}}}Signature", Id="placeholder")
    outsider = xmldsig._PackageSigner(signature_algorithm="ecdsa-sha256", c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0).sign(
        root, key=leaf_key, cert=[leaf, outside_root],
        reference_uri=[SignatureReference(URI="", c14n_method=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)])
    report = xmldsig.verify_package(_serialize(outsider))
    assert report.intact and not report.trusted and report.verdict == xmldsig.INVALID
    assert "does not lead to a trusted root" in report.problems[0] and report.signer_name == "Ngô Văn Ngoài"

    pki_services.revoke(ca_operator, seal_cert, reason="keyCompromise")
    report = xmldsig.verify_package(signed)
    assert report.verdict == xmldsig.INVALID and report.revocation == "revoked"
    assert "was revoked on" in report.problems[0] and "Key compromised" in report.problems[0]


def _sha1_signed(seal_cert) -> bytes:
    """What real systems send: rsa-sha1 or ecdsa-sha1 with sha1 digests (signxml needs persuading)."""
    from signxml.algorithms import CanonicalizationMethod
    from signxml.signer import SignatureReference

    class Sha1Signer(xmldsig._PackageSigner):
        def check_deprecated_methods(self):
            pass

    creds = credentials.held(seal_cert)
    key = serialization.load_pem_private_key(seal_cert.private_key.encode(), password=_passphrase())
    root = _tree(edxml_package())
    etree.SubElement(root.find(f".//{{{NS}}}edXMLHeader"), f"{{{DS}}}Signature", Id="placeholder")
    signed = Sha1Signer(signature_algorithm="ecdsa-sha1", digest_algorithm="sha1",
                        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0).sign(
        root, key=key, cert=[creds.certificate, *creds.chain],
        reference_uri=[SignatureReference(URI="", c14n_method=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)])
    return _serialize(signed)


def _passphrase() -> bytes:
    from vanphong.pki import keys

    return keys.key_encryption_passphrase()


def test_sha1_refused_until_an_administrator_allows_it(seal_cert, admin_a, clerk_a):
    data = _sha1_signed(seal_cert)
    report = xmldsig.verify_package(data)
    assert report.verdict == xmldsig.INVALID and "uses SHA-1" in report.problems[0]

    with pytest.raises(PermissionDenied):
        xml_services.set_sha1_accepted(clerk_a, True)
    xml_services.set_sha1_accepted(admin_a, True)
    assert AuditRecord.objects.filter(action="signing.xml_policy.changed").count() == 1
    report = xmldsig.verify_package(data)
    assert report.verdict == xmldsig.VALID and report.weak_algorithm
    assert any("SHA-1, which is weak" in note for note in report.notes)
    xml_services.set_sha1_accepted(None, False)
    assert xmldsig.verify_package(data).verdict == xmldsig.INVALID


@pytest.mark.parametrize("data, verdict, words", [
    (b"", xmldsig.MALFORMED, "empty"),
    (b"<edXML xmlns='" + NS.encode() + b"'><unclosed></edXML>", xmldsig.MALFORMED, "not well-formed"),
    (b"<note>not edXML</note>", xmldsig.MALFORMED, "not an edXML package"),
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
     b"<edXML xmlns='" + NS.encode() + b"'>&lol2;</edXML>", xmldsig.MALFORMED, "document type or entities"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
     b"<edXML xmlns='" + NS.encode() + b"'>&xxe;</edXML>", xmldsig.MALFORMED, "document type or entities"),
    (b"<edXML xmlns='" + NS.encode() + b"'><edXMLEnvelope/></edXML>", xmldsig.MALFORMED, "no edXMLEnvelope/edXMLHeader"),
])
def test_hostile_and_malformed_xml_gets_a_verdict(data, verdict, words):
    report = xmldsig.verify_package(data)
    assert report.verdict == verdict and words in report.problems[0]
    assert "root:" not in " ".join(report.problems)  # /etc/passwd was never read


def test_size_limit(settings):
    settings.VANPHONG_EDXML_MAX_BYTES = 1000
    report = xmldsig.verify_package(edxml_package())
    assert report.verdict == xmldsig.MALFORMED and "larger than" in report.problems[0]


def test_unsigned_and_damaged_signatures(signed):
    assert xmldsig.verify_package(edxml_package()).verdict == xmldsig.UNSIGNED
    root = _tree(signed)
    for cert in root.iter(f"{{{DS}}}X509Certificate"):
        cert.text = "MIIFqTCCBJG"
    report = xmldsig.verify_package(_serialize(root))
    assert report.verdict == xmldsig.UNVERIFIABLE and "cannot be read" in report.problems[0]
    root = _tree(signed)
    root.find(f".//{{{DS}}}SignatureMethod").set("Algorithm", "urn:example:made-up")
    assert xmldsig.verify_package(_serialize(root)).verdict == xmldsig.UNVERIFIABLE


@pytest.mark.parametrize("name", ["edoc_multi_recipient.edxml", "edoc_update_with_attachment.edxml", "status_inbox_01.edxml",
                                  "status_rejection_02.edxml", "status_acceptance_03.edxml", "status_finish_06.edxml"])
def test_other_systems_files(name):
    report = xmldsig.verify_package((INTEROP / name).read_bytes())
    if name.startswith("edoc_"):
        assert report.verdict == xmldsig.UNVERIFIABLE and "placeholder" in report.problems[0]
        assert report.from_organ_id == "000.00.00.G22"
    else:
        assert report.verdict == xmldsig.UNSIGNED and report.from_organ_id == "000.00.00.H41"


# ---- sealing as a use case ---------------------------------------------------------------------------------


def test_clerk_seals_own_agency_packages_only(seal_cert, clerk_a, official, agency_a):
    signed = xml_services.seal_package(clerk_a, edxml_package())
    assert xmldsig.verify_package(signed).signer_matches_from is True
    assert AuditRecord.objects.filter(action="signing.xml_sealed", actor=clerk_a).count() == 1
    with pytest.raises(ValidationError, match="can seal only its own packages"):
        xml_services.seal_package(clerk_a, edxml_package(organ_id="000.00.00.H40"))
    with pytest.raises(PermissionDenied):
        xml_services.seal_package(official, edxml_package())
    other_clerk = make_person(agency_a, "vanthu.a2", "Trần Thị Thư", roles=["clerk"])
    assert xml_services.seal_package(other_clerk, edxml_package())


def test_pkcs12_signing_and_an_officials_certificate(pki, ca_operator, official):
    issued = pki_services.issue_with_generated_key(ca_operator, profile="official", passphrase="mật khẩu dài",
                                                   holder_person=official)
    signed = xml_services.sign_package_with_pkcs12(edxml_package(), issued.pkcs12, "mật khẩu dài")
    report = xmldsig.verify_package(signed)
    assert report.valid and report.signer_name == "Nguyễn Thị Ánh Tuyết" and report.signer_matches_from is None
    with pytest.raises(ValidationError, match="passphrase is wrong"):
        xml_services.sign_package_with_pkcs12(edxml_package(), issued.pkcs12, "sai")


# ---- property: whatever arrives, a verdict --------------------------------------------------------------------

_VERDICTS = {xmldsig.VALID, xmldsig.INVALID, xmldsig.UNVERIFIABLE, xmldsig.UNSIGNED, xmldsig.MALFORMED}


@pytest.fixture
def signed_once(seal_cert) -> bytes:
    return xmldsig.sign_package(edxml_package(), credentials.held(seal_cert))


def test_any_damage_gives_a_verdict_never_a_crash(signed_once):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    original = xmldsig.verify_package(signed_once)
    assert original.valid

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.integers(min_value=0, max_value=len(signed_once) - 1), st.binary(min_size=0, max_size=3))
    def damaged(position, replacement):
        data = signed_once[:position] + replacement + signed_once[position + 1:]
        report = xmldsig.verify_package(data)
        assert report.verdict in _VERDICTS
        if report.valid:  # only what the signature does not cover may change: the signed package is the same
            assert etree.tostring(report.signed_package, method="c14n") == etree.tostring(original.signed_package, method="c14n")

    damaged()

    @settings(max_examples=50, deadline=None)
    @given(st.binary(max_size=2000))
    def noise(data):
        assert xmldsig.verify_package(data).verdict in _VERDICTS

    noise()


def test_a_certificate_that_only_claims_our_ca_as_issuer(pki):
    """Issuer name copied from our issuing CA, signature by another key: not ours, and no crash."""
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric import ec
    from signxml.algorithms import CanonicalizationMethod
    from signxml.signer import SignatureReference

    from tests.signing.conftest import _FakeIssuer
    from vanphong.pki import certbuilder, keys, profiles

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    impostor_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    leaf = certbuilder.build(profile=profiles.PROFILES["agency-seal"], subject=certbuilder.name(common_name="Cơ quan Mạo danh"),
                             public_key=leaf_key.public_key(), serial=7, not_after=now + dt.timedelta(days=30),
                             issuer=_FakeIssuer(pki.issuing.x509), signer=keys.from_private_key(impostor_key), now=now)
    root = _tree(edxml_package())
    etree.SubElement(root.find(f".//{{{NS}}}edXMLHeader"), f"{{{DS}}}Signature", Id="placeholder")
    signed = xmldsig._PackageSigner(signature_algorithm="ecdsa-sha256", c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0).sign(
        root, key=leaf_key, cert=[leaf, pki.issuing.x509],
        reference_uri=[SignatureReference(URI="", c14n_method=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)])
    report = xmldsig.verify_package(_serialize(signed))
    assert report.intact and not report.trusted and report.verdict == xmldsig.INVALID
    assert "does not lead to a trusted root" in report.problems[0]
