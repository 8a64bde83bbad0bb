"""PAdES signing of PDF bytes: no database, no permissions, only the signature.

Levels (ETSI EN 319 142-1): B-B, a CMS signature with the signing certificate bound in;
B-T adds a signature time-stamp from our TSA, requested in process; B-LT then appends a DSS
with the CRLs and OCSP responses that prove the certificates' status at signing, so the
signature can be checked after the CA is gone; B-LTA then adds a document time-stamp from our
TSA over all of it, DSS included. services.py gathers what these need (keys, the TSA responder,
revocation data) before calling here, because pyHanko signs inside an event loop, where Django
refuses database queries.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import tsp
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, PdfTimeStamper
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore

from vanphong.core.errors import ValidationError
from vanphong.pki import tsa
from vanphong.signing.credentials import Credentials, asn1

B_B, B_T, B_LT, B_LTA = "B-B", "B-T", "B-LT", "B-LTA"
LEVELS = (B_B, B_T, B_LT, B_LTA)
DOC_TIMESTAMP = "DocTimeStamp"  # document time-stamp fields: DocTimeStamp-1, …


class InProcessTimeStamper(TimeStamper):
    """pyHanko's time-stamp client, answered by our TSA in this process instead of over HTTP."""

    def __init__(self, responder: tsa.Responder):
        super().__init__(include_nonce=True)
        self._responder = responder

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(await self._responder.async_respond(req.dump()))


@dataclass
class RevocationData:
    """What B-LT embeds: DER OCSP responses and CRLs, and the certificates they speak of."""

    ocsp_responses: list[bytes] = field(default_factory=list)
    crls: list[bytes] = field(default_factory=list)
    certificates: list = field(default_factory=list)  # cryptography certificates


@dataclass(frozen=True)
class Placement:
    page: int  # 0-based
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in points


def open_pdf(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        raise ValidationError(_("The file is not a PDF that can be read.")) from None
    if writer.prev.encrypted:
        raise ValidationError(_("The PDF is encrypted: remove its password before signing."))
    return writer


def page_count(writer: IncrementalPdfFileWriter) -> int:
    return int(writer.root["/Pages"]["/Count"])


def page_size(writer: IncrementalPdfFileWriter, page: int) -> tuple[float, float]:
    box = writer.find_page_for_modification(page)[0].get_object().get("/MediaBox") or [0, 0, 595.28, 841.89]
    x1, y1, x2, y2 = (float(v) for v in box)
    return x2 - x1, y2 - y1


def signature_fields(reader: PdfFileReader) -> list[tuple[str, bool]]:
    """(name, signed) of every signature field."""
    return [(name, value is not None) for name, value, _ref in enumerate_sig_fields(reader)]


def widget_placement(reader: PdfFileReader, field_name: str) -> Placement | None:
    """Where a signature field's widget is: for the seal, which goes over the official's signature."""
    for name, _value, ref in enumerate_sig_fields(reader):
        if name != field_name:
            continue
        widget = ref.get_object()
        box = tuple(float(v) for v in widget["/Rect"])
        for index in range(int(reader.root["/Pages"]["/Count"])):
            page, _resources = reader.find_page_for_modification(index)
            annots = page.get_object().get("/Annots")
            if annots is not None and any(a.idnum == ref.idnum for a in annots.get_object() if hasattr(a, "idnum")):
                return Placement(index, (min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])))
    return None


def sign(pdf: bytes, credentials: Credentials, *, field_name: str, placement: Placement, style, signed_at: str,
         level: str = B_T, responder: tsa.Responder | None = None, revocation: RevocationData | None = None,
         writer: IncrementalPdfFileWriter | None = None) -> bytes:
    """The PDF with one more signature, in a new incremental revision: what was signed before
    stays byte for byte as it was, so earlier signatures stay valid."""
    if level not in LEVELS:
        raise ValidationError(_("Unknown signature level “%(level)s”. Choose B-B, B-T, B-LT or B-LTA.") % {"level": level})
    if level != B_B and responder is None:
        raise ValidationError(_("The time-stamping authority is not set up: initialise the CA (vanphong ca init)."))
    writer = writer or open_pdf(pdf)
    metadata = PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
                                    name=credentials.common_name)
    signer = PdfSigner(metadata, signer=credentials.signer, timestamper=InProcessTimeStamper(responder) if level != B_B else None,
                       stamp_style=style,
                       new_field_spec=SigFieldSpec(sig_field_name=field_name, on_page=placement.page, box=placement.box))
    output = signer.sign_pdf(writer, appearance_text_params={"signed_at": signed_at}, bytes_reserved=_room_for(credentials, level))
    if level in (B_LT, B_LTA):
        output = _add_dss(output, credentials, revocation or RevocationData())
    if level == B_LTA:
        output = _add_document_timestamp(output, responder)
    return output.getvalue()


def _add_document_timestamp(output: io.BytesIO, responder: tsa.Responder) -> io.BytesIO:
    """B-LTA: a document time-stamp (ETSI.RFC3161) over the whole file, the DSS included."""
    writer = IncrementalPdfFileWriter(output, strict=False)
    taken = {name for name, _signed in signature_fields(writer.prev)}
    n = 1
    while f"{DOC_TIMESTAMP}-{n}" in taken:
        n += 1
    stamper = PdfTimeStamper(InProcessTimeStamper(responder), field_name=f"{DOC_TIMESTAMP}-{n}")
    # A token holds the TSA's certificate and chain: 16 KiB of hex is room enough, and spares the trial run.
    return stamper.timestamp_pdf(writer, "sha256", bytes_reserved=16384)


def _room_for(credentials: Credentials, level: str) -> int:
    """Bytes to reserve for the CMS signature. Without it pyHanko signs twice, the first time only
    to measure the result: most of a B-B signature's cost. The certificates dominate the size;
    a time-stamp token brings the TSA's certificate and chain and a signature of its own."""
    certificates = credentials.size
    # Counted in hexadecimal digits of /Contents: two per byte of DER.
    room = 2 * (4096 + certificates + (0 if level == B_B else 4096 + 2 * certificates))
    return room + room % 2  # pyHanko wants an even number


def _add_dss(output: io.BytesIO, credentials: Credentials, revocation: RevocationData) -> io.BytesIO:
    # No VRI entry (sig_contents None): PAdES B-LT needs only the DSS's certificates and revocation data.
    DocumentSecurityStore.add_dss(
        output, None,
        certs=[asn1(c) for c in (credentials.certificate, *credentials.chain, *revocation.certificates)],
        ocsps=[asn1_ocsp.OCSPResponse.load(der) for der in revocation.ocsp_responses],
        crls=[asn1_crl.CertificateList.load(der) for der in revocation.crls],
    )
    return output
