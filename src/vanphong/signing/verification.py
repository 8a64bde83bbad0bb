"""The verification report of a signed PDF, in plain words.

For each signature: who signed (name and certificate), the chain to a trusted root (our roots and
those an administrator added), revocation, the time-stamp, and whether the document changed
after signing. pyHanko checks the cryptography, the chain and the changes made after each
signature; this module decides what they mean:

- Revocation of our own certificates comes from our CA's database, the truth; others are checked
  against the OCSP responses and CRLs embedded in the document (nothing is fetched).
- A certificate revoked, or expired, AFTER a time proved by a trusted time-stamp does not spoil
  the signature: the time-stamp proves the signature existed while the certificate was good.
  Without a time-stamp only the present counts, so a revoked certificate fails.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from vanphong.core.errors import ValidationError
from vanphong.pki.models import Certificate
from vanphong.signing import selectors
from vanphong.signing.credentials import asn1

GOOD, REVOKED, REVOKED_LATER, UNKNOWN = "good", "revoked", "revoked_later", "unknown"


class UnreadableDocument(ValidationError):
    pass


@dataclass
class SignatureReport:
    field_name: str
    signer_name: str = ""
    signer_subject: str = ""
    certificate_serial: str = ""
    issuer: str = ""
    chain: list[str] = field(default_factory=list)  # common names, signer's issuer up to the root
    claimed_time: dt.datetime | None = None  # the signer's own clock: not proof
    timestamp_time: dt.datetime | None = None  # proved by a trusted time-stamp
    timestamp_authority: str = ""
    level: str = ""
    intact: bool = False  # the signed bytes are unchanged
    trusted: bool = False  # the certificate chains to a trusted root and was valid when it counted
    revocation: str = UNKNOWN
    revoked_at: dt.datetime | None = None
    covers_whole_document: bool = False
    changes_after: str = ""  # plain words about what was added after this signature
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass
class TimestampReport:
    """A document time-stamp (B-LTA): proof that the whole file, validation data included,
    existed at `time`."""

    field_name: str
    time: dt.datetime | None = None
    authority: str = ""
    intact: bool = False
    trusted: bool = False
    changes_after: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass
class Report:
    signatures: list[SignatureReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    document_timestamps: list[TimestampReport] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return (bool(self.signatures) and not self.problems and all(s.valid for s in self.signatures)
                and all(t.valid for t in self.document_timestamps))


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M:%S")


def _common_name(cert) -> str:
    if isinstance(cert, asn1_x509.Certificate):
        return cert.subject.native.get("common_name") or cert.subject.human_friendly
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _embedded_revocation(reader: PdfFileReader) -> tuple[list[bytes], list[bytes]]:
    dss = DocumentSecurityStore.read_dss(reader) if "/DSS" in reader.root else None
    if dss is None:
        return [], []
    return [ref.get_object().data for ref in dss.ocsps], [ref.get_object().data for ref in dss.crls]


def _context(moment: dt.datetime | None, ocsps, crls) -> ValidationContext:
    trusted, intermediates = selectors.trust_anchors()
    roots, others = [asn1(c) for c in trusted], [asn1(c) for c in intermediates]
    return ValidationContext(trust_roots=roots, other_certs=others, moment=moment, allow_fetching=False, ocsps=ocsps, crls=crls,
                             revocation_mode="soft-fail", retroactive_revinfo=True)


def verify_pdf(data: bytes) -> Report:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        raise UnreadableDocument(_("The file is not a PDF that can be read.")) from None
    report = Report()
    regular = [s for s in signatures if s.sig_object_type != "/DocTimeStamp"]
    if not regular:
        report.problems.append(_("The document carries no signature."))
        return report
    ocsps, crls = _embedded_revocation(reader)
    for embedded in signatures:
        if embedded.sig_object_type == "/DocTimeStamp":
            report.document_timestamps.append(_verify_timestamp(embedded, ocsps, crls))
        else:
            report.signatures.append(_verify_one(embedded, ocsps, crls))
    if any(t.valid for t in report.document_timestamps):
        for signature in report.signatures:
            if signature.level == "B-LT":
                signature.level = "B-LTA"
    return report


def _verify_timestamp(embedded, ocsps, crls) -> TimestampReport:
    result = TimestampReport(field_name=embedded.field_name or "")
    try:
        status = validate_pdf_timestamp(embedded, validation_context=_context(None, ocsps, crls))
    except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        result.problems.append(_("The document time-stamp cannot be read: %(error)s") % {"error": exc})
        return result
    result.authority = _common_name(status.signing_cert) if status.signing_cert is not None else ""
    result.intact = bool(status.intact and status.valid)
    result.trusted = bool(status.trusted)
    if result.intact:
        result.time = status.timestamp
    else:
        result.problems.append(_("The file was altered after its document time-stamp."))
    if result.intact and not result.trusted:
        result.problems.append(_("The document time-stamp is not from a trusted time-stamping authority."))
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        result.changes_after = _("None: the time-stamp covers the whole file.")
    elif status.modification_level is not None and status.modification_level <= ModificationLevel.FORM_FILLING:
        result.changes_after = _("Only later signatures, form fields or validation data were added.")
    else:
        result.changes_after = _("The document was changed after signing.")
        result.problems.append(_("The document was changed after its time-stamp in ways that are not allowed."))
    return result


def _verify_one(embedded, ocsps, crls) -> SignatureReport:
    result = SignatureReport(field_name=embedded.field_name or "")
    try:
        status = validate_pdf_signature(embedded, _context(None, ocsps, crls))
    except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        result.problems.append(_("The signature cannot be read: %(error)s") % {"error": exc})
        return result
    cert = status.signing_cert
    result.signer_name = _common_name(cert)
    result.signer_subject = cert.subject.human_friendly
    result.certificate_serial = format(cert.serial_number, "x")
    result.issuer = cert.issuer.native.get("common_name") or cert.issuer.human_friendly
    result.claimed_time = status.signer_reported_dt
    result.intact = bool(status.intact and status.valid)

    stamp = status.timestamp_validity
    if stamp is not None:
        result.timestamp_authority = _common_name(stamp.signing_cert) if stamp.signing_cert is not None else ""
        if stamp.intact and stamp.valid and stamp.trusted:
            result.timestamp_time = stamp.timestamp
        else:
            result.problems.append(_("The time-stamp on this signature is not valid or not from a trusted authority."))
    # Expired now but valid at the proved time: judge the certificate at that time instead.
    if result.intact and not status.trusted and result.timestamp_time is not None:
        again = validate_pdf_signature(embedded, _context(result.timestamp_time, ocsps, crls))
        if again.trusted:
            status = again
            result.notes.append(_("The certificate has expired since, but the time-stamp proves the signature was made "
                                  "while it was valid."))
    result.level = _level(embedded, stamp is not None)
    _chain(result, status)
    _changes(result, status)
    if not result.intact:
        result.problems.insert(0, _("The signed content was altered after signing: its digest no longer matches the signature."))
    _revocation(result, cert, status)
    return result


def _level(embedded, has_timestamp: bool) -> str:
    if not has_timestamp:
        return "B-B"
    return "B-LT" if "/DSS" in embedded.reader.root else "B-T"


def _chain(result: SignatureReport, status) -> None:
    path = status.validation_path
    if path is not None:
        # iter_certs runs from the root down to the signer: the report lists the signer's issuer first.
        result.chain = [_common_name(c) for c in reversed(list(path.iter_certs(include_root=True)))][1:]
    result.trusted = bool(status.trusted)
    if result.trusted or not result.intact:
        return
    problem = status.trust_problem_indic
    if problem in (AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND, AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE):
        result.problems.append(_("The certificate of %(name)s was issued by “%(issuer)s”, which does not lead to a trusted root "
                                 "certificate.") % {"name": result.signer_name, "issuer": result.issuer})
    elif problem in (AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED, AdESIndeterminate.EXPIRED):
        result.problems.append(_("The certificate of %(name)s has expired, and no trusted time-stamp proves the signature "
                                 "was made before.") % {"name": result.signer_name})
    elif problem in (AdESFailure.NOT_YET_VALID, AdESIndeterminate.NOT_YET_VALID):
        result.problems.append(_("The certificate of %(name)s was not yet valid.") % {"name": result.signer_name})
    elif problem in (AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE):
        result.revocation = REVOKED
        result.problems.append(_("The certificate of %(name)s is revoked, according to the revocation data in the document.")
                               % {"name": result.signer_name})
    else:
        result.problems.append(_("The certificate of %(name)s cannot be trusted for signing documents.") % {"name": result.signer_name})


def _changes(result: SignatureReport, status) -> None:
    result.covers_whole_document = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        result.changes_after = _("None: the signature covers the whole file.")
        return
    level = status.modification_level
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or level is None:
        result.problems.append(_("The signature does not cover the document it is in."))
    elif level <= ModificationLevel.LTA_UPDATES:
        result.changes_after = _("Only validation data (certificates, revocation data, time-stamps) was added after signing.")
    elif level == ModificationLevel.FORM_FILLING:
        result.changes_after = _("Only later signatures or form fields were added after signing.")
    elif level == ModificationLevel.ANNOTATIONS:
        result.changes_after = _("Comments or annotations were added after signing; the signed content is unchanged.")
    else:
        result.changes_after = _("The document was changed after signing.")
        result.problems.append(_("The document was changed after this signature in ways that a signature does not allow."))
    if not status.docmdp_ok:
        result.problems.append(_("The changes made after signing break the permissions the signer set."))


def _revocation(result: SignatureReport, cert: asn1_x509.Certificate, status) -> None:
    """Our certificates: the CA's database. Others: what pyHanko found in the embedded data."""
    row = Certificate.objects.filter(serial=format(cert.serial_number, "x")).only(
        "certificate_pem", "status", "revoked_at", "revocation_reason").first()
    if row is None or row.x509 != x509.load_der_x509_certificate(cert.dump()):
        if result.revocation != REVOKED:
            result.revocation = GOOD if status.revocation_details is not None else UNKNOWN
            if result.revocation == UNKNOWN and result.trusted:
                result.notes.append(_("The document carries no revocation data for this certificate, and it is not one of ours: "
                                      "its revocation status is unknown."))
        return
    if row.status != Certificate.Status.REVOKED:
        result.revocation = GOOD
        return
    result.revoked_at = row.revoked_at
    reason = row.get_revocation_reason_display()
    if result.timestamp_time is not None and row.revoked_at > result.timestamp_time:
        result.revocation = REVOKED_LATER
        result.notes.append(_("The certificate was revoked on %(date)s (%(reason)s), after the time-stamped signing time: "
                              "the signature stays valid.") % {"date": _when(row.revoked_at), "reason": reason})
        return
    result.revocation = REVOKED
    if result.timestamp_time is not None:
        message = _("The certificate was revoked on %(date)s (%(reason)s), before the time-stamped signing time.")
    else:
        message = _("The certificate was revoked on %(date)s (%(reason)s), and no trusted time-stamp proves the signature "
                    "was made before.")
    result.problems.append(message % {"date": _when(row.revoked_at), "reason": reason})
