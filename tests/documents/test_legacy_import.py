"""Import of an agency's legacy records (documents.legacy_import, `vanphong import documents`): rows
keep their register year and number, the registers continue above them, attachments are checked by
content, every bad row is reported by line and column and then nothing is written, a run that stops
resumes where it stopped, and only a clerk of the agency with the clearance imports."""

import csv
import datetime as dt
import hashlib
import io
import os
import re
import sys

import openpyxl
import PIL.Image
import pytest
from django.conf import settings
from django.utils import timezone, translation

from tests.documents.test_attachments import make_pdf
from tests.factories import make_person, make_unit
from vanphong.cli import main
from vanphong.core import audit, storage
from vanphong.core.errors import PermissionDenied
from vanphong.core.models import AuditRecord
from vanphong.documents import legacy_import, services
from vanphong.documents.legacy_import import ImportRefused, import_documents, report_csv, template_workbook
from vanphong.documents.models import Attachment, Direction, Distribution, Document, DocumentImport, OcrJob, Recipient, Register
from vanphong.documents.search import search

pytestmark = pytest.mark.django_db

CODE_A = "000.00.00.T27"
HEADER = ["Đến/Đi", "Ngày đến", "Số đến", "Cơ quan ban hành", "Số, ký hiệu", "Ngày văn bản", "Loại văn bản", "Trích yếu",
          "Đơn vị/người nhận", "Độ mật", "Độ khẩn", "Nơi nhận", "Đơn vị soạn thảo", "Tệp đính kèm"]
PDF_TEXT = ["ĐÊ ĐIỀU SÔNG CẦU", "Phương án hộ đê mùa lũ năm 2019"]
GOOD_ROWS = [
    ["đến", "15/03/2019 08:30", "125", "Ủy ban nhân dân tỉnh Nghệ An", "245/QĐ-UBND", "12/03/2019", "Quyết định",
     "Về việc phê duyệt kế hoạch phòng, chống thiên tai năm 2019", "Văn phòng", "", "khẩn", "", "", "2019/245-QD-UBND.pdf"],
    ["Đến", "20/03/2019", "7", "Sở Tài chính", "12/STC-NS", "18/03/2019", "", "Về việc quyết toán ngân sách năm 2018",
     "VanThu.Nhap", "", "", "", "", ""],
    # 06:00 on 1 January in Hà Nội is still 31 December in UTC: the register is the local year's.
    ["den", "01/01/2020 06:00", "3", "000.00.00.h40", "15/SNV-TCBM", "30/12/2019", "Công văn", "Về việc tuyển dụng công chức",
     "", "", "", "", "", ""],
    ["đi", "", "", "", "45-CV/TU", "20/03/2019", "Công văn", "Về việc báo cáo kết quả cải cách hành chính quý I",
     "", "", "", "Sở Nội vụ; Sở Tài chính", "Văn phòng", ""],
    ["Đi", "", "", "", "46-BC/TU", "22/03/2019", "Báo cáo", "Tổng kết công tác năm 2018", "", "", "", "Ban Thường vụ", "", ""],
]


# ---- files and helpers ------------------------------------------------------------------------------


def write_csv(path, rows, header=HEADER, bom=True):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    return path


