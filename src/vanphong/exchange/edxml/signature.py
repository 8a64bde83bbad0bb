"""Where a package's signature is and what it claims, without verifying it.

Verification (digest, signature value, certificate chain, revocation) is signing.xmldsig's: this
module tells the reader whether a signature is present, where edXML puts it (an enveloped
XML-DSig `ds:Signature` in edXMLHeader), and what it says of itself, and marks as "unverifiable"
what no verifier could check (a `Signature` outside the XML-DSig namespace, as in the third-party
samples: a placeholder).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from vanphong.exchange.edxml.model import DS_NAMESPACE

UNSIGNED, UNVERIFIABLE, UNCHECKED = "unsigned", "unverifiable", "unchecked"


@dataclass
class SignatureInfo:
    # unsigned; unverifiable (a placeholder); unchecked (an XML-DSig signature the codec did not
    # verify); or, once a verifier has run, its verdict (valid, invalid, …).
    status: str = UNSIGNED
    location: str = ""
    xmldsig: bool = False
    signature_method: str = ""
    digest_methods: list[str] = field(default_factory=list)
    certificate_subject: str = ""
    has_certificate: bool = False
    problems: list[str] = field(default_factory=list)  # from the verifier
    signer: str = ""  # from the verifier

    @property
    def present(self) -> bool:
        return self.status != UNSIGNED

    def as_dict(self) -> dict:
        return {"present": self.present, **self.__dict__}


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def find_signature(root: etree._Element, header: etree._Element, odd) -> SignatureInfo:
    """The signature of the package. `odd(code, element, **params)` records an oddity."""
    from vanphong.exchange.edxml.reader import where

    found = list(root.iter("{*}Signature"))  # in any namespace, or none
    if not found:
        return SignatureInfo()
    if len(found) > 1:
        odd("signatures_repeated", found[1], count=len(found))
    in_header = [e for e in found if e.getparent() is header]
    signature = in_header[0] if in_header else found[0]
    if signature.getparent() is not header:
        odd("signature_outside_header", signature)
    info = SignatureInfo(status=UNCHECKED, location=where(signature), xmldsig=etree.QName(signature).namespace == DS_NAMESPACE)
    for element in signature.iter():
        if not isinstance(element.tag, str):
            continue
        name = _local(element)
        if name == "SignatureMethod":
            info.signature_method = element.get("Algorithm", "")
        elif name == "DigestMethod":
            info.digest_methods.append(element.get("Algorithm", ""))
        elif name == "X509SubjectName":
            info.certificate_subject = (element.text or "").strip()
        elif name == "X509Certificate":
            info.has_certificate = bool((element.text or "").strip())
    if not info.xmldsig:
        odd("signature_placeholder", signature)
        info.status = UNVERIFIABLE
    return info
