"""XML-DSig for edXML packages: the enveloped signature of the sending agency, and its verification.

Where and how (STANDARDS.md, edXML): one enveloped `ds:Signature` as the last child of
`edXML/edXMLEnvelope/edXMLHeader`, over the whole package (Reference URI=""), with the transforms
real implementations send: enveloped-signature, then exclusive c14n; SignedInfo in inclusive
c14n 1.0. RSA keys sign RSA-SHA256, P-256 keys ECDSA-SHA256; KeyInfo carries the signer's
certificate and its chain. signxml (on lxml) does the XML-DSig work; this module decides what the
package may contain and what a result means.

Verification never trusts what it has not checked, and never crashes on what arrives:

- the XML is parsed without entities, DTDs or network access, and within a size limit;
- exactly one signature, in the header, signing the whole package: any other reference (an
  element found by Id) is refused, so that a signed element moved elsewhere (signature
  wrapping) cannot pass for the package;
- the signature value and the reference digest (signxml), with the certificate from KeyInfo;
- the certificate's chain to a trusted root (ours or one an administrator added), its validity
  now, and revocation from our CA's database (nothing is fetched from outside);
- SHA-1 (rsa-sha1, sha1 digests), still sent by real systems, is refused unless an administrator
  allows it; allowed, the report flags it as weak.

The report says who signed, with the agency code of a seal certificate, so that the exchange can
check it against the package's From, which the report reads from the signed content only.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, XMLVerifier
from signxml.algorithms import CanonicalizationMethod, SignatureConstructionMethod
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature, SignXMLException
from signxml.signer import SignatureReference

from vanphong.core import safe_xml
from vanphong.core.errors import ValidationError
from vanphong.pki import keys
from vanphong.pki.models import Certificate
from vanphong.signing import credentials, services
from vanphong.signing.verification import GOOD, REVOKED, UNKNOWN

EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"

# Verdicts, from best to worst. "unverifiable": a signature is there but cannot be checked at all
# (a placeholder, no certificate, an algorithm nobody supports); "invalid": it was checked and fails.
VALID, INVALID, UNVERIFIABLE, UNSIGNED, MALFORMED = "valid", "invalid", "unverifiable", "unsigned", "malformed"

_SIGNATURE_C14N = CanonicalizationMethod.CANONICAL_XML_1_0
_REFERENCE_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
_STRONG_METHODS = frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384, SignatureMethod.RSA_SHA512,
                             SignatureMethod.ECDSA_SHA256, SignatureMethod.ECDSA_SHA384, SignatureMethod.ECDSA_SHA512})
_WEAK_METHODS = frozenset({SignatureMethod.RSA_SHA1, SignatureMethod.ECDSA_SHA1})
_STRONG_DIGESTS = frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512})
_WEAK_DIGESTS = frozenset({DigestAlgorithm.SHA1})


def max_bytes() -> int:
    return settings.VANPHONG_EDXML_MAX_BYTES


class MalformedPackage(ValidationError):
    pass


def _q(name: str, ns: str = EDXML_NS) -> str:
    return f"{{{ns}}}{name}"


# ---- parsing what arrives ---------------------------------------------------------------------------


safe_parser = safe_xml.parser


def parse(data: bytes) -> etree._Element:
    """The root of an edXML package, or MalformedPackage with a message for the user."""
    try:
        root = safe_xml.parse(data, max_bytes=max_bytes())
    except safe_xml.XmlRefused as refused:
        raise MalformedPackage(refused.messages[0]) from None
    if root.tag != _q("edXML"):
        raise MalformedPackage(_("The file is XML but not an edXML package: its root element is %(tag)s.")
                               % {"tag": etree.QName(root).localname})
    if _header(root) is None:
        raise MalformedPackage(_("The edXML package has no edXMLEnvelope/edXMLHeader."))
    return root


def _header(root: etree._Element) -> etree._Element | None:
    return root.find(f"{_q('edXMLEnvelope')}/{_q('edXMLHeader')}")


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def from_organ_id(root: etree._Element) -> str:
    """The sending agency's code (MessageHeader/From/OrganId). A From nested in a From, as one
    real system writes, is read through."""
    header = _header(root)
    from_ = header.find(f"{_q('MessageHeader')}/{_q('From')}") if header is not None else None
    while from_ is not None and from_.find(_q("OrganId")) is None and from_.find(_q("From")) is not None:
        from_ = from_.find(_q("From"))
    return _text(from_, _q("OrganId"))


# ---- signing ------------------------------------------------------------------------------------------


class _KeyForSignxml:
    """A pki.keys.SigningKey (software or HSM) in the shape signxml signs with. Only SHA-256
    methods are chosen (`_method`), which is what SigningKey signs."""

    def __init__(self, key: keys.SigningKey):
        self._key = key
        self.key_size = key.public_key().key_size

    def public_key(self):
        return self._key.public_key()

    def sign(self, data: bytes, *args, **kwargs) -> bytes:
        return self._key.sign(data)  # PKCS#1 v1.5 or DER ECDSA, as signxml expects


class _PackageSigner(XMLSigner):
    """signxml takes a reference's own c14n only from a list of references, and turns URI="" in
    such a list into "#". The package is always the whole document: keep URI="" and sign the root."""

    def _get_c14n_inputs_from_references(self, doc_root, references):
        return [self.get_root(doc_root)], references


def _method(public_key) -> SignatureMethod:
    if isinstance(public_key, rsa.RSAPublicKey):
        return SignatureMethod.RSA_SHA256
    if isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(public_key.curve, ec.SECP256R1):
        return SignatureMethod.ECDSA_SHA256
    raise ValidationError(_("Only RSA and ECDSA P-256 keys can sign edXML packages."))


def sign_package(data: bytes, creds: credentials.Credentials, *, row: Certificate | None = None) -> bytes:
    """The package with our enveloped signature in its header. The certificate is checked first
    (valid now, not revoked, for signing, from a trusted CA), as for a PDF; `row`: its row in our CA,
    when the caller has just read it."""
    services.check_can_sign(creds, row=row)
    root = parse(data)
    header = _header(root)
    if header.find(_q("Signature", DS_NS)) is not None or header.find(_q("Signature")) is not None:
        raise ValidationError(_("The package already carries a signature: sign the package as it was made, unsigned."))
    if root.find(f".//{_q('Signature', DS_NS)}") is not None:
        raise ValidationError(_("The package contains an XML signature outside its header: it cannot be signed as it is."))
    etree.SubElement(header, _q("Signature", DS_NS), Id="placeholder")
    signer = _PackageSigner(method=SignatureConstructionMethod.enveloped, signature_algorithm=_method(creds.certificate.public_key()),
                       digest_algorithm=DigestAlgorithm.SHA256, c14n_algorithm=_SIGNATURE_C14N)
    signed = signer.sign(root, key=_KeyForSignxml(creds.signer.signing_key), cert=[creds.certificate, *creds.chain],
                         reference_uri=[SignatureReference(URI="", c14n_method=_REFERENCE_C14N)])
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


# ---- verification ---------------------------------------------------------------------------------------


@dataclass
class XmlSignatureReport:
    verdict: str = UNSIGNED
    signer_name: str = ""
    signer_subject: str = ""
    # organizationIdentifier of the certificate: an agency seal names its agency by code.
    signer_agency_code: str = ""
    signer_organization: str = ""
    certificate_serial: str = ""
    issuer: str = ""
    chain: list[str] = field(default_factory=list)  # common names, signer's issuer up to the root
    signature_method: str = ""
    digest_methods: list[str] = field(default_factory=list)
    canonicalization: str = ""
    weak_algorithm: bool = False  # SHA-1, accepted only because an administrator allows it
    intact: bool = False  # signature value and reference digest match
    trusted: bool = False  # chains to a trusted root and is valid now
    revocation: str = UNKNOWN
    revoked_at: dt.datetime | None = None
    from_organ_id: str = ""  # the From of the signed content: read it from here, not from the raw file
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The package as signed, canonical, without the signature: what the exchange may rely on.
    signed_package: etree._Element | None = field(default=None, repr=False)

    @property
    def valid(self) -> bool:
        return self.verdict == VALID

    @property
    def signer_matches_from(self) -> bool | None:
        """Whether the certificate names the agency of From; None when it names no agency (an
        official's certificate) or the package has no From."""
        if not self.signer_agency_code or not self.from_organ_id:
            return None
        return self.signer_agency_code.strip().upper() == self.from_organ_id.strip().upper()

    def as_dict(self) -> dict:
        """JSON-ready, for storage next to the package and for the API."""
        data = {k: v for k, v in self.__dict__.items() if k != "signed_package"}
        data["revoked_at"] = self.revoked_at.isoformat() if self.revoked_at else None
        data["valid"] = self.valid
        data["signer_matches_from"] = self.signer_matches_from
        return data


def _fail(report: XmlSignatureReport, verdict: str, message: str) -> XmlSignatureReport:
    report.verdict = verdict
    report.problems.append(message)
    return report


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _attribute(cert: x509.Certificate, oid) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M:%S")


def verify_package(data: bytes, *, accept_sha1: bool | None = None) -> XmlSignatureReport:
    """The verification report of an edXML package. Never raises for what the package contains:
    every fault is a verdict with problems in plain words. `accept_sha1` None reads the
    administrator's setting."""
    report = XmlSignatureReport()
    try:
        root = parse(data)
    except MalformedPackage as exc:
        return _fail(report, MALFORMED, " ".join(exc.messages))
    report.from_organ_id = from_organ_id(root)
    signatures = root.findall(f".//{_q('Signature', DS_NS)}")
    header = _header(root)
    if not signatures:
        if header.find(_q("Signature")) is not None:
            return _fail(report, UNVERIFIABLE, _("The package carries a “Signature” element outside the XML-DSig namespace: "
                                                 "a placeholder that no one can verify."))
        return _fail(report, UNSIGNED, _("The package carries no signature."))
    if len(signatures) > 1:
        return _fail(report, INVALID, _("The package carries %(count)d signatures; an edXML package has exactly one, in its header.")
                     % {"count": len(signatures)})
    signature = signatures[0]
    if signature.getparent() is not header:
        return _fail(report, INVALID, _("The signature is not in the package header, where edXML puts it: "
                                        "the package may have been rearranged after signing."))
    if accept_sha1 is None:
        from vanphong.signing.selectors import xml_signature_policy

        accept_sha1 = xml_signature_policy().accept_sha1
    try:
        method, digests = _algorithms(signature, report)
    except _Unverifiable as exc:
        return _fail(report, UNVERIFIABLE, str(exc))
    if not _references_cover_package(signature):
        return _fail(report, INVALID, _("The signature does not cover the whole package (its reference is not URI=\"\"): "
                                        "what it signs could have been moved or wrapped in other content."))
    weak = method in _WEAK_METHODS or bool(set(digests) & _WEAK_DIGESTS)
    if weak and not accept_sha1:
        return _fail(report, INVALID, _("The signature uses SHA-1, which is no longer secure. This system refuses it unless "
                                        "an administrator allows SHA-1 signatures from other systems."))
    report.weak_algorithm = weak
    try:
        certificate, others = _certificates(signature, report)
    except _Unverifiable as exc:
        return _fail(report, UNVERIFIABLE, str(exc))
    _check_cryptography(root, certificate, method, digests, report)
    if report.intact:
        _check_trust(certificate, others, report)
        _check_revocation(certificate, report)
    if weak:
        report.notes.append(_("The signature uses SHA-1, which is weak: it is accepted only because an administrator allows it."))
    if report.signer_matches_from is False:
        report.notes.append(_("The signing certificate belongs to agency %(signer)s, but the package says it is from %(from)s.")
                            % {"signer": report.signer_agency_code, "from": report.from_organ_id})
    report.verdict = VALID if not report.problems else INVALID
    return report


class _Unverifiable(Exception):
    pass


def _algorithms(signature, report) -> tuple[SignatureMethod, list[DigestAlgorithm]]:
    signed_info = signature.find(_q("SignedInfo", DS_NS))
    method_node = signed_info.find(_q("SignatureMethod", DS_NS)) if signed_info is not None else None
    c14n_node = signed_info.find(_q("CanonicalizationMethod", DS_NS)) if signed_info is not None else None
    references = signed_info.findall(_q("Reference", DS_NS)) if signed_info is not None else []
    if method_node is None or c14n_node is None or not references:
        raise _Unverifiable(_("The signature is incomplete: it lacks SignedInfo, its methods or its reference."))
    report.canonicalization = c14n_node.get("Algorithm", "")
    report.signature_method = method_node.get("Algorithm", "")
    try:
        CanonicalizationMethod(report.canonicalization)
        method = SignatureMethod(report.signature_method)
    except ValueError:
        raise _Unverifiable(_("The signature uses an algorithm this system does not know: %(algorithm)s.")
                            % {"algorithm": report.signature_method or report.canonicalization}) from None
    digests = []
    for reference in references:
        node = reference.find(_q("DigestMethod", DS_NS))
        uri = node.get("Algorithm", "") if node is not None else ""
        report.digest_methods.append(uri)
        try:
            digests.append(DigestAlgorithm(uri))
        except ValueError:
            raise _Unverifiable(_("The signature uses a digest this system does not know: %(algorithm)s.")
                                % {"algorithm": uri or "—"}) from None
    if method not in _STRONG_METHODS | _WEAK_METHODS or not set(digests) <= _STRONG_DIGESTS | _WEAK_DIGESTS:
        raise _Unverifiable(_("The signature uses an algorithm this system does not accept: %(algorithm)s.")
                            % {"algorithm": report.signature_method})
    return method, digests


def _references_cover_package(signature) -> bool:
    references = signature.findall(f"{_q('SignedInfo', DS_NS)}/{_q('Reference', DS_NS)}")
    if len(references) != 1 or references[0].get("URI") != "":
        return False
    transforms = [t.get("Algorithm") for t in references[0].findall(f"{_q('Transforms', DS_NS)}/{_q('Transform', DS_NS)}")]
    # Only the enveloped transform and canonicalisation: an XPath or XSLT transform could pick what is "signed".
    allowed = {SignatureConstructionMethod.enveloped.value, *(m.value for m in CanonicalizationMethod)}
    return all(t in allowed for t in transforms)


def _certificates(signature, report) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The signer's certificate and the others from KeyInfo. The signer's is the one that issued
    none of the others (signxml and most tools put it first anyway)."""
    certs = []
    for node in signature.findall(f"{_q('KeyInfo', DS_NS)}/{_q('X509Data', DS_NS)}/{_q('X509Certificate', DS_NS)}"):
        try:
            certs.append(x509.load_der_x509_certificate(base64.b64decode("".join((node.text or "").split()), validate=True)))
        except (ValueError, binascii.Error, UnsupportedAlgorithm):
            raise _Unverifiable(_("The certificate in the signature cannot be read: it is damaged or a placeholder.")) from None
    if not certs:
        raise _Unverifiable(_("The signature carries no X.509 certificate: the signer cannot be identified."))
    try:  # cryptography parses some fields only when they are read: a damaged one fails here
        issuers = {c.issuer for c in certs}
        leaf = next((c for c in certs if c.subject not in issuers), certs[0])
        report.signer_name = _common_name(leaf)
        report.signer_subject = leaf.subject.rfc4514_string()
        report.signer_agency_code = _attribute(leaf, x509.NameOID.ORGANIZATION_IDENTIFIER)
        report.signer_organization = _attribute(leaf, x509.NameOID.ORGANIZATION_NAME)
        report.certificate_serial = format(leaf.serial_number, "x")
        names = leaf.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        report.issuer = str(names[0].value) if names else leaf.issuer.rfc4514_string()
        for cert in certs:
            cert.public_key()
            cert.extensions  # noqa: B018
            cert.signature_hash_algorithm  # noqa: B018
    except (ValueError, UnsupportedAlgorithm):
        raise _Unverifiable(_("The certificate in the signature cannot be read: it is damaged or a placeholder.")) from None
    return leaf, [c for c in certs if c is not leaf]


def _check_cryptography(root, certificate, method, digests, report) -> None:
    """The signature value and the reference digest, with the signer's certificate."""
    methods = _STRONG_METHODS | (_WEAK_METHODS if report.weak_algorithm else frozenset())
    digest_set = _STRONG_DIGESTS | (_WEAK_DIGESTS if report.weak_algorithm else frozenset())
    from signxml import SignatureConfiguration

    # The certificate's validity is judged in _check_trust, with a message of our own: signxml
    # checks it at a moment when it is valid.
    config = SignatureConfiguration(
        location=f"./{_q('edXMLEnvelope')}/{_q('edXMLHeader')}/", expect_references=1, signature_methods=methods,
        digest_algorithms=digest_set, verification_time=certificate.not_valid_before_utc + dt.timedelta(seconds=1),
    )
    try:
        result = XMLVerifier().verify(root, x509_cert=certificate, parser=safe_parser(), expect_config=config)
    except InvalidDigest:
        report.problems.append(_("The package was changed after signing: its content no longer matches the signed digest."))
        return
    except InvalidCertificate as exc:
        report.problems.append(_("The signing certificate cannot be used: %(error)s") % {"error": exc})
        return
    except InvalidSignature:
        report.problems.append(_("The signature value does not match: the signed information was altered, or the signature "
                                 "was not made with the key of the certificate it carries."))
        return
    except (InvalidInput, SignXMLException, etree.DocumentInvalid, etree.XMLSyntaxError, ValueError, TypeError) as exc:
        report.problems.append(_("The signature cannot be checked: %(error)s") % {"error": exc})
        return
    report.intact = True
    report.signed_package = result.signed_xml
    if result.signed_xml is not None:
        report.from_organ_id = from_organ_id(result.signed_xml)


def _check_trust(certificate, others, report) -> None:
    chain = services.chain_to_trusted_root(certificate, tuple(others))
    if chain is None:
        report.problems.append(_("The certificate of %(name)s was issued by “%(issuer)s”, which does not lead to a trusted root "
                                 "certificate.") % {"name": report.signer_name, "issuer": report.issuer})
        return
    report.chain = [_common_name(c) for c in chain]
    now = timezone.now()
    if now >= certificate.not_valid_after_utc:
        report.problems.append(_("The certificate of %(name)s expired on %(date)s.")
                               % {"name": report.signer_name, "date": _when(certificate.not_valid_after_utc)})
        return
    if now < certificate.not_valid_before_utc:
        report.problems.append(_("The certificate of %(name)s is valid only from %(date)s.")
                               % {"name": report.signer_name, "date": _when(certificate.not_valid_before_utc)})
        return
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        signs = usage.digital_signature or usage.content_commitment
    except x509.ExtensionNotFound:
        signs = True
    if not signs:
        report.problems.append(_("The certificate of %(name)s is not for signing.") % {"name": report.signer_name})
        return
    report.trusted = True


def _check_revocation(certificate, report) -> None:
    """Our certificates: the CA's database, the truth. Others: unknown (nothing is fetched)."""
    row = Certificate.objects.filter(serial=format(certificate.serial_number, "x")).only(
        "certificate_pem", "status", "revoked_at", "revocation_reason").first()
    if row is None or row.x509 != certificate:
        report.revocation = UNKNOWN
        if report.trusted:
            report.notes.append(_("The certificate is not one of ours and no revocation data came with it: its revocation "
                                  "status is unknown."))
        return
    if row.status != Certificate.Status.REVOKED:
        report.revocation = GOOD
        return
    report.revocation, report.revoked_at = REVOKED, row.revoked_at
    report.problems.append(_("The certificate of %(name)s was revoked on %(date)s (%(reason)s).")
                           % {"name": report.signer_name, "date": _when(row.revoked_at),
                              "reason": row.get_revocation_reason_display()})