def write_xlsx(path, rows, header, above=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [*above, header, *rows]:
        sheet.append(row)
    workbook.save(path)
    return path


def incoming_rows(numbers, year=2019, subject="Công văn số {n} về việc kiểm tra"):
    return [["đến", f"{(i % 27) + 1:02d}/05/{year}", str(n), "Sở Nội vụ", f"{n}/SNV-VP", "", "", subject.format(n=n), "", "", "", "", "",
             ""] for i, n in enumerate(numbers)]


def counts():
    return {model.__name__: model.objects.count()
            for model in (Document, Register, AuditRecord, DocumentImport, Attachment, Recipient, Distribution, OcrJob)}


def stored_files():
    root = settings.VANPHONG_FILES_DIR
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def problems(result):
    return {(p.line, p.column) for p in result.problems}


def message_at(result, line):
    return " | ".join(p.message for p in result.problems if p.line == line)


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def clerk(agency_a):
    return make_person(agency_a, "vanthu.nhap", "Nguyễn Thị Nhập Liệu", roles=["clerk"], clearance=1)


@pytest.fixture
def office(agency_a):
    return make_unit(agency_a, "Văn phòng", "VP")


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "tep"
    (folder / "2019").mkdir(parents=True)
    (folder / "2019" / "245-QD-UBND.pdf").write_bytes(make_pdf(PDF_TEXT))
    return folder


# ---- a good file -------------------------------------------------------------------------------------


def test_a_csv_of_incoming_and_outgoing_rows_keeps_years_and_numbers(clerk, office, agency_a, agency_b, folder, tmp_path):
    path = write_csv(tmp_path / "so-van-ban.csv", GOOD_ROWS)
    with translation.override("vi"):
        result = import_documents(clerk, path, attachments_dir=folder)
    assert result.ok and (result.rows, result.checked, result.imported, result.bad_rows, result.skipped) == (5, 5, 5, 0, 0)
    assert result.file_format == "csv"

    registers = {(r.direction, r.year, r.code, r.confidential): r.next_number for r in Register.objects.filter(agency=agency_a)}
    assert registers == {("in", 2019, "DEN", False): 126, ("in", 2020, "DEN", False): 4, ("out", 2019, "DI", False): 47}
    assert Document.objects.filter(agency=agency_a).count() == 5

    decision = Document.objects.get(agency=agency_a, register__year=2019, direction="in", number=125)
    assert decision.status == Document.Status.REGISTERED
    assert timezone.localtime(decision.arrival_date) == local(2019, 3, 15, 8, 30)
    assert decision.issuing_agency == agency_b  # named as in the directory
    assert (decision.code_number, decision.code_notation, decision.issued_date) == ("245", "QĐ-UBND", dt.date(2019, 3, 12))
    assert (decision.doc_type, decision.urgency, decision.receiving_unit) == ("QĐ", 1, office)
    assert decision.subject == "Về việc phê duyệt kế hoạch phòng, chống thiên tai năm 2019"
    assert decision.created_by == clerk

    finance = Document.objects.get(agency=agency_a, register__year=2019, direction="in", number=7)
    assert (finance.issuing_agency, finance.issuing_agency_name, finance.doc_type) == (None, "Sở Tài chính", "CV")
    assert (finance.receiving_person, finance.receiving_unit) == (clerk, None)  # by username
    new_year = Document.objects.get(agency=agency_a, direction="in", number=3)
    assert new_year.register.year == 2020 and timezone.localtime(new_year.arrival_date) == local(2020, 1, 1, 6, 0)
    assert new_year.issuing_agency == agency_b  # by the directory's code

    letter = Document.objects.get(agency=agency_a, direction="out", number=45)
    assert letter.status == Document.Status.ISSUED and letter.register.year == 2019 and letter.reference == "45-CV/TU"
    assert (letter.issuing_agency, letter.drafting_unit, letter.doc_type) == (agency_a, office, "CV")
    assert list(letter.recipients.values_list("place", flat=True)) == ["Sở Nội vụ", "Sở Tài chính"]
    report = Document.objects.get(agency=agency_a, direction="out", number=46)
    assert report.doc_type == "BC" and report.reference == "46-BC/TU"

    # The file named in the row is stored, with its text, and searchable.
    (attachment,) = decision.attachments.all()
    assert (attachment.filename, attachment.content_type, attachment.page_count) == ("245-QD-UBND.pdf", "application/pdf", 1)
    assert attachment.sha256 == hashlib.sha256((folder / "2019" / "245-QD-UBND.pdf").read_bytes()).hexdigest()
    assert storage.path_for(attachment.sha256).read_bytes() == (folder / "2019" / "245-QD-UBND.pdf").read_bytes()
    assert "ĐÊ ĐIỀU SÔNG CẦU" in attachment.text
    assert not finance.attachments.exists()

    # The search text is the one registration gives; search finds the documents typed without diacritics.
    for document in Document.objects.filter(agency=agency_a):
        with translation.override("vi"):  # the type's name, in the language of the run, as registration does
            assert document.search_text == services.search_text_of(document, document.attachments.values_list("text", flat=True))
    assert "phong, chong thien tai" in decision.search_text and "de dieu song cau" in decision.search_text
    assert [h.document.pk for h in search(clerk, "ke hoach phong chong thien tai").hits] == [decision.pk]
    assert [h.document.pk for h in search(clerk, "de dieu song cau").hits] == [decision.pk]  # the attachment's text
    assert [h.document.pk for h in search(clerk, "cai cach hanh chinh").hits] == [letter.pk]

    # The next registration in 2019 continues after the highest number imported.
    later = services.register_incoming(clerk, arrival_date=local(2019, 12, 30, 9, 0), subject="Về việc tổng kết năm", doc_type="CV",
                                       issuing_agency_name="Sở Xây dựng", confirm_duplicate=True)
    assert (later.register, later.number) == (decision.register, 126)
    # The keys the import took in bulk are not given again.
    draft = services.create_outgoing_draft(clerk, subject="Về việc dự thảo mới", doc_type="CV", recipient_places=["Sở Y tế"])
    assert list(draft.recipients.values_list("place", flat=True)) == ["Sở Y tế"]
    assert Recipient.objects.count() == 4

    job = DocumentImport.objects.get(agency=agency_a)
    assert (job.status, job.total_rows, job.rows_done, job.imported, job.skipped) == ("done", 5, 5, 5, 0)
    assert job.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and job.filename == "so-van-ban.csv"
    actions = list(AuditRecord.objects.filter(action__startswith="documents.import").order_by("seq").values_list("action", flat=True))
    assert actions == ["documents.import.started", "documents.import.batch", "documents.import.completed"]
    assert audit.verify().ok


def test_an_xlsx_with_english_headers_typed_cells_and_a_title_row(clerk, agency_a, tmp_path):
    header = ["Arrival date", "Arrival number", "Issuing agency", "Reference", "Document date", "Type", "Subject", "Pages"]
    rows = [
        [dt.datetime(2018, 11, 2, 14, 5), 981, "Bộ Nội vụ", "5012/BNV-CCVC", dt.datetime(2018, 10, 30), "Decision", "Về việc nâng lương", 2],
        [dt.datetime(2018, 11, 5), 990.0, "Bộ Tài chính", "12/2018/TT-BTC", dt.datetime(2018, 10, 1), "", "Thông tư hướng dẫn", ""],
    ]
    path = write_xlsx(tmp_path / "den-2018.xlsx", rows, header, above=[["SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2018"]])
    result = import_documents(clerk, path, direction="in")
    assert result.ok and result.file_format == "xlsx" and result.imported == 2
    first = Document.objects.get(agency=agency_a, number=981)
    assert timezone.localtime(first.arrival_date) == local(2018, 11, 2, 14, 5)
    assert (first.register.year, first.doc_type, first.page_count, first.issued_date) == (2018, "QĐ", 2, dt.date(2018, 10, 30))
    second = Document.objects.get(agency=agency_a, number=990)
    assert (second.code_number, second.code_notation, second.reference) == ("12/2018", "TT-BTC", "12/2018/TT-BTC")
    assert Register.objects.get(agency=agency_a, direction="in", year=2018).next_number == 991

    # Lines are the workbook's row numbers, the title row counted (the first row is imported already).
    rows[1][0] = "ngày 5 tháng 11"
    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, write_xlsx(tmp_path / "loi.xlsx", rows, header, above=[["SỔ ĐĂNG KÝ"]]), direction="in")
    assert refused.value.result.messages() == [
        "Line 3, column “Arrival number”: The number 981 is already used in the register “Incoming documents register 2018”.",
        "Line 4, column “Arrival date”: “ngày 5 tháng 11” is not a date: write it as dd/mm/yyyy or dd/mm/yyyy hh:mm."]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_type_comes_from_its_name_in_either_language_the_notation_or_the_subject(clerk, agency_a, tmp_path, language):
    """Whatever the language of the run: an English type name, a notation, a subject that starts with
    the type's Vietnamese name (the Decree 30 column "Tên loại và trích yếu nội dung")."""
    rows = [[*r[:6], t, s, *r[8:]] for r, t, s in zip(incoming_rows([1, 2, 3, 4]), ["Decision", "Kế hoạch", "", ""],
                                                       ["Về việc A", "Về việc B", "Kế hoạch tổ chức hội nghị tổng kết", "Về việc D"],
                                                       strict=True)]
    rows[3][4] = "8/TB-VP"
    path = write_csv(tmp_path / "loai.csv", rows, bom=False)
    with translation.override(language):
        result = import_documents(clerk, path)
    assert result.ok, result.messages()
    found = {d.number: (d.doc_type, d.subject) for d in Document.objects.filter(agency=agency_a)}
    assert found == {1: ("QĐ", "Về việc A"), 2: ("KH", "Về việc B"), 3: ("KH", "Tổ chức hội nghị tổng kết"), 4: ("TB", "Về việc D")}


