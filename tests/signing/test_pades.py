"""PAdES signatures judged by third-party tools: pdfsig (poppler, NSS), openssl cms and openssl ts."""

import hashlib
import io
import re

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.signing.conftest import make_pdf, openssl, pdfsig, signature_parts, tamper, write
from vanphong.signing import services, verification

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_and_sealed(official, official_cert, seal_cert, clerk_a, unsigned_pdf) -> bytes:
    signed = services.sign_as_official(official, unsigned_pdf)
    return services.apply_seal(clerk_a, signed)


def _pdfsig_verdicts(report: str) -> list[tuple[str, str]]:
    """(signature validation, certificate validation) for each signature pdfsig lists."""
    signatures = [lines for lines in report.split("Signature #")[1:]]
    result = []
    for text in signatures:
        values = dict(line.strip(" -").split(": ", 1) for line in text.splitlines() if ": " in line)
        result.append((values.get("Signature Validation"), values.get("Certificate Validation")))
    return result


def test_official_then_seal_both_pass_pdfsig_and_our_report(signed_and_sealed, nss_db, tmp_path):
    path = write(tmp_path / "sealed.pdf", signed_and_sealed)
    _code, text = pdfsig(path, nss_db)
    assert _pdfsig_verdicts(text) == [("Signature is Valid.", "Certificate is Trusted.")] * 2, text
    assert "Signer Certificate Common Name: Nguyễn Thị Ánh Tuyết" in text and "Signer Certificate Common Name: Tỉnh ủy Bắc Ninh" in text
    assert text.count("Signature Type: ETSI.CAdES.detached") == 2
    report = verification.verify_pdf(signed_and_sealed)
    assert report.valid, [s.problems for s in report.signatures]
    official, seal = report.signatures
    assert (official.field_name, official.signer_name, seal.field_name) == ("Official-1", "Nguyễn Thị Ánh Tuyết", "Seal-1")
    assert official.chain == ["VănPhòng Thử nghiệm Issuing CA", "VănPhòng Thử nghiệm Root CA"]
    assert official.revocation == seal.revocation == "good"
    assert official.timestamp_time is not None and official.timestamp_authority.endswith("Time-Stamping Authority")
    assert official.changes_after == "Only later signatures or form fields were added after signing."
    assert seal.covers_whole_document


def test_a_changed_byte_fails_pdfsig_and_our_report(signed_and_sealed, nss_db, tmp_path):
    changed = tamper(signed_and_sealed)
    _code, text = pdfsig(write(tmp_path / "changed.pdf", changed), nss_db)
    verdicts = _pdfsig_verdicts(text)
    assert len(verdicts) == 2 and all(v[0] == "Digest Mismatch." for v in verdicts), text
    report = verification.verify_pdf(changed)
    assert not report.valid
    for signature in report.signatures:
        assert not signature.intact
        assert "The signed content was altered after signing" in signature.problems[0]


def test_openssl_cms_verifies_each_signature_over_its_byte_ranges(signed_and_sealed, pki, tmp_path):
    for name in ("Official-1", "Seal-1"):
        signature, content = signature_parts(signed_and_sealed, name)
        der, data = write(tmp_path / f"{name}.p7s", signature), write(tmp_path / f"{name}.bin", content)
        result = openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", der, "-content", data, "-CAfile", pki.root_pem,
                         "-purpose", "any", "-out", "/dev/null")
        assert "Verification successful" in result.stderr
        # The same signature over content with one byte changed is refused.
        write(data, content[:100] + bytes([content[100] ^ 1]) + content[101:])
        bad = openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", der, "-content", data, "-CAfile", pki.root_pem,
                      "-purpose", "any", "-out", "/dev/null", check=False)
        assert bad.returncode != 0 and "Verification failure" in bad.stderr


def test_b_t_carries_a_token_from_our_tsa_that_openssl_ts_accepts(signed_and_sealed, pki, tmp_path):
    signature, _content = signature_parts(signed_and_sealed, "Official-1")
    signer_info = cms.ContentInfo.load(signature)["content"]["signer_infos"][0]
    token = next(a["values"][0] for a in signer_info["unsigned_attrs"] if a["type"].native == "signature_time_stamp_token")
    token_file = write(tmp_path / "token.der", token.dump())
    imprint = hashlib.sha256(signer_info["signature"].native).hexdigest()
    result = openssl("ts", "-verify", "-in", token_file, "-token_in", "-digest", imprint, "-CAfile", pki.root_pem,
                     "-untrusted", pki.issuing_pem)
    assert "Verification: OK" in result.stdout
    text = openssl("ts", "-reply", "-in", token_file, "-token_in", "-token_out", "-text").stdout
    assert "Time-Stamping Authority" in text
    wrong = openssl("ts", "-verify", "-in", token_file, "-token_in", "-digest", "00" * 32, "-CAfile", pki.root_pem,
                    "-untrusted", pki.issuing_pem, check=False)
    assert wrong.returncode != 0


