"""Register books (Decree 30/2020/NĐ-CP, Phụ lục IV): the XLSX, PDF and DOCX a clerk exports, read
back with openpyxl, pdftotext and python-docx; what a reader may not see stays out of them."""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime

import pytest
from django.utils import timezone, translation

from tests.conftest import signed_in
from tests.factories import make_person, make_unit
from vanphong.core.errors import NotFound, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.documents import register_book, services
from vanphong.documents.models import Document, Register

YEAR = date.today().year - 1  # a past year: every day of it can hold arrivals
PERIOD = {"start": date(YEAR, 1, 1), "end": date(YEAR, 5, 31)}
VI_INCOMING = ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
               "Đơn vị hoặc người nhận", "Ký nhận", "Ghi chú"]
VI_OUTGOING = ["Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản", "Người ký", "Nơi nhận văn bản",
               "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú"]


def at(month, day, hour=9, minute=0):
    return timezone.make_aware(datetime(YEAR, month, day, hour, minute))


@pytest.fixture
def book(agency_a, clerk_doc):
    """Agency A's incoming and outgoing registers of last year, with a confidential document in each."""
    office = make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")
    w = type("World", (), {})()
    w.clerk, w.office = clerk_doc, office
    w.reader_on = make_person(agency_a, "mat.doc", "Người Được Đọc", roles=["specialist"], clearance=1)
    w.reader_off = make_person(agency_a, "mat.khong", "Người Không Được Đọc", roles=["specialist"], clearance=3)
    w.plain = make_person(agency_a, "thuong", "Người Thường", roles=["specialist"])
    w.incoming = services.create_register(clerk_doc, agency_a, direction="in", year=YEAR, name=f"Sổ văn bản đến {YEAR}", code="DEN")
    w.outgoing = services.create_register(clerk_doc, agency_a, direction="out", year=YEAR, name=f"Sổ văn bản đi {YEAR}", code="DI")

    def receive(arrival, subject, number, notation, issuer, doc_type="CV", **extra):
        return services.register_incoming(clerk_doc, register=w.incoming, arrival_date=arrival, doc_type=doc_type, subject=subject,
                                          code_number=number, code_notation=notation, issuing_agency_name=issuer,
                                          issued_date=timezone.localtime(arrival).date(), receiving_unit=office, **extra)

    w.in_docs = [
        receive(at(1, 5), "Quyết định về công tác cán bộ", "12", "QĐ-UBND", "Ủy ban nhân dân tỉnh Bắc Ninh", doc_type="QĐ"),
        receive(at(2, 10), "Về việc triển khai chuyển đổi số", "45", "STTTT-VP", "Sở Thông tin và Truyền thông", urgency=3),
        receive(at(3, 20), "Tài liệu mật về quốc phòng", "07", "BCH-TM", "Bộ Chỉ huy Quân sự tỉnh", confidentiality=1,
                distribution=[w.reader_on]),
        receive(at(5, 31, 23, 30), "Thông báo kết luận của Thường trực", "88", "TB/TU", "Văn phòng Tỉnh ủy Hà Nam", doc_type="TB"),
        receive(at(6, 1, 0, 10), "Kế hoạch phòng chống thiên tai", "101", "KH-UBND", "UBND tỉnh Nghệ An", doc_type="KH"),
    ]

    def send(number, day, subject, doc_type, places, **extra):
        draft = services.create_outgoing_draft(clerk_doc, doc_type=doc_type, subject=subject, signer_name="Trần Quốc Khánh", copies=3,
                                               file_copy_unit=office, recipient_places=places, **extra)
        # As issue_outgoing would have, on that day of last year.
        Document.objects.filter(pk=draft.pk).update(
            register=w.outgoing, number=number, code_number=f"{number:02d}", code_notation=f"{doc_type}/TU", issued_date=day,
            issued_at=timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=15)), status=Document.Status.ISSUED)
        return draft

    w.out_docs = [
        send(2, date(YEAR, 3, 2), "Quyết định kiện toàn Ban Chỉ đạo chuyển đổi số", "QĐ", ["Như Điều 3;", "Lưu: VT, VP."]),
        send(1, date(YEAR, 2, 1), "Về việc tổng kết công tác năm", "CV", ["Các huyện ủy, thành ủy;", "Lưu: VT."]),
        send(3, date(YEAR, 4, 4), "Chỉ thị mật về bảo vệ bí mật nhà nước", "CT", ["Ban Thường vụ"], confidentiality=1,
             distribution=[w.reader_on]),
        send(4, date(YEAR, 7, 1), "Báo cáo sơ kết sáu tháng", "BC", ["Ban Bí thư"]),
    ]
    Register.objects.filter(pk=w.outgoing.pk).update(next_number=5)
    return w


