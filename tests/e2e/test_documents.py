"""A specialist drafts, a clerk issues: the document gets the next number in the agency's scheme.
A clerk registers an incoming paper document."""

from datetime import date

import pytest

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_person, make_unit
from vanphong.documents import services
from vanphong.documents.models import Document


@pytest.mark.django_db(transaction=True)
def test_outgoing_document_is_issued_with_the_next_party_number(page, agency_a):
    office = make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")
    clerk = make_person(agency_a, "vanthu.tu", "Nguyễn Thị Nhung", roles=["clerk"], unit=office)
    earlier = services.create_outgoing_draft(clerk, doc_type="QĐ", subject="Quyết định trước")
    services.issue_outgoing(clerk, earlier)  # 01-QĐ/TU already taken this year
    make_person(agency_a, "chuyenvien.tu", "Lê Minh Tuấn", roles=["specialist"], unit=office)

    sign_in(page, "chuyenvien.tu", PASSWORD)
    page.get_by_role("link", name="Văn bản đi", exact=True).click()
    page.get_by_role("link", name="Soạn văn bản đi").click()
    page.get_by_label("Loại văn bản").select_option(value="QĐ")
    page.get_by_label("Trích yếu").fill("Quyết định về việc kiện toàn Ban Chỉ đạo chuyển đổi số")
    page.get_by_label("Người ký", exact=True).fill("Trần Quốc Khánh")
    page.get_by_label("Nơi nhận khác").fill("Như Điều 3;\nLưu: VT.")
    screenshot(page, "outgoing-form-vi")
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.wait_for_url("**/documents/*/")
    assert page.get_by_role("button", name="Cấp số và phát hành").count() == 0  # a specialist cannot issue
    draft = Document.objects.get(subject__startswith="Quyết định về việc kiện toàn")
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, "vanthu.tu", PASSWORD)
    page.goto(f"/documents/{draft.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cấp số và phát hành").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().strip() == "Đã phát hành với số, ký hiệu 02-QĐ/TU."
    assert page.get_by_role("heading", level=1).inner_text().endswith("02-QĐ/TU")
    screenshot(page, "outgoing-issued-vi")
    page.get_by_role("link", name="Văn bản đi", exact=True).click()
    assert "02-QĐ/TU" in page.locator("table").inner_text()
    draft.refresh_from_db()
    assert draft.number == 2 and draft.issued_date == date.today()


@pytest.mark.django_db(transaction=True)
def test_clerk_registers_incoming_document(page, agency_a):
    make_person(agency_a, "vanthu.den", "Bùi Thị Mai", roles=["clerk"])
    sign_in(page, "vanthu.den", PASSWORD)
    page.get_by_role("link", name="Văn bản đến", exact=True).click()
    page.get_by_role("link", name="Vào sổ văn bản đến").click()
    page.get_by_label("Loại văn bản").select_option(value="CV")
    page.get_by_label("Số (theo văn bản)").fill("45")
    page.get_by_label("Ký hiệu").fill("UBND-VP")
    page.get_by_label("Ngày văn bản").fill(date.today().strftime("%d/%m/%Y"))
    page.get_by_label("Cơ quan ban hành (ghi rõ)").fill("UBND tỉnh Nghệ An")
    page.get_by_label("Trích yếu").fill("Về việc triển khai hệ thống quản lý văn bản")
    screenshot(page, "incoming-form-vi")
    page.get_by_role("button", name="Vào sổ").click()
    page.wait_for_url("**/documents/*/")
    assert page.get_by_role("status").inner_text().strip() == "Đã vào sổ với số đến 1."
    screenshot(page, "incoming-detail-vi")


@pytest.mark.django_db(transaction=True)
def test_clerk_attaches_a_pdf_previews_it_and_a_disguised_program_is_refused(page, agency_a, tmp_path):
    from tests.documents.test_attachments import make_pdf

    make_person(agency_a, "vanthu.tep", "Bùi Thị Mai", roles=["clerk"])
    scan = tmp_path / "QD-123-UBND.pdf"
    scan.write_bytes(make_pdf(["Quyết định về công tác cán bộ"]))
    fake = tmp_path / "cong-van.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    sign_in(page, "vanthu.tep", PASSWORD)
    page.goto("/documents/incoming/new/")
    page.get_by_label("Loại văn bản").select_option(value="QĐ")
    page.get_by_label("Cơ quan ban hành (ghi rõ)").fill("UBND tỉnh Bắc Ninh")
    page.get_by_label("Trích yếu").fill("Quyết định về công tác cán bộ")
    page.get_by_label("Tệp (bản quét, PDF, Word, Excel)").set_input_files([str(fake)])
    page.get_by_role("button", name="Vào sổ").click()
    error = page.locator(".field.has-error .error").inner_text()
    assert error.startswith("cong-van.pdf:") and "Windows" in error
    assert Document.objects.count() == 0
    page.get_by_label("Tệp (bản quét, PDF, Word, Excel)").set_input_files([str(scan)])
    page.get_by_role("button", name="Vào sổ").click()
    page.wait_for_url("**/documents/*/")
    document = Document.objects.get()
    assert "quyet dinh ve cong tac can bo" in document.search_text  # the PDF's text layer is searchable
    # The preview is the page rendered as an image: it shows on any browser or phone, headless too.
    with page.expect_response(lambda r: "/pages/1.png" in r.url) as preview:
        page.get_by_role("link", name="Xem trước").click()
    assert preview.value.status == 200 and preview.value.headers["content-type"] == "image/png"
    image = page.get_by_role("img", name="QD-123-UBND.pdf, trang 1")
    image.wait_for()
    assert image.evaluate("img => img.complete && img.naturalWidth") > 800  # A4 at 100 dpi
    assert page.get_by_role("link", name="Mở toàn bộ tệp PDF trong trình duyệt").get_attribute("href").endswith("/preview/")
    screenshot(page, "incoming-with-pdf-vi")
    with page.expect_download() as download:
        page.get_by_role("link", name="QD-123-UBND.pdf").click()
    assert download.value.suggested_filename == "QD-123-UBND.pdf"


@pytest.mark.django_db(transaction=True)
def test_search_without_diacritics_finds_and_highlights(page, agency_a, agency_b):
    clerk = make_person(agency_a, "vanthu.tim", "Bùi Thị Mai", roles=["clerk"])
    services.register_incoming(clerk, doc_type="QĐ", code_number="123", code_notation="QĐ-UBND", subject="Quyết định về công tác cán bộ",
                               issuing_agency_name="UBND tỉnh Bắc Ninh")
    services.register_incoming(clerk, doc_type="KH", subject="Kế hoạch chuyển đổi số năm 2027", issuing_agency_name="Sở Thông tin")
    other = make_person(agency_b, "vanthu.khac", "Người Khác", roles=["clerk"])
    services.register_incoming(other, doc_type="QĐ", subject="Quyết định về công tác cán bộ của cơ quan khác", issuing_agency_name="X")
    sign_in(page, "vanthu.tim", PASSWORD)
    page.get_by_role("link", name="Tìm kiếm").click()
    page.get_by_role("searchbox").first.fill("quyet dinh ve cong tac can bo")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_load_state()
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("mark").all_inner_texts()[:2] == ["Quyết", "định"]
    screenshot(page, "search-vi")