def _widgets(pdf: bytes):
    reader = PdfFileReader(io.BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    return {str(a.get_object()["/T"]): a.get_object() for a in page["/Annots"] if a.get_object().get("/FT") == "/Sig"}


def _images(widget) -> list:
    resources = widget["/AP"]["/N"]["/Resources"]
    return [x.get_object() for x in resources["/XObject"].values() if x.get_object()["/Subtype"] == "/Image"]


def _mean_colour(image) -> tuple[float, float, float]:
    """Average colour of the image's opaque pixels."""
    rgb, alpha = image.data, image["/SMask"].get_object().data
    pixels = [(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) for i in range(0, len(alpha), 7) if alpha[i] > 200]
    return tuple(sum(channel) / len(pixels) for channel in zip(*pixels, strict=True))


def test_visible_widgets_on_page_one_with_their_images(signed_and_sealed):
    widgets = _widgets(signed_and_sealed)
    assert set(widgets) == {"Official-1", "Seal-1"}
    official, seal = widgets["Official-1"], widgets["Seal-1"]
    (signature_image,), (seal_image,) = _images(official), _images(seal)
    red, green, blue = _mean_colour(signature_image)
    assert blue > 120 and blue > 2 * red  # the official's signature is blue
    red, green, blue = _mean_colour(seal_image)
    assert red > 150 and red > 3 * blue  # the seal is red
    # The appearance names the position above the image and the full name below it, in an embedded font.
    stream = official["/AP"]["/N"].data
    assert b"/F0" in stream and b"Do" in stream
    font = official["/AP"]["/N"]["/Resources"]["/Font"]["/F0"].get_object()
    assert font["/Subtype"] == "/Type0" and "/ToUnicode" in font
    # The seal covers the left third of the official's block, at about real size (35 mm).
    ox1, _oy1, ox2, _oy2 = (float(v) for v in official["/Rect"])
    sx1, _sy1, sx2, _sy2 = (float(v) for v in seal["/Rect"])
    assert sx1 < ox1 < sx2 < ox1 + (ox2 - ox1) / 2
    assert abs((sx2 - sx1) - 35 * 72 / 25.4) < 1


def test_the_appearance_says_position_name_and_iso_time(signed_and_sealed):
    """Decode the appearance's text through its font's ToUnicode map, as a reader copying it would."""
    official = _widgets(signed_and_sealed)["Official-1"]["/AP"]["/N"]
    font = official["/Resources"]["/Font"]["/F0"].get_object()
    to_unicode = dict(re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", font["/ToUnicode"].get_object().data.decode("ascii")))
    lines = ["".join(chr(int(to_unicode[g], 16)) for g in re.findall("[0-9A-F]{4}", hex_text))
             for hex_text in re.findall(r"<([0-9A-F]+)> Tj", official.data.decode("latin-1"))]
    assert lines[:2] == ["PHÓ CHÁNH VĂN PHÒNG", "Nguyễn Thị Ánh Tuyết"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", lines[2])


def test_b_b_has_no_time_stamp_and_b_lt_embeds_validation_data(official, official_cert, unsigned_pdf):
    plain = services.sign_as_official(official, unsigned_pdf, level="B-B")
    (signature,) = verification.verify_pdf(plain).signatures
    assert signature.valid and signature.timestamp_time is None and signature.level == "B-B"
    long_term = services.sign_as_official(official, unsigned_pdf, level="B-LT")
    reader = PdfFileReader(io.BytesIO(long_term))
    dss = reader.root["/DSS"]
    assert len(dss["/OCSPs"]) == 2 and len(dss["/CRLs"]) == 2  # the signer's and the TSA's status; both CAs' CRLs
    (signature,) = verification.verify_pdf(long_term).signatures
    assert signature.valid and signature.level == "B-LT"


def test_multi_page_document_is_signed_on_its_last_page(official, official_cert, clerk_a, seal_cert):
    signed = services.sign_as_official(official, make_pdf(pages=3))
    reader = PdfFileReader(io.BytesIO(signed))
    kids = [k.get_object() for k in reader.root["/Pages"]["/Kids"]]
    assert "/Annots" not in kids[0] and "/Annots" in kids[2]
    sealed = services.apply_seal(clerk_a, signed)
    last = PdfFileReader(io.BytesIO(sealed)).root["/Pages"]["/Kids"][2].get_object()
    assert len(last["/Annots"]) == 2  # the seal follows the official's signature to its page
