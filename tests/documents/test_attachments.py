"""Attachments: what is accepted, what is refused (and that nothing is stored then), the text found for
search, and who may download or preview a file. Every file is made here, byte by byte or with the
library that writes that format."""

import hashlib
import io
import os
import stat
import struct
import time
import unicodedata
import zipfile
import zlib
from pathlib import Path

import docx
import openpyxl
import PIL.Image
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import signed_in
from tests.factories import make_person
from vanphong.core import storage
from vanphong.core.models import AuditRecord
from vanphong.documents import services
from vanphong.documents.attachments import inspect, store

PDF_LINES = ["QUYẾT ĐỊNH", "Về việc giao chỉ tiêu kế hoạch năm 2026", "Ủy ban nhân dân tỉnh Nghệ An"]

# ---- files ----------------------------------------------------------------------------------------


def make_pdf(lines, *, decomposed=False, encrypted=False) -> bytes:
    """A minimal, valid one-page PDF whose text layer holds `lines`: a Type0 font (Identity-H) with a
    ToUnicode CMap, one glyph id per distinct character. `decomposed` maps glyphs to NFD sequences, as
    some Vietnamese fonts do; `encrypted` adds a standard security handler whose user password is not empty."""
    chars = sorted({c for line in lines for c in line})
    cid = {c: i + 1 for i, c in enumerate(chars)}
    content = "BT /F1 12 Tf 14 TL 72 760 Td " + " ".join(
        "<" + "".join(f"{cid[c]:04X}" for c in line) + "> Tj T*" for line in lines) + " ET"
    form = "NFD" if decomposed else "NFC"
    bfchars = "\n".join(f"<{cid[c]:04X}> <{unicodedata.normalize(form, c).encode('utf-16-be').hex().upper()}>" for c in chars)
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Adobe-Identity-UCS def /CMapType 2 def "
            f"1 begincodespacerange <0000> <FFFF> endcodespacerange\n{len(chars)} beginbfchar\n{bfchars}\nendbfchar\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /NotoSans /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        _pdf_stream(content.encode("ascii")),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NotoSans /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
        b"/Supplement 0 >> /FontDescriptor 8 0 R /CIDToGIDMap /Identity /DW 500 >>",
        _pdf_stream(cmap.encode("ascii")),
        b"<< /Type /FontDescriptor /FontName /NotoSans /Flags 32 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 "
        b"/Descent -200 /CapHeight 700 /StemV 80 >>",
    ]
    trailer = b""
    if encrypted:
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"AB" * 32 + b"> /U <" + b"CD" * 32 + b"> /P -4 >>")
        trailer = b" /Encrypt 9 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]"
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def _pdf_stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def make_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Kính gửi: Sở Tài chính tỉnh Bắc Ninh")
    document.add_paragraph("Đề nghị quý cơ quan phối hợp thực hiện.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Nơi nhận"
    table.cell(0, 1).text = "Ghi chú"
    table.cell(1, 0).text = "Văn phòng Tỉnh ủy"
    table.cell(1, 1).text = "Lưu trữ hồ sơ"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Chỉ tiêu"
    sheet.append(["Đơn vị", "Số lượng"])
    sheet.append(["Huyện Quế Võ", 125])
    sheet.append(["Thành phố Từ Sơn", 3.5])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_png(width=3, height=2) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xcc\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TIFF = b"II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"


def rezip(data: bytes, replace: dict | None = None) -> bytes:
    """The same ZIP with some entries replaced (or added)."""
    replace = dict(replace or {})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.pop(info.filename, None) or src.read(info))
        for name, body in replace.items():
            dst.writestr(name, body)
    return out.getvalue()


def make_zip(entries: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in entries.items():
            zf.writestr(name, body)
    return out.getvalue()


def docx_bomb() -> bytes:
    """A real .docx package whose document.xml unpacks to 300 MB (of spaces), about 1.4 MB packed."""
    data = make_docx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info.filename, src.read(info))
        with dst.open("word/document.xml", "w", force_zip64=True) as big:
            big.write(src.read("word/document.xml")[:-len(b"</w:document>")])
            for _ in range(300):
                big.write(b" " * (1024 * 1024))
            big.write(b"</w:document>")
    return out.getvalue()