def test_confidential_rows_go_to_the_confidential_register_on_the_clerks_distribution(clerk, agency_a, tmp_path):
    rows = incoming_rows([4, 4])
    rows[1][9] = "Mật"
    path = write_csv(tmp_path / "mat.csv", rows)
    import_documents(clerk, path)
    plain = Document.objects.get(agency=agency_a, confidentiality=0)
    secret = Document.objects.get(agency=agency_a, confidentiality=1)
    assert (plain.register.code, plain.number, secret.register.code, secret.number) == ("DEN", 4, "MAT-DEN", 4)
    assert secret.register.confidential and secret.register.next_number == 5
    assert list(Distribution.objects.filter(document=secret).values_list("person", flat=True)) == [clerk.pk]
    colleague = make_person(agency_a, "chuyenvien.mat", "Trần Văn Mật", roles=["specialist"], clearance=3)
    assert {h.document.pk for h in search(clerk, "kiem tra").hits} == {plain.pk, secret.pk}
    assert {h.document.pk for h in search(colleague, "kiem tra").hits} == {plain.pk}
    draft = services.create_outgoing_draft(clerk, subject="Về việc dự thảo mật", doc_type="CV", confidentiality=1)
    assert Distribution.objects.filter(document=draft, person=clerk).exists() and Distribution.objects.count() == 2


def test_the_counter_never_goes_down(clerk, agency_a, tmp_path):
    register = services.default_register(agency_a, Direction.INCOMING, 2019)
    Register.objects.filter(pk=register.pk).update(next_number=50)
    import_documents(clerk, write_csv(tmp_path / "thap.csv", incoming_rows([10, 12])))
    register.refresh_from_db()
    assert register.next_number == 50
    assert sorted(register.documents.values_list("number", flat=True)) == [10, 12]


def test_the_templates_import_as_they_are(clerk, office, agency_a, tmp_path):
    folder = tmp_path / "tep"
    (folder / "2019").mkdir(parents=True)
    for name in ("245-QD-UBND.pdf", "45-UBND-VP.pdf"):
        (folder / "2019" / name).write_bytes(make_pdf([name]))
    for direction, number in (("in", 125), ("out", 45)):
        path = tmp_path / f"mau-{direction}.xlsx"
        path.write_bytes(template_workbook(direction))
        result = import_documents(clerk, path, attachments_dir=folder, direction=direction)
        assert result.ok and result.imported == 1, result.messages()
        document = Document.objects.get(agency=agency_a, direction=direction)
        assert (document.number, document.register.year, document.attachments.count()) == (number, 2019, 1)
    assert Document.objects.get(direction="in").receiving_unit == office
    assert Document.objects.get(direction="out").file_copy_unit == office


# ---- attachments -------------------------------------------------------------------------------------


def test_attachments_are_checked_by_content_and_must_be_inside_the_folder(clerk, agency_a, folder, tmp_path):
    (folder / "virus.pdf").write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 4)
    (tmp_path / "x.pdf").write_bytes(make_pdf(["Bên ngoài"]))
    (folder / "link.pdf").symlink_to(tmp_path / "x.pdf")
    rows = incoming_rows([1, 2, 3, 4, 5, 6])
    for row, name in zip(rows, ["2019/245-QD-UBND.pdf", "virus.pdf", "thieu.pdf", "../x.pdf", str(tmp_path / "x.pdf"), "link.pdf"],
                         strict=True):
        row[13] = name
    path = write_csv(tmp_path / "tep.csv", rows)
    before = counts()
    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, path, attachments_dir=folder)
    result = refused.value.result
    assert problems(result) == {(line, "Tệp đính kèm") for line in (3, 4, 5, 6, 7)}
    assert "virus.pdf: The file is named “virus.pdf” but it is really a Windows program (executable)" in message_at(result, 3)
    assert message_at(result, 4) == "The file “thieu.pdf” is not in the folder of attachments."
    assert message_at(result, 5) == "“../x.pdf” is outside the folder of attachments."
    assert "is outside the folder of attachments" in message_at(result, 6)
    assert message_at(result, 7) == "“link.pdf” is outside the folder of attachments."
    assert "5 rows are not valid: nothing was imported" in refused.value.messages[0]
    assert counts() == before and stored_files() == []

    row = incoming_rows([1])[0]
    row[13] = "a.pdf"
    without_folder = write_csv(tmp_path / "khong-thu-muc.csv", [row])
    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, without_folder)
    assert message_at(refused.value.result, 2) == "The row names files, but no folder of attachments was given."


