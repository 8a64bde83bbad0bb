"""Paper documents: a scan is read by OCRmyPDF/Tesseract in the worker, proposes its metadata, and
becomes searchable; what may go wrong is refused or explained, and nothing leaks across agencies."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from tests.conftest import signed_in
from tests.documents.scans import scanned_decision
from tests.factories import make_agency, make_person
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.documents import ocr_services, services
from vanphong.documents.attachments import store
from vanphong.documents.models import Document, OcrJob
from vanphong.documents.proposal import propose
from vanphong.documents.search import search


@pytest.fixture(scope="module")
def scan_jpeg(tmp_path_factory) -> bytes:
    return scanned_decision(tmp_path_factory.mktemp("scans") / "quyet-dinh.jpg").read_bytes()


def _upload(data: bytes, name="quyet-dinh.jpg"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# ---- the proposal, from the layouts of Decree 30 and Hướng dẫn 36 -----------------------------------

STATE_DECISION = """   ỦY BAN NHÂN DÂN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
    TỈNH BẮC NINH                           Độc lập - Tự do - Hạnh phúc

    Số: 123/QĐ-UBND                       Bắc Ninh, ngày 15 tháng 3 năm 2026

                                QUYẾT ĐỊNH
                       Về việc điều động cán bộ công chức

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
"""

OFFICIAL_LETTER = """UBND TỈNH BẮC NINH             CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
   SỞ TÀI CHÍNH                      Độc lập - Tự do - Hạnh phúc

Số: 45/STC-VP                     Bắc Ninh, ngày 02 tháng 11 năm 2026
V/v hướng dẫn lập dự toán
ngân sách năm 2027

      Kính gửi: Các sở, ban, ngành
"""

PARTY_DECISION = """   BAN CHẤP HÀNH TRUNG ƯƠNG             ĐẢNG CỘNG SẢN VIỆT NAM
            *
     Số 127-QĐ/TW                    Hà Nội, ngày 5 tháng 1 năm 2026

                         QUYẾT ĐỊNH
          về công tác cán bộ