def pdf_text(content: bytes, *pages: int) -> str:
    """The text poppler reads, in reading order, white space collapsed (a cell's lines join up)."""
    args = ["pdftotext"] + (["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []) + ["-", "-"]
    return " ".join(subprocess.run(args, input=content, capture_output=True, check=True).stdout.decode().split())


def in_order(text: str, *parts: str) -> bool:
    positions = [text.find(part) for part in parts]
    return -1 not in positions and positions == sorted(positions)


# ---- XLSX -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_incoming_book_as_xlsx(book):
    import openpyxl

    content, content_type, filename = register_book.export(book.clerk, book.incoming, fmt="xlsx", **PERIOD)
    assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert filename == f"so-van-ban-den-{YEAR}.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    texts = [str(v) for r in rows for v in r if v is not None]
    assert "TỈNH ỦY BẮC NINH" in texts and "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in texts and f"Năm {YEAR}" in texts
    assert f"Từ ngày 01/01/{YEAR} đến ngày 31/05/{YEAR}" in texts and "Từ số 1 đến số 4" in texts
    head = next(i for i, r in enumerate(rows) if r[0] == "Ngày đến")
    assert rows[head][:9] == VI_INCOMING
    assert rows[head + 1][:3] == ["(1)", "(2)", "(3)"]
    assert sheet.freeze_panes == f"A{head + 3}" and sheet.print_title_rows == f"${head + 1}:${head + 2}"
    assert sheet.page_setup.orientation == "landscape" and sheet.cell(head + 1, 1).font.b
    data = rows[head + 2:]
    assert [r[1] for r in data] == [1, 2, 3, 4]  # number order; the arrival of 1 June is outside the period
    first = data[0]
    assert first[0] == datetime(YEAR, 1, 5) and sheet.cell(head + 3, 1).number_format == "dd/mm/yyyy"
    assert first[2:7] == ["Ủy ban nhân dân tỉnh Bắc Ninh", "12/QĐ-UBND", datetime(YEAR, 1, 5), "Quyết định về công tác cán bộ",
                          "Văn phòng Tỉnh ủy"]
    assert data[1][5] == "Công văn: Về việc triển khai chuyển đổi số" and data[1][8] == "Hỏa tốc"
    assert data[2][5].endswith("Tài liệu mật về quốc phòng") and data[2][8] == "Mật"
    assert data[3][0] == datetime(YEAR, 5, 31)  # 23:30 local time is still 31 May
    assert not any("Kế hoạch phòng chống thiên tai" in t for t in texts)
    record = AuditRecord.objects.get(action="documents.register.exported")
    assert record.actor == book.clerk and record.target_id == str(book.incoming.pk)
    assert record.data == {"register": book.incoming.pk, "start": f"{YEAR}-01-01", "end": f"{YEAR}-05-31", "format": "xlsx", "rows": 4}


@pytest.mark.django_db
@pytest.mark.parametrize("reader", ["reader_off", "plain"])
def test_a_confidential_document_off_the_readers_distribution_is_not_in_their_book(book, reader):
    import openpyxl

    person = getattr(book, reader)
    for register, hidden in ((book.incoming, "Tài liệu mật về quốc phòng"), (book.outgoing, "Chỉ thị mật về bảo vệ bí mật nhà nước")):
        sheet = openpyxl.load_workbook(io.BytesIO(register_book.export(person, register, fmt="xlsx", **PERIOD)[0])).active
        texts = " ".join(str(v) for r in sheet.iter_rows(values_only=True) for v in r if v is not None)
        assert hidden not in texts and "Quyết định" in texts
        for fmt in ("pdf", "docx"):
            content = register_book.export(person, register, fmt=fmt, **PERIOD)[0]
            text = pdf_text(content) if fmt == "pdf" else docx_text(content)
            assert hidden not in text and ("Quyết định" in text or "Quyết" in text)
    exported = AuditRecord.objects.filter(action="documents.register.exported", actor=person)
    assert exported.filter(data__rows=3).count() == 3 and exported.filter(data__rows=2).count() == 3
    # The reader on the distribution sees it.
    sheet = openpyxl.load_workbook(io.BytesIO(register_book.export(book.reader_on, book.incoming, fmt="xlsx", **PERIOD)[0])).active
    assert "Tài liệu mật về quốc phòng" in " ".join(str(v) for r in sheet.iter_rows(values_only=True) for v in r if v)


@pytest.mark.django_db
def test_a_subject_that_looks_like_a_formula_stays_text(book):
    import openpyxl

    services.register_incoming(book.clerk, register=book.incoming, arrival_date=at(4, 1), doc_type="CV", subject="=HYPERLINK(\"http://x\")",
                               issuing_agency_name="X")
    sheet = openpyxl.load_workbook(io.BytesIO(register_book.export(book.clerk, book.incoming, fmt="xlsx", **PERIOD)[0])).active
    cells = [c for r in sheet.iter_rows() for c in r if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert len(cells) == 1 and cells[0].data_type == "s"


# ---- PDF --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_incoming_book_as_pdf(book):
    content, content_type, filename = register_book.export(book.clerk, book.incoming, fmt="pdf", **PERIOD)
    assert content_type == "application/pdf" and filename == f"so-van-ban-den-{YEAR}.pdf" and content.startswith(b"%PDF")
    text = pdf_text(content)
    for part in ("TỈNH ỦY BẮC NINH", "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", f"Năm {YEAR}", f"Từ ngày 01/01/{YEAR} đến ngày 31/05/{YEAR}",
                 "Từ số 1 đến số 4", "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ký nhận", "Ghi chú", "Trang 1/1",
                 "Ủy ban nhân dân tỉnh Bắc Ninh", "Quyết định về công tác cán bộ", "Tài liệu mật về quốc phòng", "Hỏa tốc"):
        assert part in text, part
    assert in_order(text, "12/QĐ-UBND", "45/STTTT-VP", "07/BCH-TM", "88-TB/TU")
    assert "Kế hoạch phòng chống thiên tai" not in text
    fonts = subprocess.run(["pdffonts", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert "NotoSerif" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # embedded
    size = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert "841.89 x 595.28 pts (A4)" in size  # landscape: wider than high


@pytest.mark.django_db
def test_a_long_book_repeats_the_column_headings_and_numbers_its_pages(book):
    for n in range(60):
        services.register_incoming(book.clerk, register=book.incoming, arrival_date=at(4, 1 + n % 28), doc_type="CV",
                                   subject=f"Văn bản thứ {n} về việc triển khai nhiệm vụ trọng tâm của quý", issuing_agency_name="Sở Nội vụ")
    content = register_book.export(book.clerk, book.incoming, fmt="pdf", **PERIOD)[0]
    pages = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", "-"], input=content, capture_output=True).stdout.decode()
                     .splitlines() if line.startswith("Pages:")))
    assert pages >= 3
    last = pdf_text(content, pages)
    assert "Ngày đến" in last and "Tên loại và trích yếu nội dung" in last and f"Trang {pages}/{pages}" in last
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" not in last  # the title is on the first page only


# ---- DOCX -------------------------------------------------------------------------------------------


def docx_text(content: bytes) -> str:
    import docx

    doc = docx.Document(io.BytesIO(content))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


@pytest.mark.django_db
def test_outgoing_book_as_docx(book):
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    content, content_type, filename = register_book.export(book.clerk, book.outgoing, fmt="docx", **PERIOD)
    assert content_type.endswith("wordprocessingml.document") and filename == f"so-van-ban-di-{YEAR}.docx"
    doc = docx.Document(io.BytesIO(content))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    paragraphs = [p.text for p in doc.paragraphs]
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in paragraphs and "Từ số 1 đến số 3" in paragraphs
    assert "TỈNH ỦY BẮC NINH" in docx_text(content)
    table = doc.tables[-1]
    assert [c.text for c in table.rows[0].cells] == VI_OUTGOING
    assert all(row._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None for row in table.rows[:2])
    assert table.rows[2]._tr.find(qn("w:trPr")) is None
    data = [[c.text for c in row.cells] for row in table.rows[2:]]
    assert [r[0] for r in data] == ["01-CV/TU", "02-QĐ/TU", "03-CT/TU"]
    assert data[0] == ["01-CV/TU", f"01/02/{YEAR}", "Công văn: Về việc tổng kết công tác năm", "Trần Quốc Khánh",
                       "Các huyện ủy, thành ủy;\nLưu: VT.", "Văn phòng Tỉnh ủy", "3", f"01/02/{YEAR}", "", ""]
    assert data[1][2] == "Quyết định kiện toàn Ban Chỉ đạo chuyển đổi số"  # the type is not written twice
    assert "Báo cáo sơ kết sáu tháng" not in docx_text(content)  # July: outside the period
    assert "NUMPAGES" in section.footer.paragraphs[0]._p.xml


# ---- language, periods, isolation, scale -----------------------------------------------------------------


@pytest.mark.django_db
def test_headings_follow_the_language_of_the_reader(book):
    import openpyxl

    with translation.override("en"):
        content = register_book.export(book.clerk, book.incoming, fmt="xlsx", **PERIOD)[0]
        pdf = pdf_text(register_book.export(book.clerk, book.outgoing, fmt="pdf", **PERIOD)[0])
    texts = [v for r in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for v in r if v]
    assert "REGISTER OF INCOMING DOCUMENTS" in texts and "Arrival date" in texts and "Arrival number" in texts
    assert "Ngày đến" not in texts
    assert "REGISTER OF OUTGOING DOCUMENTS" in pdf and "Signer" in pdf and "Page 1 of 1" in pdf


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end", "field", "message"), [
    (date(YEAR, 5, 1), date(YEAR, 4, 1), "end", "Ngày kết thúc trước ngày bắt đầu."),
    (date(YEAR - 1, 12, 1), date(YEAR, 1, 31), "start", f"Sổ này chứa văn bản của năm {YEAR}"),
    (date(YEAR, 12, 1), date(YEAR + 5, 1, 31), "end", f"Sổ này chứa văn bản của năm {YEAR}"),
    (date(1, 1, 1), date(1, 1, 2), "start", f"Sổ này chứa văn bản của năm {YEAR}"),
])
def test_a_bad_period_is_refused_and_nothing_is_audited(book, start, end, field, message):
    with pytest.raises(ValidationError) as refused:
        register_book.export(book.clerk, book.incoming, start=start, end=end, fmt="pdf")
    assert message in " ".join(refused.value.message_dict[field])
    assert not AuditRecord.objects.filter(action="documents.register.exported").exists()


@pytest.mark.django_db
def test_an_unknown_format_is_refused(book):
    with pytest.raises(ValidationError) as refused:
        register_book.export(book.clerk, book.incoming, fmt="csv", **PERIOD)
    assert "format" in refused.value.message_dict


@pytest.mark.django_db
def test_another_agencys_register_is_not_found(book, agency_b):
    clerk_b = make_person(agency_b, "vt.b", "Văn Thư B", roles=["clerk", "admin"], clearance=3)
    for register in (book.incoming, book.outgoing.pk):
        with pytest.raises(NotFound):
            register_book.export(clerk_b, register, fmt="xlsx", **PERIOD)
    assert not AuditRecord.objects.filter(action="documents.register.exported").exists()


@pytest.mark.django_db
def test_an_empty_period_gives_an_empty_book_that_says_so(book):
    content = register_book.export(book.clerk, book.incoming, fmt="pdf", start=date(YEAR, 12, 1), end=date(YEAR, 12, 31))[0]
    text = pdf_text(content)
    assert "Không có văn bản nào trong khoảng thời gian này." in text and "Từ số … đến số …" in text


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "docx"])
def test_rows_stream_without_a_query_per_row(book, fmt, django_assert_max_num_queries):
    for n in range(40):
        services.register_incoming(book.clerk, register=book.incoming, arrival_date=at(4, 2), doc_type="CV", subject=f"Công văn số {n}",
                                   issuing_agency_name="Sở Tài chính", receiving_person=book.plain)
        book.out_docs.append(services.create_outgoing_draft(book.clerk, doc_type="CV", subject=f"Đi {n}", recipient_places=["A", "B"]))
    Document.objects.filter(status=Document.Status.DRAFT).update(register=book.outgoing, status=Document.Status.ISSUED,
                                                                 issued_date=date(YEAR, 4, 2))
    for n, pk in enumerate(Document.objects.filter(register=book.outgoing, number__isnull=True).values_list("pk", flat=True)):
        Document.objects.filter(pk=pk).update(number=100 + n)
    for register, rows in ((book.incoming, 44), (book.outgoing, 43)):
        with django_assert_max_num_queries(10):
            register_book.export(book.clerk, register, fmt=fmt, **PERIOD)
        assert AuditRecord.objects.filter(action="documents.register.exported").latest("seq").data["rows"] == rows