def test_an_attachment_changed_after_the_check_stops_the_import_before_its_batch(clerk, agency_a, folder, tmp_path):
    rows = incoming_rows([1, 2, 3])
    rows[2][13] = "2019/245-QD-UBND.pdf"
    path = write_csv(tmp_path / "doi-tep.csv", rows)

    def replaced_meanwhile(stage, done, total):
        if stage == "check":
            (folder / "2019" / "245-QD-UBND.pdf").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(200))

    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, path, attachments_dir=folder, batch_size=2, progress=replaced_meanwhile)
    assert refused.value.messages[0].startswith("An attachment changed or disappeared during the import (The file is named “245-QD-UBND.pdf” "
                                                "but it is really a Linux program")
    assert numbers_in_db(agency_a) == [1, 2] and Attachment.objects.count() == 0 and stored_files() == []
    with pytest.raises(ImportRefused) as refused:  # run again: it resumes, and reports the row
        import_documents(clerk, path, attachments_dir=folder)
    assert problems(refused.value.result) == {(4, "Tệp đính kèm")}
    (folder / "2019" / "245-QD-UBND.pdf").write_bytes(make_pdf(PDF_TEXT))
    assert import_documents(clerk, path, attachments_dir=folder).imported == 1
    assert numbers_in_db(agency_a) == [1, 2, 3] and Attachment.objects.get().document.number == 3


def test_several_files_a_row_one_file_for_several_rows_and_scans_queue_ocr(clerk, agency_a, folder, tmp_path):
    PIL.Image.new("RGB", (40, 20), "white").save(folder / "scan.png")
    rows = incoming_rows([1, 2])
    rows[0][13] = "2019/245-QD-UBND.pdf; scan.png"
    rows[1][13] = "2019\\245-QD-UBND.pdf"  # as a spreadsheet made on Windows writes it
    result = import_documents(clerk, write_csv(tmp_path / "nhieu-tep.csv", rows), attachments_dir=folder)
    assert result.ok
    first, second = (Document.objects.get(agency=agency_a, number=n) for n in (1, 2))
    assert [(a.filename, a.content_type) for a in first.attachments.all()] == [("245-QD-UBND.pdf", "application/pdf"),
                                                                               ("scan.png", "image/png")]
    assert [a.sha256 for a in second.attachments.all()] == [first.attachments.first().sha256]
    assert len(stored_files()) == 2  # content-addressed: the PDF once
    (job,) = OcrJob.objects.all()
    assert (job.document, job.attachment.filename, job.agency) == (first, "scan.png", agency_a)


# ---- bad rows ----------------------------------------------------------------------------------------


def bad_file(tmp_path):
    future = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    rows = incoming_rows([5, 6, 7, 8, 9, 9, 1, 10])
    rows[1][1] = "31/02/2019"  # line 3: no such day
    rows[2][1] = future  # line 4: arrives in the future
    rows[3][6] = "Thư tay"  # line 5: no such type
    # lines 6 and 7: arrival number 9 of 2019 twice; line 8: number 1, taken in the database
    rows[7][0] = "Nội bộ"  # line 9: neither incoming nor outgoing
    rows.append(["đi", "", "", "", "", "02/05/2019", "", "Về việc thiếu số", "", "", "", "", "", ""])  # line 10: no reference
    rows.append(["đi", "", "", "", "77-CV/TU", future, "", "Về việc ngày sau", "", "", "", "", "", ""])  # line 11: future date
    rows.append(["đến", "03/05/2019", "", "", "", "", "", "", "", "", "", "", "", ""])  # line 12: no number, issuer, subject
    rows.append([*incoming_rows([11])[0][:8], "Phòng Ma", *[""] * 5])  # line 13: no such unit or person
    return write_csv(tmp_path / "loi.csv", rows)