"""


def test_proposal_of_a_state_decision():
    assert propose(STATE_DECISION) == {
        "code_number": "123", "code_notation": "QĐ-UBND", "issued_date": "2026-03-15", "doc_type": "QĐ",
        "subject": "Về việc điều động cán bộ công chức", "issuing_agency_name": "Ủy ban nhân dân tỉnh Bắc Ninh"}


def test_proposal_of_an_official_letter_names_the_department_with_its_province():
    proposal = propose(OFFICIAL_LETTER)
    assert proposal["doc_type"] == "CV" and proposal["code_number"] == "45" and proposal["code_notation"] == "STC-VP"
    assert proposal["subject"] == "V/v hướng dẫn lập dự toán ngân sách năm 2027"
    assert proposal["issuing_agency_name"] == "Sở Tài chính tỉnh Bắc Ninh" and proposal["issued_date"] == "2026-11-02"


def test_proposal_of_a_party_decision_uses_the_party_notation():
    proposal = propose(PARTY_DECISION)
    assert (proposal["code_number"], proposal["code_notation"], proposal["doc_type"]) == ("127", "QĐ/TW", "QĐ")
    assert proposal["issued_date"] == "2026-01-05" and proposal["subject"] == "về công tác cán bộ"


@pytest.mark.django_db
def test_proposal_takes_the_issuer_from_the_directory():
    bac_ninh = make_agency("000.00.00.H04", "Ủy ban nhân dân tỉnh Bắc Ninh", "UBND tỉnh Bắc Ninh")
    proposal = propose(STATE_DECISION, agencies=[bac_ninh])
    assert proposal["issuing_agency"] == bac_ninh.pk and proposal["issuing_agency_name"] == bac_ninh.name


def test_a_page_without_the_layout_proposes_nothing_wrong():
    proposal = propose("Biên nhận hồ sơ\nNgười nộp: Nguyễn Văn A\n")
    assert not {"code_number", "code_notation", "issued_date", "doc_type", "subject"} & set(proposal)
    assert propose("") == {}


# ---- the whole path: upload, worker, proposal, registration, search --------------------------------


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connections as in production
def test_scan_is_read_by_the_worker_and_registered_searchable(clerk_doc, scan_jpeg):
    job = ocr_services.start_scan(clerk_doc, _upload(scan_jpeg))
    assert job.status == OcrJob.Status.QUEUED and job.source_content_type == "image/jpeg"
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "vanphong.documents.tasks.recognise" and queued.args_kwargs["args"] == [job.pk]

    call_command("db_worker", batch=True, queue_name="*", interval=0.1, reload=False, verbosity=0)  # as `vanphong worker` runs it
    job.refresh_from_db()
    assert job.status == OcrJob.Status.DONE, job.error
    assert job.progress == 100 and job.page_count == 1 and "điều động cán bộ" in job.text
    assert job.proposal["code_number"] == "123" and job.proposal["code_notation"] == "QĐ-UBND"
    assert job.proposal["subject"] == "Về việc điều động cán bộ công chức"

    document = services.register_incoming(clerk_doc, scan=job, **{k: v for k, v in job.proposal.items() if k != "issued_date"})
    attachment = document.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.filename == "quyet-dinh.pdf" and attachment.sha256 == job.result_sha256
    assert document.page_count == 1
    job.refresh_from_db()
    assert job.document == document
    hits = search(clerk_doc, "dieu dong can bo cong chuc").hits
    assert [hit.document.pk for hit in hits] == [document.pk]
    # The text that only the scan's body holds is found too.
    assert [hit.document.pk for hit in search(clerk_doc, "luat to chuc chinh quyen dia phuong").hits] == [document.pk]

    with pytest.raises(ValidationError, match="đã được vào sổ"):
        services.register_incoming(clerk_doc, scan=job, confirm_duplicate=True, doc_type="QĐ", subject="Lần hai", issuing_agency_name="X")
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_a_scanned_attachment_gets_its_text_in_the_background(clerk_doc, scan_jpeg, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = services.register_incoming(clerk_doc, doc_type="QĐ", subject="Quyết định (bản giấy)", issuing_agency_name="UBND tỉnh",
                                              files=[store(_upload(scan_jpeg))])
    job = OcrJob.objects.get(attachment__document=document)
    assert not search(clerk_doc, "dieu dong can bo").hits
    ocr_services.run_job(job.pk)
    attachment = document.attachments.get()
    assert "điều động cán bộ" in attachment.text and attachment.page_count == 1
    assert [hit.document.pk for hit in search(clerk_doc, "dieu dong can bo").hits] == [document.pk]
    ocr_services.run_job(job.pk)  # a job runs once: a second delivery of the task changes nothing
    assert AuditRecord.objects.filter(action="documents.ocr.done").count() == 1


# ---- bad input ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_what_is_not_a_scan_is_refused_and_nothing_is_kept(clerk_doc, settings):
    from openpyxl import Workbook

    book = io.BytesIO()
    Workbook().save(book)
    cases = [
        (b"MZ\x90\x00" + b"\x00" * 200, "danh-sach.pdf", "program"),
        (b"", "trong.jpg", "empty"),
        (book.getvalue(), "bang.xlsx", "PDF or as a PNG"),
    ]
    for data, name, expected in cases:
        with pytest.raises(ValidationError) as refused, translation.override("en"):
            ocr_services.start_scan(clerk_doc, _upload(data, name))
        assert expected.lower() in " ".join(refused.value.messages).lower(), (name, refused.value.messages)
    settings.VANPHONG_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError):
        ocr_services.start_scan(clerk_doc, _upload(b"%PDF-1.4\n" + b"0" * 5000, "lon.pdf"))
    assert OcrJob.objects.count() == 0


@pytest.mark.django_db
def test_an_unreadable_scan_fails_with_words_for_the_clerk(clerk_doc):
    # A one-pixel "page" at 1 dpi: a real PNG, but not something Tesseract can read as a page.
    from PIL import Image

    tiny = io.BytesIO()
    Image.new("L", (1, 1), 255).save(tiny, format="PNG", dpi=(1, 1))
    job = ocr_services.start_scan(clerk_doc, _upload(tiny.getvalue(), "hong.png"))
    ocr_services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == OcrJob.Status.FAILED and job.error in ocr_services.FAILURES
    assert ocr_services.failure_message(job)
    with pytest.raises(ValidationError, match="chưa được nhận dạng"):
        services.register_incoming(clerk_doc, scan=job, doc_type="CV", subject="X", issuing_agency_name="Y")


@pytest.mark.django_db
def test_only_clerks_start_scans(agency_a, scan_jpeg):
    specialist = make_person(agency_a, "cv.ocr", "Chuyên Viên", roles=["specialist"])
    with pytest.raises(PermissionDenied):
        ocr_services.start_scan(specialist, _upload(scan_jpeg))
    assert OcrJob.objects.count() == 0


# ---- the pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_scan_pages_from_upload_to_registration(client, clerk_doc, scan_jpeg):
    signed_in(client, clerk_doc)
    assert "Đọc bản quét" in client.get("/documents/incoming/scan/").content.decode()
    response = client.post("/documents/incoming/scan/", {"scan": _upload(scan_jpeg)})
    job = OcrJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/scans/{job.pk}/"
    waiting = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "0%" in waiting
    ocr_services.run_job(job.pk)
    polled = client.get(f"/documents/scans/{job.pk}/", headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == f"/documents/incoming/new/?scan={job.pk}"
    form = client.get(f"/documents/incoming/new/?scan={job.pk}").content.decode()
    assert 'value="123"' in form and 'value="QĐ-UBND"' in form and "Về việc điều động cán bộ công chức" in form
    assert 'value="15/03/2026"' in form
    image = client.get(f"/documents/scans/{job.pk}/page.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    registered = client.post("/documents/incoming/new/", {
        "scan": job.pk, "doc_type": "QĐ", "code_number": "123", "code_notation": "QĐ-UBND", "issued_date": "15/03/2026",
        "issuing_agency_name": "Ủy ban nhân dân tỉnh Bắc Ninh", "subject": "Về việc điều động cán bộ công chức", "urgency": "0",
        "confidentiality": "0"})
    document = Document.objects.get()
    job.refresh_from_db()
    assert registered.status_code == 302 and document.attachments.get().sha256 == job.result_sha256 and job.document == document


@pytest.mark.django_db
def test_another_agency_cannot_reach_a_scan(client, clerk_doc, agency_b, scan_jpeg):
    job = ocr_services.start_scan(clerk_doc, _upload(scan_jpeg))
    ocr_services.run_job(job.pk)
    clerk_b = make_person(agency_b, "vt.b.ocr", "Văn Thư B", roles=["clerk"], clearance=3)
    signed_in(client, clerk_b)
    for url in [f"/documents/scans/{job.pk}/", f"/documents/scans/{job.pk}/page.png", f"/documents/incoming/new/?scan={job.pk}"]:
        assert client.get(url).status_code == 404, url
    assert "quyet-dinh.jpg" not in client.get("/documents/incoming/scan/").content.decode()
    with pytest.raises(ValidationError, match="cơ quan khác"):
        services.register_incoming(clerk_b, scan=job, doc_type="QĐ", subject="X", issuing_agency_name="Y")
    specialist = make_person(clerk_doc.agency, "cv.ocr2", "Chuyên Viên", roles=["specialist"])
    signed_in(client, specialist)
    assert client.get(f"/documents/scans/{job.pk}/").status_code == 404
    assert client.get("/documents/incoming/scan/").status_code == 403


def test_scan_generator_writes_a_300_dpi_page(tmp_path):
    from PIL import Image

    with Image.open(scanned_decision(tmp_path / "p.png")) as image:
        assert image.size == (2480, 3508) and round(image.info["dpi"][0]) == 300
    assert Path(tmp_path / "p.png").stat().st_size > 10_000


@pytest.mark.django_db
def test_a_scanned_pdf_of_two_pages_proposes_from_its_first_page(clerk_doc, tmp_path):
    import img2pdf

    first = scanned_decision(tmp_path / "p1.jpg")
    second = scanned_decision(tmp_path / "p2.jpg", number="999/QĐ-SAI", subject="Về việc trang thứ hai không được đọc", seed=3)
    pdf = img2pdf.convert([str(first), str(second)])
    job = ocr_services.start_scan(clerk_doc, _upload(pdf, "hai-trang.pdf"))
    assert job.source_content_type == "application/pdf"
    progress = []
    original = ocr_services._ProgressWriter.__call__
    ocr_services._ProgressWriter.__call__ = lambda self, percent: (progress.append(percent), original(self, percent))[1]
    try:
        ocr_services.run_job(job.pk)
    finally:
        ocr_services._ProgressWriter.__call__ = original
    job.refresh_from_db()
    assert job.status == OcrJob.Status.DONE and job.page_count == 2
    assert job.proposal["code_number"] == "123" and "trang thứ hai" not in job.proposal["subject"]
    assert "trang thứ hai không được đọc" in job.text  # the whole scan is searchable
    # OCRmyPDF reported its stages as it went: the page saw the percentage climb, never fall (the writer keeps the highest).
    assert progress[0] <= 10 and max(progress) >= 85 and len(set(progress)) >= 4
    assert job.progress == 100


@pytest.mark.django_db
def test_progress_written_never_goes_back(clerk_doc, scan_jpeg):
    job = ocr_services.start_scan(clerk_doc, _upload(scan_jpeg))
    writer = ocr_services._ProgressWriter(job.pk)
    for percent, expected in [(10, 10), (40, 40), (30, 40), (100, 99)]:
        writer(percent)
        job.refresh_from_db()
        assert job.progress == expected  # 100 only once the result is saved
