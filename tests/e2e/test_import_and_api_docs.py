"""An administrator checks an import file (dry run), sees every bad line, then imports a good one.
The API documentation page renders from local files under the Content Security Policy."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_admin_pages import _sign_in_admin
from vanphong.core.models import AuditRecord
from vanphong.org.models import Person, Unit

HEADER = "Mã định danh,Đơn vị,Họ và tên,Tên đăng nhập,Chức vụ,Vai trò,Độ mật\n"


@pytest.mark.django_db(transaction=True)
def test_import_dry_run_lists_bad_lines_then_imports(page, admin_a, agency_a, tmp_path):
    bad = tmp_path / "can-bo-loi.csv"
    bad.write_text(
        HEADER
        + f"{agency_a.code},Văn phòng / Phòng Hành chính,Nguyễn Văn An,an.nv,Chuyên viên,chuyên viên,\n"
        + "000.00.00.XX,Văn phòng,Trần Thị Bình,binh.tt,Văn thư,văn thư,\n"
        + f"{agency_a.code},Văn phòng,Lê Văn Cường,an.nv,Chuyên viên,chuyên viên,\n",
        encoding="utf-8-sig",
    )
    _sign_in_admin(page, admin_a)
    page.get_by_role("link", name="Nhập dữ liệu").click()
    page.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("heading", name="Tệp có lỗi: chưa nhập dữ liệu nào")).to_be_visible()
    rows = page.locator("table").first.locator("tbody tr")
    lines = sorted({int(rows.nth(i).locator("td").first.inner_text()) for i in range(rows.count())})
    assert lines == [2, 3, 4]
    assert "000.00.00.XX" in page.locator("table").first.inner_text()
    assert page.get_by_role("button", name="Nhập ngay").count() == 0
    screenshot(page, "import-dry-run-errors-vi")
    assert Person.objects.filter(username="an.nv").count() == 0 and Unit.objects.count() == 0
    assert not AuditRecord.objects.filter(action="org.import.completed").exists()

    good = tmp_path / "can-bo.csv"
    good.write_text(HEADER + f"{agency_a.code},Văn phòng / Phòng Hành chính,Nguyễn Văn An,an.nv,Chuyên viên,chuyên viên,mật\n",
                    encoding="utf-8")
    page.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("heading", name="Tệp đã sẵn sàng để nhập")).to_be_visible()
    assert Person.objects.filter(username="an.nv").count() == 0  # still a dry run
    screenshot(page, "import-dry-run-ok-vi")
    page.get_by_role("button", name="Nhập ngay").click()
    page.wait_for_url("**/org/people/")
    assert "Đã nhập xong: thêm 2 đơn vị, thêm 1 cán bộ" in page.get_by_role("status").inner_text()
    person = Person.objects.get(username="an.nv")
    assert person.unit.name == "Phòng Hành chính" and person.unit.parent.name == "Văn phòng" and person.clearance == 1


@pytest.mark.django_db(transaction=True)
def test_api_docs_render_locally(page, clerk_a):
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "VănPhòng API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-tag").count() >= 3  # agencies, units, people
    screenshot(page, "api-docs")