def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_written(clerk, agency_a, tmp_path):
    taken = services.register_incoming(clerk, arrival_date=local(2019, 1, 2, 8, 0), subject="Đã có", doc_type="CV",
                                       issuing_agency_name="Sở Y tế")
    assert taken.number == 1
    path = bad_file(tmp_path)
    before = counts()
    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, path)
    result = refused.value.result
    assert refused.value.messages == ["11 rows are not valid: nothing was imported. Correct them, or import the valid rows only."]
    assert (result.rows, result.checked, result.bad_rows, result.good_rows, result.imported) == (12, 12, 11, 1, 0)
    assert problems(result) == {
        (3, "Ngày đến"), (4, "Ngày đến"), (5, "Loại văn bản"), (6, "Số đến"), (7, "Số đến"), (8, "Số đến"), (9, "Đến/Đi"),
        (10, "Số, ký hiệu"), (11, "Ngày văn bản"), (12, "Số đến"), (12, "Cơ quan ban hành"), (12, "Trích yếu"),
        (13, "Đơn vị/người nhận")}
    assert message_at(result, 3) == "“31/02/2019” is not a date: write it as dd/mm/yyyy or dd/mm/yyyy hh:mm."
    assert message_at(result, 4) == "The arrival date cannot be in the future."
    assert message_at(result, 5) == "Unknown document type “Thư tay”."
    assert message_at(result, 6) == "The arrival number 9 of 2019 is also on line 7."
    assert message_at(result, 7) == "The arrival number 9 of 2019 is also on line 6."
    assert message_at(result, 8) == "The number 1 is already used in the register “Incoming documents register 2019”."
    assert message_at(result, 9) == "“Nội bộ” is neither đến (incoming) nor đi (outgoing)."
    assert message_at(result, 10) == "The number and notation (số, ký hiệu) is required."
    assert message_at(result, 11) == "The document date cannot be in the future."
    assert "The arrival number (số đến) is required." in message_at(result, 12)
    assert message_at(result, 13) == "No unit or person of the agency is called “Phòng Ma”."
    assert result.messages()[0] == "Line 3, column “Ngày đến”: “31/02/2019” is not a date: write it as dd/mm/yyyy or dd/mm/yyyy hh:mm."
    assert counts() == before

    report = tmp_path / "loi-bao-cao.csv"
    report_csv(result, report)
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert lines[0] == ["Line", "Column", "Problem"]
    assert lines[1] == ["3", "Ngày đến", "“31/02/2019” is not a date: write it as dd/mm/yyyy or dd/mm/yyyy hh:mm."]
    assert len(lines) == 1 + len(result.problems) and {int(r[0]) for r in lines[1:]} == set(range(3, 14))

    # --skip-invalid: the one good row, the others counted.
    result = import_documents(clerk, path, skip_invalid=True)
    assert (result.imported, result.skipped, result.bad_rows) == (1, 11, 11)
    assert list(Document.objects.filter(agency=agency_a).order_by("number").values_list("number", flat=True)) == [1, 5]
    job = DocumentImport.objects.get()
    assert (job.status, job.imported, job.skipped, job.rows_done) == ("done", 1, 11, 12)


def test_a_file_without_a_good_row_is_refused_even_skipping_the_bad_ones(clerk, tmp_path):
    rows = incoming_rows([1, 2])
    rows[0][1] = rows[1][1] = "không rõ"
    before = counts()
    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, write_csv(tmp_path / "het-loi.csv", rows), skip_invalid=True)
    assert refused.value.messages == ["No row of the file can be imported."]
    assert counts() == before


@pytest.mark.parametrize(("header_change", "direction", "expected"), [
    ({"Số đến": None, "Đến/Đi": None}, "in", "Missing columns: Số đến. The first row must name the columns, as in the template."),
    ({"Trích yếu": None}, "in", "Missing columns: Trích yếu. The first row must name the columns, as in the template."),
    ({"Đến/Đi": None}, None, "Say whether the documents are incoming or outgoing: add a column “Đến/Đi” (đến or đi) or choose the "
                             "direction for the whole file."),
    ({"Ngày văn bản": "Ngày ký"}, "in", "Two columns give the same information: “Ngày văn bản” and “Ngày ký”."),
])
def test_a_file_without_the_columns_it_needs_is_refused(clerk, tmp_path, header_change, direction, expected):
    keep = [i for i, h in enumerate(HEADER) if header_change.get(h, h) is not None]
    header = [HEADER[i] for i in keep]
    if header_change.get("Ngày văn bản"):
        header.append("Ngày ký")
    rows = [[row[i] for i in keep] + ([row[5]] if header_change.get("Ngày văn bản") else []) for row in incoming_rows([1])]
    before = counts()
    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, write_csv(tmp_path / "cot.csv", rows, header=header), direction=direction)
    assert refused.value.messages[0] in (expected, f"Line 1: {expected}", f"Line 1, column “Ngày ký”: {expected}")
    assert [p.line for p in refused.value.result.problems] == [1]
    assert counts() == before


def test_a_file_that_is_not_a_table_is_refused(clerk, tmp_path):
    path = tmp_path / "so.csv"
    path.write_bytes(make_pdf(["Sổ đăng ký"]))
    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, path)
    assert refused.value.messages == ["This is a PDF document, not a table. Export the list as CSV or XLSX."]
    assert DocumentImport.objects.count() == 0


def test_messages_are_in_vietnamese_by_default_and_english_on_request(clerk, folder, tmp_path):
    assert settings.LANGUAGE_CODE == "vi"
    (folder / "virus.pdf").write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 4)
    rows = incoming_rows([1, 2])
    rows[0][1] = "31/02/2019"
    rows[1][13] = "virus.pdf"
    path = write_csv(tmp_path / "ngon-ngu.csv", rows)
    with translation.override(settings.LANGUAGE_CODE):
        with pytest.raises(ImportRefused) as refused:
            import_documents(clerk, path, attachments_dir=folder)
        vi = refused.value
        messages = vi.result.messages()
        report_csv(vi.result, tmp_path / "bao-cao.csv")
    assert vi.messages == ["2 dòng không hợp lệ: chưa nhập gì. Hãy sửa các dòng đó, hoặc chỉ nhập các dòng hợp lệ."]
    assert messages[0] == "Dòng 2, cột “Ngày đến”: “31/02/2019” không phải là ngày: hãy viết dạng dd/mm/yyyy hoặc dd/mm/yyyy hh:mm."
    # The files are checked in other threads: still in the language of the run.
    assert messages[1].startswith("Dòng 3, cột “Tệp đính kèm”: virus.pdf: ") and "một chương trình Windows (tệp thực thi)" in messages[1]
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        import_documents(clerk, path, attachments_dir=folder)
    en = refused.value
    assert en.messages[0].startswith("2 rows are not valid: nothing was imported.")
    assert en.result.messages()[0].startswith("Line 2, column “Ngày đến”: “31/02/2019” is not a date")
    assert "a Windows program (executable)" in en.result.messages()[1]
    assert (tmp_path / "bao-cao.csv").read_text(encoding="utf-8-sig").splitlines()[0] == "Dòng,Cột,Lỗi"