# ---- the page ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_offers_the_registers_and_downloads_the_book(client, book):
    signed_in(client, book.clerk)
    registers = client.get("/documents/registers/").content.decode()
    assert f"/documents/registers/book/?register={book.incoming.pk}" in registers
    page = client.get(f"/documents/registers/book/?register={book.incoming.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and f'value="01/01/{YEAR}"' in html and f'value="31/12/{YEAR}"' in html
    assert f'<option value="{book.incoming.pk}" selected>' in html
    response = client.get("/documents/registers/book/", {"register": book.incoming.pk, "start": f"01/01/{YEAR}",
                                                          "end": f"31/05/{YEAR}", "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; filename=\"so-van-ban-den-{YEAR}.pdf\"; filename*=UTF-8''so-van-ban-den-{YEAR}.pdf"
    assert "Quyết định về công tác cán bộ" in pdf_text(response.content)


@pytest.mark.django_db
def test_the_page_explains_a_bad_period_in_vietnamese(client, book):
    signed_in(client, book.clerk)
    response = client.get("/documents/registers/book/", {"register": book.incoming.pk, "start": f"01/06/{YEAR}",
                                                          "end": f"01/01/{YEAR}", "format": "xlsx"})
    assert response.status_code == 200 and "Ngày kết thúc trước ngày bắt đầu." in response.content.decode()
    response = client.get("/documents/registers/book/", {"register": book.incoming.pk, "start": "32/01/2020", "end": "", "format": "xlsx"})
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert not AuditRecord.objects.filter(action="documents.register.exported").exists()


@pytest.mark.django_db
def test_the_page_shows_the_book_of_another_agency_to_nobody(client, book, agency_b):
    clerk_b = make_person(agency_b, "vt.b", "Văn Thư B", roles=["clerk"], clearance=3)
    signed_in(client, clerk_b)
    assert client.get(f"/documents/registers/book/?register={book.incoming.pk}").status_code == 404
    response = client.get("/documents/registers/book/", {"register": book.incoming.pk, "start": f"01/01/{YEAR}", "end": f"31/05/{YEAR}",
                                                          "format": "xlsx"})
    assert response.status_code == 404
    assert f'value="{book.incoming.pk}"' not in client.get("/documents/registers/book/").content.decode()
