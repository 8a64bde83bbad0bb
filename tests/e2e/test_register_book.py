"""A clerk prints the incoming register: from the registers page, a period, PDF; the downloaded book
has the Decree 30 columns and the documents of the period. A period outside the register's year is
refused on the page."""

import subprocess

import pytest
from django.utils import timezone

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_person
from vanphong.core.models import AuditRecord
from vanphong.documents import services


@pytest.mark.django_db(transaction=True)
def test_clerk_downloads_the_incoming_register_book_as_pdf(page, agency_a, tmp_path):
    clerk = make_person(agency_a, "vanthu.so", "Nguyễn Thị Sổ", roles=["clerk"])
    services.register_incoming(clerk, doc_type="QĐ", code_number="12", code_notation="QĐ-UBND", subject="Quyết định về công tác cán bộ",
                               issuing_agency_name="Ủy ban nhân dân tỉnh Bắc Ninh")
    services.register_incoming(clerk, doc_type="CV", code_number="45", code_notation="STTTT-VP", urgency=3,
                               subject="Về việc triển khai chuyển đổi số", issuing_agency_name="Sở Thông tin và Truyền thông")
    year = timezone.localdate().year

    sign_in(page, "vanthu.so", PASSWORD)
    page.get_by_role("link", name="Sổ văn bản").click()
    page.get_by_role("link", name=f"In hoặc xuất Sổ văn bản đến {year}").click()
    assert page.locator("select[name=register] option:checked").inner_text().startswith(f"Sổ văn bản đến {year}")
    assert page.get_by_label("Từ ngày").input_value() == f"01/01/{year}"

    # A period outside the register's year: refused on the page, nothing exported.
    page.get_by_label("Từ ngày").fill(f"01/12/{year - 1}")
    page.get_by_role("button", name="Tải sổ đăng ký").click()
    assert f"Sổ này chứa văn bản của năm {year}" in page.locator(".field.has-error").inner_text()
    assert not AuditRecord.objects.filter(action="documents.register.exported").exists()

    page.get_by_label("Từ ngày").fill(f"01/01/{year}")
    page.get_by_label("PDF, để in").check()
    screenshot(page, "register-book-vi")
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải sổ đăng ký").click()
    assert download.value.suggested_filename == f"so-van-ban-den-{year}.pdf"
    pdf = tmp_path / "so.pdf"
    download.value.save_as(pdf)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    for part in ("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", f"Năm {year}", "Từ số 1 đến số 2", "Ngày đến", "Số đến", "Ký nhận", "12/QĐ-UBND",
                 "45/STTTT-VP", "Hỏa tốc", "Trang 1/1"):
        assert part in text, part
    assert AuditRecord.objects.get(action="documents.register.exported").data["rows"] == 2