def test_a_dry_run_checks_everything_and_writes_nothing(clerk, office, agency_a, folder, tmp_path):
    path = write_csv(tmp_path / "thu.csv", GOOD_ROWS)
    before = counts()
    result = import_documents(clerk, path, attachments_dir=folder, dry_run=True)
    assert result.dry_run and result.ok and (result.checked, result.good_rows, result.imported) == (5, 5, 0)
    assert counts() == before and stored_files() == []
    bad = bad_file(tmp_path)
    result = import_documents(clerk, bad, dry_run=True)
    assert result.bad_rows == 10 and (3, "Ngày đến") in problems(result)  # number 1 is free here
    assert counts() == before
    assert import_documents(clerk, path, attachments_dir=folder).imported == 5  # a dry run does not count as an import


# ---- stopping and resuming ----------------------------------------------------------------------------

NUMBERS = [5, 1, 7, 2, 6, 3, 4]


class Interrupted(Exception):
    pass


def numbers_in_db(agency):
    return sorted(Document.objects.filter(agency=agency).values_list("number", flat=True))


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_import_resumes_after_its_last_batch(clerk, agency_a, tmp_path, monkeypatch):
    monkeypatch.setattr(legacy_import, "PROGRESS_EVERY", 3)
    path = write_csv(tmp_path / "dai.csv", incoming_rows(NUMBERS))
    seen = []

    def stop_after_first_batch(stage, done, total):
        seen.append((stage, done, total))
        if stage == "import":
            raise Interrupted

    with pytest.raises(Interrupted):
        import_documents(clerk, path, batch_size=3, progress=stop_after_first_batch)
    assert seen == [("check", 3, 7), ("check", 6, 7), ("check", 7, 7), ("import", 3, 7)]  # 7 rows: the CSV's lines, counted ahead
    job = DocumentImport.objects.get()
    assert (job.status, job.rows_done, job.imported) == ("running", 3, 3)
    assert numbers_in_db(agency_a) == [1, 5, 7]
    register = Register.objects.get(agency=agency_a)
    assert register.next_number == 8

    seen.clear()
    result = import_documents(clerk, path, batch_size=3, progress=lambda *args: seen.append(args))
    assert (result.resumed_from, result.checked, result.imported, result.rows) == (3, 4, 4, 7)
    assert seen == [("check", 6, 7), ("check", 7, 7), ("import", 6, 7), ("import", 7, 7)]  # rows 4 to 7 only
    assert numbers_in_db(agency_a) == [1, 2, 3, 4, 5, 6, 7]
    subjects = list(Document.objects.values_list("subject", flat=True))
    assert len(subjects) == len(set(subjects)) == 7
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.imported, job.total_rows) == ("done", 7, 7, 7)
    actions = list(AuditRecord.objects.filter(action__startswith="documents.import").order_by("seq").values_list("action", flat=True))
    assert actions == ["documents.import.started", "documents.import.batch", "documents.import.resumed", "documents.import.batch",
                       "documents.import.batch", "documents.import.completed"]
    assert audit.verify().ok

    before = counts()
    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, path)
    assert re.fullmatch(r"This file was already imported on \d\d/\d\d/\d{4} \d\d:\d\d: 7 documents\.", refused.value.messages[0])
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_half_way_leaves_nothing_of_itself(clerk, agency_a, folder, tmp_path, monkeypatch):
    rows = incoming_rows(NUMBERS)
    for row in rows:
        row[13] = "2019/245-QD-UBND.pdf"
    path = write_csv(tmp_path / "mat-dien.csv", rows)
    real = legacy_import._insert_dicts
    calls = []

    def power_cut_in_the_second_batch(connection, model, items):
        calls.append(model)
        if model is Distribution and calls.count(Distribution) == 2:
            raise Interrupted  # after the batch's documents, attachments and recipients were written
        return real(connection, model, items)

    monkeypatch.setattr(legacy_import, "_insert_dicts", power_cut_in_the_second_batch)
    with pytest.raises(Interrupted):
        import_documents(clerk, path, attachments_dir=folder, batch_size=3)
    assert numbers_in_db(agency_a) == [1, 5, 7]
    assert Attachment.objects.count() == 3
    assert DocumentImport.objects.get().rows_done == 3
    assert Register.objects.get(agency=agency_a).next_number == 8
    assert AuditRecord.objects.filter(action="documents.import.batch").count() == 1

    monkeypatch.setattr(legacy_import, "_insert_dicts", real)
    result = import_documents(clerk, path, attachments_dir=folder, batch_size=3)
    assert (result.resumed_from, result.imported) == (3, 4)
    assert numbers_in_db(agency_a) == [1, 2, 3, 4, 5, 6, 7]
    assert Attachment.objects.count() == 7 and Document.objects.filter(attachments__isnull=True).count() == 0
    assert Register.objects.get(agency=agency_a).next_number == 8