CT_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
PPTX = make_zip({
    "[Content_Types].xml": CT_HEAD + '<Override PartName="/ppt/presentation.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>',
    "ppt/presentation.xml": "<p:presentation xmlns:p='http://schemas.openxmlformats.org/presentationml/2006/main'/>",
})


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")  # the browser's type is not looked at


def stored_files(settings) -> list[Path]:
    root = Path(settings.VANPHONG_FILES_DIR)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (Vietnamese, the default, is the translators' part)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _upload_tmp(settings, tmp_path):
    """Spooled uploads go to a folder of their own, so a test can see that none is left behind."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


# ---- accepted files and their text ---------------------------------------------------------------------


def test_pdf_is_stored_by_content_hash_with_its_vietnamese_text(settings):
    data = make_pdf(PDF_LINES)
    result = store(upload("Quyết định giao chỉ tiêu.pdf", data))
    assert result.sha256 == hashlib.sha256(data).hexdigest() and result.size == len(data)
    assert storage.read_bytes(result.sha256) == data and stored_files(settings) == [storage.path_for(result.sha256)]
    assert result.content_type == "application/pdf" and result.page_count == 1
    assert result.filename == "Quyết định giao chỉ tiêu.pdf"
    assert "Về việc giao chỉ tiêu kế hoạch năm 2026" in result.text and "Ủy ban nhân dân tỉnh Nghệ An" in result.text
    assert "\n" in result.text  # lines are kept
    again = store(upload("bản sao.pdf", data))  # the same bytes are kept once
    assert again.sha256 == result.sha256 and len(stored_files(settings)) == 1


def test_decomposed_tone_marks_are_composed():
    text = store(upload("nfd.pdf", make_pdf(PDF_LINES, decomposed=True))).text
    assert unicodedata.is_normalized("NFC", text)
    assert "QUYẾT ĐỊNH" in text and "Ủy ban nhân dân" in text


def test_pdf_without_text_layer_is_reported_for_ocr(tmp_path):
    scanned = tmp_path / "scan.pdf"
    scanned.write_bytes(make_pdf([]))
    result = inspect(scanned)
    assert result.page_count == 1 and result.text == ""
    assert result.has_text_layer is False and result.needs_ocr and not result.extraction_failed
    with_text = tmp_path / "text.pdf"
    with_text.write_bytes(make_pdf(PDF_LINES))
    assert inspect(with_text).has_text_layer is True and not inspect(with_text).needs_ocr


def test_docx_paragraphs_and_tables_are_extracted(settings):
    data = make_docx()
    result = store(upload("Công văn.docx", data))
    assert result.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    for words in ["Kính gửi: Sở Tài chính tỉnh Bắc Ninh", "Đề nghị quý cơ quan phối hợp", "Nơi nhận", "Văn phòng Tỉnh ủy", "Lưu trữ hồ sơ"]:
        assert words in result.text
    assert result.text.index("Kính gửi") < result.text.index("Văn phòng Tỉnh ủy")  # document order
    assert storage.read_bytes(result.sha256) == data


def test_docx_text_box_is_read_once(tmp_path):
    """Word writes a text box twice: for today's readers (mc:Choice) and for older ones (mc:Fallback)."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    box = '<w:txbxContent><w:p><w:r><w:t>Hộp văn bản: ĐỘC LẬP</w:t></w:r></w:p></w:txbxContent>'
    xml = (f'<w:document xmlns:w="{w}" xmlns:mc="{mc}"><w:body><w:p><w:r><w:t>Trước</w:t></w:r><w:r><mc:AlternateContent>'
           f'<mc:Choice Requires="wps">{box}</mc:Choice><mc:Fallback>{box}</mc:Fallback></mc:AlternateContent></w:r></w:p>'
           '<w:p><w:r><w:t xml:space="preserve">Sau </w:t></w:r><w:r><w:tab/><w:t>cùng</w:t></w:r></w:p></w:body></w:document>')
    path = tmp_path / "box.docx"
    path.write_bytes(rezip(make_docx(), {"word/document.xml": xml}))
    text = inspect(path).text
    assert text.count("Hộp văn bản: ĐỘC LẬP") == 1 and "Trước" in text and "Sau\tcùng" in text


def test_xlsx_cells_are_extracted():
    result = store(upload("Chỉ tiêu.xlsx", make_xlsx()))
    assert result.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "Chỉ tiêu" in result.text and "Huyện Quế Võ\t125" in result.text and "Thành phố Từ Sơn\t3.5" in result.text


@pytest.mark.parametrize("name, data, content_type", [
    ("ảnh chụp.png", make_png(), "image/png"),
    ("ảnh chụp.JPG", JPEG, "image/jpeg"),
    ("bản quét.tiff", TIFF, "image/tiff"),
])
def test_images_are_accepted_without_text_and_flagged_for_ocr(tmp_path, name, data, content_type):
    result = store(upload(name, data))
    assert result.content_type == content_type and result.text == "" and result.page_count is None
    path = tmp_path / "image"
    path.write_bytes(data)
    assert inspect(path).needs_ocr


def test_name_without_extension_gets_one_and_the_name_is_cleaned():
    assert store(upload("Quyết định số 12.QĐ-UBND", make_pdf(PDF_LINES))).filename == "Quyết định số 12.QĐ-UBND.pdf"
    assert store(upload("C:\\Users\\vt\\hoá đơn\u202egpj.pdf", make_pdf(PDF_LINES))).filename == "hoá đơn gpj.pdf"


def test_any_file_like_object_is_read_in_chunks_and_size_is_not_trusted(settings):
    settings.VANPHONG_MAX_UPLOAD_BYTES = 3000
    stream = io.BytesIO(make_pdf(PDF_LINES) + b"%" + b"x" * 5000)
    stream.name, stream.size = "lớn.pdf", 10  # a lying size
    with pytest.raises(ValidationError) as refused:
        store(stream)
    assert refused.value.code == "too_large" and stored_files(settings) == []
    small = io.BytesIO(make_pdf(PDF_LINES))
    small.name = "nhỏ.pdf"
    assert store(small).page_count == 1


# ---- refused files: a clear message, nothing stored ---------------------------------------------------


def _docm() -> bytes:
    data = make_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        types = zf.read("[Content_Types].xml").replace(b"officedocument.wordprocessingml.document.main+xml",
                                                      b"ms-word.document.macroEnabled.main+xml")
        types = types.replace(b"application/vnd.openxmlformats-ms-word", b"application/vnd.ms-word")
    return rezip(data, {"[Content_Types].xml": types, "word/vbaProject.bin": b"\x00" * 64})


REFUSED = [
    ("exe_named_pdf", "hoa-don.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "not_accepted",
     ["“hoa-don.pdf”", "a Windows program (executable)"]),
    ("elf_named_pdf", "bao-cao.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, "not_accepted", ["“bao-cao.pdf”", "a Linux program"]),
    ("script_named_pdf", "to-trinh.pdf", b"#!/bin/sh\nrm -rf /\n", "not_accepted", ["a script"]),
    ("html_named_pdf", "thong-bao.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "not_accepted",
     ["“thong-bao.pdf”", "a web page (HTML)"]),
    ("svg_named_png", "logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "not_accepted", ["an SVG image"]),
    ("zip_named_docx", "ho-so.docx", make_zip({"a.txt": "xin chào", "b/c.txt": "x"}), "not_accepted", ["“ho-so.docx”", "a ZIP archive"]),
    ("pptx", "trinh-chieu.pptx", PPTX, "not_accepted", ["a PowerPoint presentation"]),
    ("docm_named_docx", "mau.docx", _docm(), "not_accepted", ["an Office file with macros"]),
    ("old_doc", "cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "not_accepted", ["an old-format Office file"]),
    ("locked_docx", "khoa.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 400,
     "not_accepted", ["a password-protected Office file"]),
    ("pdf_named_docx", "cong-van.docx", make_pdf(PDF_LINES), "wrong_extension", ["“cong-van.docx”", "a PDF document", ".pdf"]),
    ("empty", "rong.pdf", b"", "empty", ["The file is empty"]),
    ("corrupt_pdf", "hong.pdf", b"%PDF-1.7\n1 0 obj garbage \x00\x01\x02 endobj\n%%EOF\n", "damaged", ["The PDF is damaged"]),
    ("truncated_pdf", "cut.pdf", make_pdf(PDF_LINES)[:300], "damaged", ["The PDF is damaged"]),
    ("pdf_without_pages", "trang.pdf", make_pdf(PDF_LINES).replace(b"/Kids [3 0 R] /Count 1", b"/Kids [] /Count 0"), "damaged",
     ["The PDF is damaged"]),
    ("damaged_png", "anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "damaged", ["The image is damaged"]),
    ("password_pdf", "mat-khau.pdf", make_pdf(PDF_LINES, encrypted=True), "encrypted", ["protected by a password"]),
    ("broken_zip", "vo.docx", b"PK\x03\x04" + b"\x00" * 300, "damaged", ["The file is damaged"]),
    ("unknown_binary", "du-lieu.pdf", bytes(range(256)) * 4, "not_accepted", ["“du-lieu.pdf”", "a file of an unknown kind"]),
]


@pytest.mark.parametrize("case, name, data, code, phrases", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_with_a_clear_message_and_nothing_stored(settings, _upload_tmp, case, name, data, code, phrases):
    with pytest.raises(ValidationError) as refused:
        store(upload(name, data))
    message = " ".join(refused.value.messages)
    assert refused.value.code == code, message
    for phrase in phrases:
        assert phrase in message
    assert stored_files(settings) == [] and list(_upload_tmp.iterdir()) == []


def test_file_over_the_limit_is_refused_and_nothing_stored(settings, _upload_tmp):
    settings.VANPHONG_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        store(upload("lớn.png", make_png(200, 200) + b"\x00" * 2048))
    assert refused.value.code == "too_large" and "larger than the limit of 1.0" in refused.value.messages[0]
    assert stored_files(settings) == [] and list(_upload_tmp.iterdir()) == []
    settings.VANPHONG_MAX_UPLOAD_BYTES = 1024 * 1024
    assert store(upload("vừa.png", make_png())).size < 1024 * 1024


def test_docx_zip_bomb_is_refused_before_it_is_unpacked(settings, _upload_tmp):
    bomb = docx_bomb()
    assert len(bomb) < 3 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(ValidationError) as refused:
        store(upload("bom.docx", bomb))
    assert refused.value.code == "zip_bomb" and "would unpack to 300.8\xa0MB" in refused.value.messages[0]
    assert time.monotonic() - started < 5
    assert stored_files(settings) == [] and list(_upload_tmp.iterdir()) == []
    settings.VANPHONG_MAX_UNPACKED_BYTES = 10_000  # the absolute limit, for any ratio
    with pytest.raises(ValidationError) as refused:
        store(upload("thường.docx", make_docx()))
    assert refused.value.code == "zip_bomb" and stored_files(settings) == []


# ---- hostile files that are what they claim: kept, text empty or partial, never a hang ------------------


def test_docx_with_broken_xml_is_kept_with_a_flag(tmp_path):
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    broken = rezip(make_docx(), {"word/document.xml": f'<w:document xmlns:w="{ns}"><w:body><w:p><w:r><w:t>Mở đầu</w:t></w:r></w:p><oops'})
    path = tmp_path / "broken.docx"
    path.write_bytes(broken)
    result = inspect(path)
    assert result.extraction_failed and result.text == "Mở đầu"
    assert store(upload("hỏng nội dung.docx", broken)).content_type.endswith("wordprocessingml.document")


def test_docx_entity_expansion_is_not_performed(tmp_path):
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    lol = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 4))  # 1,000 laughs: small enough to expand
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "cười">{lol}]>'
           f'<w:document xmlns:w="{ns}"><w:body><w:p><w:r><w:t>&l3;</w:t></w:r></w:p>'
           f'<w:p><w:r><w:t>Kết thúc</w:t></w:r></w:p></w:body></w:document>')
    path = tmp_path / "laughs.docx"
    path.write_bytes(rezip(make_docx(), {"word/document.xml": xml}))
    started = time.monotonic()
    result = inspect(path)
    assert time.monotonic() - started < 5
    assert "cười" not in result.text and "Kết thúc" in result.text


def _fake_tool(folder: Path, name: str, script: str) -> None:
    tool = folder / name
    tool.write_text("#!/bin/sh\n" + script + "\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)


def test_pdftotext_that_hangs_is_stopped_and_the_file_kept(settings, tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    _fake_tool(tools, "pdftotext", "exec sleep 60")
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    settings.VANPHONG_EXTRACT_TIMEOUT_SECONDS = 1
    path = tmp_path / "slow.pdf"
    path.write_bytes(make_pdf(PDF_LINES))
    started = time.monotonic()
    result = inspect(path)
    assert time.monotonic() - started < 10
    assert result.extraction_failed and result.text == "" and result.page_count == 1 and result.has_text_layer is None
    assert store(upload("chậm.pdf", make_pdf(PDF_LINES))).page_count == 1


def test_endless_text_is_cut_at_the_budget(settings, tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    _fake_tool(tools, "pdftotext", "exec yes 'Quyết định'")
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    settings.VANPHONG_MAX_ATTACHMENT_TEXT_CHARS = 1000
    path = tmp_path / "endless.pdf"
    path.write_bytes(make_pdf(PDF_LINES))
    started = time.monotonic()
    result = inspect(path)
    assert time.monotonic() - started < 10
    assert result.truncated and 900 < len(result.text) <= 1000 and result.text.startswith("Quyết định\nQuyết định")


# ---- download and preview ------------------------------------------------------------------------------


def _incoming(clerk, files, **fields):
    values = {"doc_type": "CV", "subject": "Công văn có tệp đính kèm", "issuing_agency_name": "UBND tỉnh Bắc Ninh", **fields}
    return services.register_incoming(clerk, files=files, **values)


@pytest.fixture
def pdf_bytes():
    return make_pdf(PDF_LINES)


@pytest.fixture
def public_doc(clerk_doc, pdf_bytes):
    return _incoming(clerk_doc, [store(upload("Quyết định số 12.pdf", pdf_bytes)), store(upload("ảnh.png", make_png()))])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_reader_of_the_agency_downloads_the_file_with_safe_headers(client, public_doc, agency_a, pdf_bytes):
    reader = make_person(agency_a, "chuyenvien", "Lê Văn Chuyên", clearance=0)
    pdf = public_doc.attachments.get(content_type="application/pdf")
    assert "giao chỉ tiêu kế hoạch" in pdf.text.lower() and pdf.page_count == 1
    signed_in(client, reader)
    response = client.get(f"/documents/attachments/{pdf.pk}/")
    assert response.status_code == 200 and _body(response) == pdf_bytes
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Quyet dinh so 12.pdf\"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%2012.pdf")
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert not AuditRecord.objects.filter(action="documents.attachment.downloaded").exists()  # not confidential
    assert client.post(f"/documents/attachments/{pdf.pk}/").status_code == 405


@pytest.mark.django_db
def test_pdf_preview_is_inline_and_framable_by_our_pages_only(client, public_doc, clerk_doc, pdf_bytes):
    pdf = public_doc.attachments.get(content_type="application/pdf")
    png = public_doc.attachments.get(content_type="image/png")
    signed_in(client, clerk_doc)
    response = client.get(f"/documents/attachments/{pdf.pk}/preview/")
    assert response.status_code == 200 and _body(response) == pdf_bytes
    assert response["Content-Disposition"].startswith('inline; filename="Quyet dinh so 12.pdf"')
    assert response["X-Frame-Options"] == "SAMEORIGIN" and response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
    assert client.get(f"/documents/attachments/{png.pk}/preview/").status_code == 404  # PDFs only
    image = client.get(f"/documents/attachments/{png.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


@pytest.mark.django_db
def test_pdf_pages_are_shown_as_images_rendered_once(client, public_doc, clerk_doc, settings):
    pdf = public_doc.attachments.get(content_type="application/pdf")
    png = public_doc.attachments.get(content_type="image/png")
    signed_in(client, clerk_doc)
    detail = client.get(f"/documents/{public_doc.pk}/").content.decode()
    assert f'src="/documents/attachments/{pdf.pk}/pages/1.png"' in detail and "/pages/2.png" not in detail
    response = client.get(f"/documents/attachments/{pdf.pk}/pages/1.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    image = PIL.Image.open(io.BytesIO(response.content))
    assert image.size[0] == 827  # A4 at 100 dpi
    cached = list(Path(settings.VANPHONG_PREVIEWS_DIR).rglob(f"{pdf.sha256}-1-100.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == response.content
    cached[0].write_bytes(response.content + b"cached")  # a second view is served from the cache, not rendered again
    assert client.get(f"/documents/attachments/{pdf.pk}/pages/1.png").content.endswith(b"cached")
    assert client.get(f"/documents/attachments/{pdf.pk}/pages/2.png").status_code == 404  # the PDF has one page
    assert client.get(f"/documents/attachments/{pdf.pk}/pages/0.png").status_code == 404
    assert client.get(f"/documents/attachments/{png.pk}/pages/1.png").status_code == 404  # PDFs only


@pytest.mark.django_db
def test_people_of_another_agency_and_strangers_get_nothing(client, public_doc, agency_b):
    pdf = public_doc.attachments.get(content_type="application/pdf")
    signed_in(client, make_person(agency_b, "vt.b", "Văn Thư B", roles=["clerk"], clearance=3))
    for url in [f"/documents/attachments/{pdf.pk}/", f"/documents/attachments/{pdf.pk}/preview/", f"/documents/attachments/{pdf.pk}/pages/1.png",
                "/documents/attachments/999999/"]:
        assert client.get(url).status_code == 404
    client.logout()
    response = client.get(f"/documents/attachments/{pdf.pk}/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.django_db
def test_confidential_file_goes_only_to_the_distribution_and_is_audited(client, clerk_doc, agency_a, pdf_bytes):
    on_list = make_person(agency_a, "doc.mat", "Phạm Thị Đọc", clearance=1)
    off_list = make_person(agency_a, "khong.ds", "Hoàng Văn Ngoài", clearance=2)
    no_clearance = make_person(agency_a, "khong.mat", "Đỗ Văn Thường", clearance=0)
    secret = _incoming(clerk_doc, [store(upload("Báo cáo mật.pdf", pdf_bytes))], confidentiality=1, distribution=[on_list])
    attachment = secret.attachments.get()
    url = f"/documents/attachments/{attachment.pk}/"
    for person in [off_list, no_clearance]:
        signed_in(client, person)
        assert client.get(url).status_code == 404 and client.get(url + "preview/").status_code == 404
        assert client.get(url + "pages/1.png").status_code == 404
    assert not AuditRecord.objects.filter(action="documents.attachment.downloaded").exists()
    signed_in(client, on_list)
    response = client.get(url)
    assert response.status_code == 200 and _body(response) == pdf_bytes
    record = AuditRecord.objects.get(action="documents.attachment.downloaded")
    assert record.actor == on_list and record.target_id == str(attachment.pk) and record.data["inline"] is False
    assert client.get(url + "preview/").status_code == 200
    assert AuditRecord.objects.filter(action="documents.attachment.downloaded", data__inline=True).count() == 1
    assert client.get(url + "pages/1.png").status_code == 200  # a page seen as an image is a read too
    assert AuditRecord.objects.filter(action="documents.attachment.downloaded", data__page=1).count() == 1
    on_list.clearance = 0  # clearance withdrawn: the distribution no longer suffices
    on_list.save()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_missing_stored_file_is_a_404_not_a_crash(client, public_doc, clerk_doc):
    pdf = public_doc.attachments.get(content_type="application/pdf")
    storage.path_for(pdf.sha256).unlink()
    signed_in(client, clerk_doc)
    assert client.get(f"/documents/attachments/{pdf.pk}/").status_code == 404


def test_kinds_are_recognised_whatever_the_active_language():
    from django.utils import translation

    from vanphong.documents import attachments

    for language in ("vi", "en"):
        with translation.override(language):
            assert store(upload("bao-cao.docx", make_docx())).content_type == attachments.DOCX.content_type
