"""The clerk's number and date on a signed document, and B-LTA: the official's signature stays
valid by pyHanko's difference analysis and by pdfsig."""

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.signing.conftest import decree_30_pdf, make_pdf, pdfsig, write
from tests.signing.test_pades import _pdfsig_verdicts
from vanphong.signing import number_fields, services, verification

pytestmark = pytest.mark.django_db

NUMBER = {"Number": "05/QĐ-TU", "IssuedDate": "ngày 29 tháng 11 năm 2026"}


def test_number_and_date_filled_with_the_seal_keep_the_officials_signature_valid(official, official_cert, seal_cert, clerk_a, nss_db,
                                                                                tmp_path):
    signed = services.sign_as_official(official, make_pdf(2), reserve_number=True)
    assert number_fields.filled_values(PdfFileReader(io.BytesIO(signed))) == {"Number": "", "IssuedDate": ""}
    sealed = services.apply_seal(clerk_a, signed, number_values=NUMBER)
    assert number_fields.filled_values(PdfFileReader(io.BytesIO(sealed))) == NUMBER
    report = verification.verify_pdf(sealed)
    assert report.valid, [s.problems for s in report.signatures]
    assert report.signatures[0].changes_after == "Only later signatures or form fields were added after signing."
    _code, text = pdfsig(write(tmp_path / "sealed.pdf", sealed), nss_db)
    assert _pdfsig_verdicts(text) == [("Signature is Valid.", "Certificate is Trusted.")] * 2, text
    # The number is on page 1, as text a reader can copy.
    result = __import__("subprocess").run(["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "sealed.pdf"), "-"], capture_output=True,
                                          text=True)
    assert "05/QĐ-TU" in result.stdout and "29 tháng 11 năm 2026" in result.stdout


def test_number_goes_after_the_so_label_of_a_decree_30_heading():
    pdf = make_pdf(1, "Số:        /QĐ-TU")
    places = number_fields.locate(pdf)
    x1, y1, x2, y2 = places["Number"]
    assert 20 < x1 < 100 and y2 > 700  # just after "Số:" on the first line, not in the margin


def test_b_lta_adds_a_document_timestamp_that_the_report_shows(official, official_cert, unsigned_pdf, nss_db, tmp_path):
    signed = services.sign_as_official(official, unsigned_pdf, level="B-LTA")
    report = verification.verify_pdf(signed)
    assert report.valid, ([s.problems for s in report.signatures], [t.problems for t in report.document_timestamps])
    assert report.signatures[0].level == "B-LTA"
    (stamp,) = report.document_timestamps
    assert stamp.field_name == "DocTimeStamp-1" and stamp.time is not None and stamp.authority.endswith("Time-Stamping Authority")
    _code, text = pdfsig(write(tmp_path / "lta.pdf", signed), nss_db)
    # Poppler 22 lists the document time-stamp but cannot judge one ("Unable to validate this type"): our report does.
    assert _pdfsig_verdicts(text)[0] == ("Signature is Valid.", "Certificate is Trusted.") and "DocTimeStamp-1" in text, text


def test_number_and_date_of_a_two_column_heading_do_not_cover_each_other():
    places = number_fields.locate(decree_30_pdf("về việc thử nghiệm"))
    number, date = places["Number"], places["IssuedDate"]
    assert number[2] < date[0]  # "Bắc Ninh, " stays visible between them
    assert 280 < date[0] < 420 and number[0] < 200 and abs(number[1] - date[1]) < 2