def test_a_number_taken_while_importing_refuses_the_batch_and_is_reported_on_resume(clerk, agency_a, tmp_path):
    path = write_csv(tmp_path / "tranh-so.csv", incoming_rows([2, 3, 1, 4]))
    taken = []

    def someone_registers_meanwhile(stage, done, total):
        if stage == "check" and not taken:
            taken.append(services.register_incoming(clerk, arrival_date=local(2019, 6, 1, 8, 0), subject="Đăng ký cùng lúc",
                                                     doc_type="CV", issuing_agency_name="Sở Y tế"))

    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, path, batch_size=2, progress=someone_registers_meanwhile)
    assert taken[0].number == 1
    assert refused.value.messages[0].startswith("Some numbers of the file were taken in the registers while it was being imported.")
    assert numbers_in_db(agency_a) == [1, 2, 3]  # the first batch (2, 3); the second (1, 4) not at all
    assert DocumentImport.objects.get().rows_done == 2

    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, path)
    assert message_at(refused.value.result, 4) == "The number 1 is already used in the register “Incoming documents register 2019”."
    result = import_documents(clerk, path, skip_invalid=True)
    assert (result.resumed_from, result.imported, result.skipped) == (2, 1, 1)
    assert numbers_in_db(agency_a) == [1, 2, 3, 4]
    assert Document.objects.filter(number=1).get() == taken[0]


def test_two_runs_of_the_same_file_at_once_import_it_once(clerk, agency_a, tmp_path):
    path = write_csv(tmp_path / "hai-lan.csv", incoming_rows([1, 2, 3]))
    other = []

    def another_clerk_runs_it_meanwhile(stage, done, total):
        if stage == "check" and not other:
            other.append(import_documents(clerk, path))

    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, path, progress=another_clerk_runs_it_meanwhile)
    assert refused.value.messages == ["Another run is importing this file at the same time."]
    assert other[0].imported == 3 and numbers_in_db(agency_a) == [1, 2, 3]

    # The same when both resume an interrupted run.
    path = write_csv(tmp_path / "hai-lan-nua.csv", incoming_rows([4, 5, 6, 7]))

    def stop(stage, done, total):
        if stage == "import":
            raise Interrupted

    with pytest.raises(Interrupted):
        import_documents(clerk, path, batch_size=2, progress=stop)
    other.clear()
    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, path, batch_size=2, progress=another_clerk_runs_it_meanwhile)
    assert refused.value.messages == ["Another run is importing this file at the same time."]
    assert other[0].resumed_from == 2 and numbers_in_db(agency_a) == [1, 2, 3, 4, 5, 6, 7]


# ---- who may import ----------------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [["specialist"], ["admin"], ["leader"]])
def test_only_a_clerk_imports(agency_a, tmp_path, roles):
    person = make_person(agency_a, "khong.phai.van.thu", "Lê Văn Khác", roles=roles, clearance=3)
    before = counts()
    with pytest.raises(PermissionDenied, match="Only a clerk of this agency may do this."):
        import_documents(person, write_csv(tmp_path / "a.csv", incoming_rows([1])))
    assert counts() == before


def test_a_clerk_of_another_agency_cannot_import_into_this_one(agency_a, agency_b, tmp_path):
    clerk_b = make_person(agency_b, "vanthu.b", "Hồ Thị Bình", roles=["clerk"], clearance=3)
    before = counts()
    with pytest.raises(PermissionDenied):
        import_documents(clerk_b, write_csv(tmp_path / "a.csv", incoming_rows([1])), agency=agency_a)
    assert counts() == before


@pytest.mark.parametrize(("clearance", "level"), [(0, "Mật"), (1, "Tối mật"), (2, "3")])
def test_a_clerk_cannot_import_above_their_clearance(agency_a, tmp_path, clearance, level):
    clerk = make_person(agency_a, "vanthu.thap", "Vũ Thị Thấp", roles=["clerk"], clearance=clearance)
    rows = incoming_rows([1, 2])
    rows[1][9] = level
    before = counts()
    with pytest.raises(ImportRefused) as refused:
        import_documents(clerk, write_csv(tmp_path / "mat.csv", rows))
    assert problems(refused.value.result) == {(3, "Độ mật")}
    assert message_at(refused.value.result, 3) == "Your clearance does not allow documents of this confidentiality."
    assert counts() == before


