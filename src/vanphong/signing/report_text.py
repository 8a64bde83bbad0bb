"""The verification report as plain text, for `vanphong verify` (and e-mail or logs later)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.signing.verification import GOOD, REVOKED, REVOKED_LATER, Report, SignatureReport


def _time(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else "—"


def _revocation(signature: SignatureReport) -> str:
    if signature.revocation == GOOD:
        return _("not revoked")
    if signature.revocation == REVOKED_LATER:
        return _("revoked on %(date)s, after signing") % {"date": _time(signature.revoked_at)}
    if signature.revocation == REVOKED:
        return _("revoked") + (f" ({_time(signature.revoked_at)})" if signature.revoked_at else "")
    return _("unknown")


def render(report: Report) -> str:
    lines = []
    for n, s in enumerate(report.signatures, 1):
        verdict = _("VALID") if s.valid else _("INVALID")
        lines.append(_("Signature %(n)d (%(field)s): %(verdict)s") % {"n": n, "field": s.field_name, "verdict": verdict})
        lines.append("  " + _("Signer: %(name)s") % {"name": s.signer_name})
        lines.append("  " + _("Certificate: serial %(serial)s, issued by %(issuer)s") % {"serial": s.certificate_serial, "issuer": s.issuer})
        lines.append("  " + _("Chain: %(chain)s") % {"chain": " → ".join(s.chain) or "—"})
        lines.append("  " + _("Trusted: %(answer)s") % {"answer": _("yes") if s.trusted else _("no")})
        lines.append("  " + _("Revocation: %(status)s") % {"status": _revocation(s)})
        lines.append("  " + _("Level: %(level)s") % {"level": s.level})
        lines.append("  " + _("Signing time claimed by the signer: %(time)s") % {"time": _time(s.claimed_time)})
        if s.timestamp_time:
            lines.append("  " + _("Time-stamp: %(time)s by %(authority)s") % {"time": _time(s.timestamp_time),
                                                                           "authority": s.timestamp_authority})
        else:
            lines.append("  " + _("Time-stamp: none"))
        lines.append("  " + _("Changes after signing: %(changes)s") % {"changes": s.changes_after or "—"})
        lines.extend("  " + _("Problem: %(text)s") % {"text": text} for text in s.problems)
        lines.extend("  " + _("Note: %(text)s") % {"text": text} for text in s.notes)
    for stamp in report.document_timestamps:
        verdict = _("VALID") if stamp.valid else _("INVALID")
        lines.append(_("Document time-stamp (%(field)s): %(verdict)s") % {"field": stamp.field_name, "verdict": verdict})
        lines.append("  " + _("Time-stamp: %(time)s by %(authority)s") % {"time": _time(stamp.time), "authority": stamp.authority})
        lines.append("  " + _("Changes after signing: %(changes)s") % {"changes": stamp.changes_after or "—"})
        lines.extend("  " + _("Problem: %(text)s") % {"text": text} for text in stamp.problems)
    lines.extend(_("Problem: %(text)s") % {"text": text} for text in report.problems)
    lines.append(_("All signatures are valid.") if report.valid else _("The document's signatures are NOT all valid."))
    return "\n".join(lines)
