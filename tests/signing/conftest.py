"""Fixtures for signing: a CA, an official and a clerk with held keys, PDFs, and the third-party
tools that judge the signatures (pdfsig with an NSS database trusting our root, openssl)."""

from __future__ import annotations

import logging
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest
from fpdf import FPDF

# The CA's autouse fixtures (English messages, fast password hashing) apply here too.
from tests.pki.conftest import InitialisedCA, _english, _fast_passwords, openssl, write  # noqa: F401
from vanphong.pki import services as pki_services


@pytest.fixture
def pki(ca_operator, tmp_path):
    root, issuing = pki_services.init_ca(ca_operator, name="VănPhòng Thử nghiệm", algorithm="p256")
    return InitialisedCA(root, issuing, tmp_path)


@pytest.fixture
def official_cert(pki, ca_operator, official):
    return pki_services.issue_with_held_key(ca_operator, profile="official", holder_person=official)


@pytest.fixture
def seal_cert(pki, ca_operator, agency_a):
    return pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_a)


@lru_cache(maxsize=8)
def make_pdf(pages: int = 1, text: str = "Quyết định về việc thử nghiệm chữ ký số") -> bytes:
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # fpdf2 subsets its font with fontTools, which lists every glyph
    pdf = FPDF(format="A4")
    pdf.add_font("noto", "", "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")
    for n in range(pages):
        pdf.add_page()
        pdf.set_font("noto", size=13)
        pdf.multi_cell(0, 8, f"{text} — trang {n + 1}")
    return bytes(pdf.output())


def decree_30_pdf(subject: str) -> bytes:
    """A one-page decision laid out as Decree 30 asks: number and date left blank for the clerk."""
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = FPDF(format="A4")
    pdf.add_font("noto", "", "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")
    pdf.add_font("noto", "B", "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf")
    pdf.add_page()
    pdf.set_font("noto", "B", 12)
    pdf.cell(85, 7, "TỈNH ỦY BẮC NINH", align="C")
    pdf.cell(0, 7, "ĐẢNG CỘNG SẢN VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 13)
    pdf.cell(85, 8, "Số:            /QĐ-TU", align="C")
    pdf.cell(0, 8, "Bắc Ninh, ngày      tháng      năm 2026", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_font("noto", "B", 14)
    pdf.cell(0, 8, "QUYẾT ĐỊNH", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 13)
    pdf.multi_cell(0, 8, subject, align="C")
    pdf.ln(6)
    pdf.multi_cell(0, 8, "Điều 1. Thành lập Tổ công tác chuyển đổi số của cơ quan.\nĐiều 2. Quyết định có hiệu lực kể từ ngày ký.")
    return bytes(pdf.output())


@pytest.fixture
def unsigned_pdf() -> bytes:
    return make_pdf()


def run(*args, input=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, input=input, timeout=120)


@pytest.fixture
def nss_db(pki, tmp_path) -> Path:
    """An NSS database (certutil, from libnss3-tools) in which our root is a trusted CA, for pdfsig."""
    folder = tmp_path / "nssdb"
    folder.mkdir()
    result = run("certutil", "-N", "-d", f"sql:{folder}", "--empty-password")
    assert result.returncode == 0, result.stderr
    result = run("certutil", "-A", "-d", f"sql:{folder}", "-n", "vanphong-root", "-t", "CT,C,C", "-i", pki.root_pem)
    assert result.returncode == 0, result.stderr
    return folder


def pdfsig(path: Path, nss_db: Path) -> tuple[int, str]:
    """pdfsig's exit status and report. It exits 0 even when a digest does not match: read the report.
    -no-ocsp: the certificates name the OCSP responder at VANPHONG_PUBLIC_URL, where no server runs
    during these tests (our own report checks revocation)."""
    result = run("pdfsig", "-nssdir", f"sql:{nss_db}", "-no-ocsp", path)
    return result.returncode, result.stdout + result.stderr


def signature_parts(pdf: bytes, field_name: str) -> tuple[bytes, bytes]:
    """(the DER CMS signature, the bytes its /ByteRange covers) of one signature, as a
    third-party verifier reads them."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    sig = next(s for s in reader.embedded_signatures if s.field_name == field_name)
    start1, length1, start2, length2 = (int(v) for v in sig.sig_object["/ByteRange"])
    return sig.pkcs7_content, pdf[start1:start1 + length1] + pdf[start2:start2 + length2]


def tamper(pdf: bytes) -> bytes:
    """One byte changed inside the first signed range: in the binary comment of the header,
    so the file still parses and only the digests can tell."""
    changed = bytearray(pdf)
    changed[11] ^= 0x01
    assert pdf[:9] == b"%PDF-1.3\n" and changed != bytearray(pdf)
    return bytes(changed)


def pkcs12_of(key, cert, chain, passphrase: str = "mật-khẩu-2026") -> bytes:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    return pkcs12.serialize_key_and_certificates(b"signer", key, cert, chain, BestAvailableEncryption(passphrase.encode()))


def outside_ca(name: str = "Other Authority Root"):
    """A root and an official's certificate under it, from an authority this instance does not know."""
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric import ec

    from vanphong.pki import certbuilder, keys, profiles

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    root_key = ec.generate_private_key(ec.SECP256R1())
    signer = keys.from_private_key(root_key)
    root_name = certbuilder.name(common_name=name, organization="Other")
    root = certbuilder.build(profile=profiles.ROOT_CA, subject=root_name, public_key=root_key.public_key(), serial=1,
                             not_after=now + dt.timedelta(days=365), issuer=None, signer=signer, now=now)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    builder_issuer = _FakeIssuer(root)
    leaf = certbuilder.build(profile=profiles.PROFILES["official"], subject=certbuilder.name(common_name="Ngô Văn Ngoài", organization="Other"),
                             public_key=leaf_key.public_key(), serial=2, not_after=now + dt.timedelta(days=30), issuer=builder_issuer,
                             signer=signer, now=now)
    return root, leaf_key, leaf


class _FakeIssuer:
    """What certbuilder reads of an issuing CA, for an authority that is not in the database."""

    def __init__(self, cert):
        self.x509 = cert
        self.crl_url = "http://other.invalid/crl"
        self.certificate_url = "http://other.invalid/ca.crt"
