"""The verification report of an edXML package as plain text, for `vanphong verify FILE.xml`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vanphong.signing import xmldsig
from vanphong.signing.report_text import _revocation


def _verdict(report: xmldsig.XmlSignatureReport) -> str:
    return {
        xmldsig.VALID: _("VALID"),
        xmldsig.INVALID: _("INVALID"),
        xmldsig.UNVERIFIABLE: _("UNVERIFIABLE"),
        xmldsig.UNSIGNED: _("UNSIGNED"),
        xmldsig.MALFORMED: _("MALFORMED"),
    }[report.verdict]


def render(report: xmldsig.XmlSignatureReport) -> str:
    lines = [_("XML signature of the edXML package: %(verdict)s") % {"verdict": _verdict(report)}]
    if report.signer_name:
        lines.append("  " + _("Signer: %(name)s") % {"name": report.signer_name})
        lines.append("  " + _("Subject: %(subject)s") % {"subject": report.signer_subject})
        if report.signer_agency_code:
            lines.append("  " + _("Agency in the certificate: %(code)s") % {"code": report.signer_agency_code})
        lines.append("  " + _("Certificate: serial %(serial)s, issued by %(issuer)s")
                     % {"serial": report.certificate_serial, "issuer": report.issuer})
        lines.append("  " + _("Chain: %(chain)s") % {"chain": " → ".join(report.chain) or "—"})
        lines.append("  " + _("Trusted: %(answer)s") % {"answer": _("yes") if report.trusted else _("no")})
        lines.append("  " + _("Revocation: %(status)s") % {"status": _revocation(report)})
    if report.signature_method:
        lines.append("  " + _("Algorithms: %(method)s, digest %(digest)s")
                     % {"method": report.signature_method, "digest": ", ".join(report.digest_methods) or "—"})
    if report.from_organ_id:
        lines.append("  " + _("From (agency code in the package): %(code)s") % {"code": report.from_organ_id})
    if report.signer_matches_from is not None:
        lines.append("  " + _("The certificate's agency matches From: %(answer)s")
                     % {"answer": _("yes") if report.signer_matches_from else _("no")})
    lines.extend("  " + _("Problem: %(text)s") % {"text": text} for text in report.problems)
    lines.extend("  " + _("Note: %(text)s") % {"text": text} for text in report.notes)
    lines.append(_("The package's signature is valid.") if report.valid else _("The package's signature is NOT valid."))
    return "\n".join(lines)