# ---- the command -------------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch):
    """`vanphong …` in this process; the command activates the shell's language, put back afterwards."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    with translation.override(translation.get_language()):
        yield main


def test_the_command_reports_bad_rows_then_imports_with_progress(cli, clerk, office, agency_a, folder, tmp_path, capsys):
    bad = incoming_rows([9])[0]
    bad[1] = "31/02/2019"
    path = write_csv(tmp_path / "so-2019.csv", [*GOOD_ROWS, bad])  # the bad row last: the import ends at 100% all the same
    args = ["import", "documents", str(path), "--as", "VANTHU.NHAP", "--attachments", str(folder)]
    assert cli(args) == 1
    out, err = capsys.readouterr()
    report = tmp_path / "so-2019-errors.csv"
    assert "Line 7, column “Ngày đến”: “31/02/2019” is not a date" in err
    assert f"Report of the bad rows: {report}" in err
    assert "1 rows are not valid: nothing was imported." in err
    assert report.read_text(encoding="utf-8-sig").splitlines()[1].startswith("7,Ngày đến,")
    assert Document.objects.count() == 0 and DocumentImport.objects.count() == 0

    assert cli([*args, "--dry-run"]) == 1
    out, err = capsys.readouterr()
    assert "Dry run, nothing written: 6 rows checked, 5 valid, 1 bad." in out
    assert Document.objects.count() == 0

    custom = tmp_path / "bao-cao" / "loi.csv"
    custom.parent.mkdir()
    assert cli([*args, "--skip-invalid", "--report", str(custom), "--batch-size", "2"]) == 0
    out, err = capsys.readouterr()
    assert f"Report of the bad rows: {custom}" in err and custom.exists()
    assert "Imported 5 documents, left out 1 bad rows." in out
    assert "Incoming documents register 2019: numbers 7–125" in out and "Outgoing documents register 2019: numbers 45–46" in out
    # Not a terminal: plain progress lines, the last of each stage at 100%.
    assert re.search(r"^Checking  100% 6/6 rows", err, re.MULTILINE)
    assert re.search(r"^Importing 100% 6/6 rows", err, re.MULTILINE)
    assert "\r" not in err
    assert Document.objects.filter(agency=agency_a).count() == 5

    assert cli(args) == 1
    out, err = capsys.readouterr()
    assert "This file was already imported on" in err and "5 documents" in err


def test_the_command_draws_a_bar_on_a_terminal(cli, clerk, tmp_path, capsys, monkeypatch):
    path = write_csv(tmp_path / "tty.csv", incoming_rows([1, 2]))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli(["import", "documents", str(path), "--as", "vanthu.nhap", "--batch-size", "1"]) == 0
    err = capsys.readouterr().err
    assert "\rImporting [" + "#" * 30 + "] 100% 2/2 rows" in err and err.endswith("\n")


def test_the_command_resumes_and_says_so(cli, clerk, agency_a, tmp_path, capsys, monkeypatch):
    path = write_csv(tmp_path / "tiep.csv", incoming_rows(NUMBERS))
    real = legacy_import._Writer._write

    def interrupted(self, batch, done):
        real(self, batch, done)
        raise KeyboardInterrupt  # Ctrl+C once the first batch is committed

    monkeypatch.setattr(legacy_import._Writer, "_write", interrupted)
    assert cli(["import", "documents", str(path), "--as", "vanthu.nhap", "--batch-size", "3", "--quiet"]) == 130
    capsys.readouterr()
    assert numbers_in_db(agency_a) == [1, 5, 7]
    monkeypatch.setattr(legacy_import._Writer, "_write", real)
    assert cli(["import", "documents", str(path), "--as", "vanthu.nhap", "--batch-size", "3", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "Resumed an interrupted import: 3 rows were done already." in out and "Imported 4 documents." in out
    assert "Checking" not in err and "Importing" not in err  # --quiet
    assert numbers_in_db(agency_a) == [1, 2, 3, 4, 5, 6, 7]


def test_the_command_refuses_who_may_not_import(cli, clerk, agency_a, agency_b, tmp_path, capsys):
    make_person(agency_b, "vanthu.b", "Hồ Thị Bình", roles=["clerk"], clearance=3)
    make_person(agency_a, "chuyenvien.a", "Đỗ Văn Chuyên", roles=["specialist"])
    path = write_csv(tmp_path / "a.csv", incoming_rows([1]))
    assert cli(["import", "documents", str(path), "--as", "vanthu.b", "--agency", CODE_A]) == 1
    assert "Only a clerk of this agency may do this." in capsys.readouterr().err
    assert cli(["import", "documents", str(path), "--as", "chuyenvien.a"]) == 1
    assert "Only a clerk of this agency may do this." in capsys.readouterr().err
    assert cli(["import", "documents", str(path)]) == 2
    assert "--as USERNAME" in capsys.readouterr().err
    assert cli(["import", "documents", str(path), "--as", "khong.ai"]) == 2
    assert cli(["import", "documents", str(path), "--as", "vanthu.nhap", "--agency", "000.00.00.X99"]) == 2
    assert cli(["import", "documents", str(tmp_path / "khong-co.csv"), "--as", "vanthu.nhap"]) == 2
    assert cli(["import", "documents", str(path), "--as", "vanthu.nhap", "--attachments", str(tmp_path / "khong-co")]) == 2
    capsys.readouterr()
    assert Document.objects.count() == 0 and DocumentImport.objects.count() == 0


def test_the_command_speaks_the_shells_language(cli, clerk, tmp_path, capsys, monkeypatch):
    rows = incoming_rows([1])
    rows[0][1] = "31/02/2019"
    path = write_csv(tmp_path / "vi.csv", rows)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    assert cli(["import", "documents", str(path), "--as", "vanthu.nhap", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Dòng 2, cột “Ngày đến”: “31/02/2019” không phải là ngày" in err
    assert "1 dòng không hợp lệ: chưa nhập gì." in err
    assert "Report of the bad rows:" in err  # the command's own lines are English only


@pytest.mark.parametrize(("direction", "headers"), [
    ("in", ["Ngày đến", "Số đến", "Cơ quan ban hành", "Số, ký hiệu", "Ngày văn bản", "Loại văn bản", "Trích yếu", "Đơn vị/người nhận",
            "Ngày chuyển", "Độ mật", "Độ khẩn", "Hạn xử lý", "Số trang", "Ghi chú", "Tệp đính kèm"]),
    ("out", ["Số, ký hiệu", "Ngày văn bản", "Loại văn bản", "Trích yếu", "Người ký", "Chức vụ người ký", "Nơi nhận", "Đơn vị soạn thảo",
             "Đơn vị lưu", "Số bản", "Độ mật", "Độ khẩn", "Số trang", "Ghi chú", "Tệp đính kèm"]),
])
def test_the_command_writes_a_template(cli, tmp_path, capsys, direction, headers):
    path = tmp_path / f"mau-{direction}.xlsx"
    assert cli(["import", "documents", str(path), "--template", "--direction", direction]) == 0
    assert f"to {path}." in capsys.readouterr().out
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[1]] == headers
    assert sheet.cell(row=2, column=headers.index("Trích yếu") + 1).value.startswith("V")  # an example row
    assert cli(["import", "documents", str(tmp_path / "x.xlsx"), "--template"]) == 2
    assert not os.path.exists(tmp_path / "x.xlsx")
