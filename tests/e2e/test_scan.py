"""A clerk registers a paper document from its scan: OCR proposes the number and subject, the
clerk confirms, and a search typed without diacritics finds it by words of its body."""

import threading

import pytest
from django.core.management import call_command

from tests.documents.scans import scanned_decision
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_person
from vanphong.documents.models import Document, OcrJob


@pytest.mark.django_db(transaction=True)
def test_clerk_registers_a_scanned_document_and_finds_it_without_diacritics(page, agency_a, tmp_path):
    make_person(agency_a, "vanthu.scan", "Đỗ Thị Hằng", roles=["clerk"])
    scan = scanned_decision(tmp_path / "QĐ 123 điều động.jpg")

    sign_in(page, "vanthu.scan", PASSWORD)
    page.get_by_role("link", name="Văn bản đến", exact=True).click()
    page.get_by_role("link", name="Vào sổ văn bản đến").click()
    page.get_by_role("link", name="Từ bản quét văn bản giấy").click()
    page.get_by_label("Bản quét văn bản giấy").set_input_files(str(scan))
    page.get_by_role("button", name="Đọc bản quét").click()
    page.wait_for_url("**/documents/scans/*/")
    assert "Đang chờ" in page.get_by_role("status").inner_text()
    screenshot(page, "scan-waiting-vi")

    # The worker (`vanphong worker`) picks the job up while the page polls for its progress.
    progress_seen = []
    watcher = threading.Event()

    def watch():
        while not watcher.is_set():
            job = OcrJob.objects.get()
            if job.status == OcrJob.Status.RUNNING:
                progress_seen.append(job.progress)
            watcher.wait(0.05)

    thread = threading.Thread(target=watch)
    thread.start()
    try:
        call_command("db_worker", batch=True, queue_name="*", interval=0.1, reload=False, verbosity=0)
    finally:
        watcher.set()
        thread.join()
    assert progress_seen and max(progress_seen) > min(progress_seen)  # the percentage moved while it ran

    page.wait_for_url("**/documents/incoming/new/?scan=*", timeout=15_000)
    assert page.get_by_label("Số (theo văn bản)").input_value() == "123"
    assert page.get_by_label("Ký hiệu").input_value() == "QĐ-UBND"
    assert page.get_by_label("Trích yếu").input_value() == "Về việc điều động cán bộ công chức"
    assert page.get_by_label("Ngày văn bản").input_value() == "15/03/2026"
    assert page.get_by_label("Loại văn bản").input_value() == "QĐ"
    assert page.get_by_label("Cơ quan ban hành (ghi rõ)").input_value() == "Ủy ban nhân dân tỉnh Bắc Ninh"
    assert page.get_by_role("img", name="Trang đầu của bản quét").evaluate("img => img.naturalWidth") > 100
    screenshot(page, "scan-proposal-vi")

    page.get_by_label("Trích yếu").fill("Quyết định về việc điều động cán bộ công chức")  # the clerk corrects
    page.get_by_role("button", name="Vào sổ").click()
    page.wait_for_url("**/documents/*/")
    document = Document.objects.get()
    assert document.number == 1 and document.reference == "123/QĐ-UBND"
    assert document.attachments.get().filename == "QĐ 123 điều động.pdf"

    page.get_by_role("link", name="Tìm kiếm").click()
    page.get_by_role("searchbox").first.fill("luat to chuc chinh quyen dia phuong")  # words only the scan's body has
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_load_state()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "Quyết định về việc điều động cán bộ công chức" in rows.first.inner_text()
    screenshot(page, "scan-search-vi")
