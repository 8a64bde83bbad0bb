"""Import of units and people from CSV and XLSX: the checks by line, all-or-nothing, the web page."""

import csv
import hashlib
import io
import unicodedata
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import signed_in
from tests.factories import make_agency, make_person, make_unit
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.org import importer, services
from vanphong.org.models import Person, Unit

CODE_A = "000.00.00.T27"
CODE_B = "000.00.00.H40"
HEADER = ["Mã định danh", "Đơn vị", "Ký hiệu đơn vị", "Họ và tên", "Tên đăng nhập", "Thư điện tử", "Điện thoại", "Chức vụ", "Vai trò", "Độ mật"]
GOOD_ROWS = [
    [CODE_A, "Văn phòng / Phòng Hành chính", "HC", "Nguyễn Thị Hồng Phượng", "ntphuong", "phuong@example.gov.vn", "0912345678", "Trưởng phòng", "lãnh đạo; văn thư", "mật"],
    [CODE_A, "Văn phòng / Phòng Hành chính", "", "Đặng Quốc Việt", "dqviet", "", "", "Chuyên viên", "chuyên viên", ""],
    [CODE_A, "Văn phòng > Phòng Tổng hợp", "TH", "Trần Văn Ân", "tvan", "", "", "", "specialist, personnel", "0"],
    [CODE_A, "Ban Tổ chức", "BTC", "", "", "", "", "", "", ""],
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def make_csv(rows, header=HEADER, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def make_xlsx(rows, header=HEADER, above=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in above:
        sheet.append(row)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes as Vietnamese Windows writes them: a precomposed base letter where the
    code page has one, and the tone mark as a combining character."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i in [*range(len(marks)), None]:  # the base with one of its marks precomposed, or alone
            head = base if i is None else unicodedata.normalize("NFC", base + marks[i])
            rest = "".join(m for j, m in enumerate(marks) if j != i)
            try:
                out += head.encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise AssertionError(f"cannot encode {ch!r}")
    return bytes(out)


def counts():
    return Person.objects.count(), Unit.objects.count(), AuditRecord.objects.count()


def run(actor, agency, data, filename="danh-sach.csv", dry_run=False):
    return services.import_organisation(actor, agency, data, filename, dry_run=dry_run)


def errors_by_line(plan):
    out = {}
    for error in plan.errors:
        out.setdefault(error.line, []).append(error)
    return out


# ---- good files -------------------------------------------------------------------------------


def _assert_good_import(agency):
    office = Unit.objects.get(agency=agency, parent=None, name="Văn phòng")
    admin_unit = Unit.objects.get(agency=agency, parent=office, name="Phòng Hành chính")
    assert admin_unit.short_name == "HC" and admin_unit.path == f"/{office.pk}/" and admin_unit.depth == 1
    assert Unit.objects.get(parent=office, name="Phòng Tổng hợp").short_name == "TH"
    assert Unit.objects.get(agency=agency, parent=None, name="Ban Tổ chức").short_name == "BTC"
    phuong = Person.objects.get(username="ntphuong")
    assert phuong.agency == agency and phuong.unit == admin_unit
    assert phuong.full_name == "Nguyễn Thị Hồng Phượng" and phuong.position == "Trưởng phòng"
    assert phuong.email == "phuong@example.gov.vn" and phuong.phone == "0912345678"
    assert phuong.role_codes() == {"leader", "clerk"} and phuong.clearance == 1
    assert not phuong.has_usable_password()
    assert phuong.search_text == "nguyen thi hong phuong ntphuong"
    assert Person.objects.get(username="dqviet").role_codes() == {"specialist"}
    assert Person.objects.get(username="tvan").role_codes() == {"specialist", "personnel"}


def test_good_csv_creates_units_and_people_at_once(admin_a, agency_a):
    people, units, records = counts()
    data = make_csv(GOOD_ROWS)
    plan = run(admin_a, agency_a, data)
    assert plan.ok and plan.file_format == "csv"
    assert plan.counts == {"units_to_create": 4, "people_to_create": 3, "people_to_update": 0}
    assert counts() == (people + 3, units + 4, records + 1)
    _assert_good_import(agency_a)
    record = AuditRecord.objects.latest("seq")
    assert record.action == "org.import.completed" and record.actor_id == admin_a.pk and record.agency_id == agency_a.pk
    assert record.data["people_created"] == 3 and record.data["units_created"] == 4
    assert record.data["sha256"] == hashlib.sha256(data).hexdigest()


def test_good_xlsx_creates_the_same(admin_a, agency_a):
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][9], rows[2][9] = 1, 0.0  # numbers typed in Excel cells
    plan = run(admin_a, agency_a, make_xlsx(rows), "danh-sach.xlsx")
    assert plan.ok and plan.file_format == "xlsx", plan.errors
    _assert_good_import(agency_a)


def test_xlsx_lines_are_excel_rows_and_blank_rows_are_skipped(admin_a, agency_a):
    rows = [GOOD_ROWS[0], [None] * 10, [CODE_A, "Văn phòng", "", "Lê Văn Lỗi", "", "", "", "", "", ""]]
    plan = run(admin_a, agency_a, make_xlsx(rows, above=[["DANH SÁCH CÁN BỘ"], []]), "ds.xlsx", dry_run=True)
    # title on row 1, blank row 2, header row 3, people on rows 4 and 6
    assert [(e.line, e.column) for e in plan.errors] == [(6, "Tên đăng nhập")]
    assert [r.line for r in plan.rows] == [4]


def test_existing_units_are_reused_whatever_the_case(admin_a, agency_a):
    office = make_unit(agency_a, "VĂN PHÒNG")
    plan = run(admin_a, agency_a, make_csv(GOOD_ROWS[:1]))
    assert plan.units_to_create == 1
    assert Unit.objects.filter(agency=agency_a, parent=None).count() == 1
    assert Person.objects.get(username="ntphuong").unit.parent == office


def test_utf8_with_bom_header_is_read(admin_a, agency_a):
    data = b"\xef\xbb\xbf" + make_csv(GOOD_ROWS[:1])
    plan = run(admin_a, agency_a, data)
    assert plan.ok, plan.errors
    assert Person.objects.get(username="ntphuong").full_name == "Nguyễn Thị Hồng Phượng"


def test_semicolon_separated_with_english_headers(admin_a, agency_a):
    header = ["agency_code", "unit", "full_name", "username", "roles", "clearance"]
    data = make_csv([[CODE_A, "Văn phòng", "Võ Thị Sáu", "vtsau", "clerk", "1"]], header=header, delimiter=";")
    plan = run(admin_a, agency_a, data)
    assert plan.ok, plan.errors
    sau = Person.objects.get(username="vtsau")
    assert sau.unit.name == "Văn phòng" and sau.role_codes() == {"clerk"} and sau.clearance == 1


def test_excel_unicode_text_is_read(admin_a, agency_a):
    """Excel's "Unicode text": UTF-16 with a byte order mark, separated by tabs."""
    data = make_csv(GOOD_ROWS[:1], delimiter="\t").decode("utf-8").encode("utf-16")
    plan = run(admin_a, agency_a, data, "danh-sach.txt")
    assert plan.ok, plan.errors
    assert Person.objects.get(username="ntphuong").unit.name == "Phòng Hành chính"


def test_windows_1258_csv_gives_nfc_vietnamese(admin_a, agency_a):
    text = make_csv(GOOD_ROWS[:2]).decode("utf-8")
    data = cp1258(text)
    assert b"\xcc" in data or b"\xde" in data or b"\xd2" in data or b"\xec" in data  # combining tone marks, as Windows writes them
    plan = run(admin_a, agency_a, data)
    assert plan.ok, plan.errors
    assert any("Windows-1258" in n for n in plan.notices)
    phuong = Person.objects.get(username="ntphuong")
    assert phuong.full_name == "Nguyễn Thị Hồng Phượng"
    assert phuong.full_name == unicodedata.normalize("NFC", phuong.full_name)
    assert Person.objects.get(username="dqviet").full_name == "Đặng Quốc Việt"
    assert Unit.objects.filter(name="Phòng Hành chính").exists()
    assert phuong.role_codes() == {"leader", "clerk"} and phuong.clearance == 1


def test_mixed_encodings_report_each_bad_line(admin_a, agency_a):
    lines = make_csv(GOOD_ROWS[:3]).split(b"\r\n")
    lines[2] = cp1258(lines[2].decode("utf-8"))  # line 3 in Windows-1258, the others UTF-8
    before = counts()
    plan = run(admin_a, agency_a, b"\r\n".join(lines), dry_run=True)
    assert [e.line for e in plan.errors] == [3]
    assert "not UTF-8" in plan.errors[0].message and "mixes encodings" in plan.errors[0].message
    with pytest.raises(ValidationError):
        run(admin_a, agency_a, b"\r\n".join(lines))
    assert counts() == before


# ---- bad files --------------------------------------------------------------------------------


def test_missing_columns_are_named_on_line_1(admin_a, agency_a):
    header = ["Mã định danh", "Họ và tên", "Email"]
    plan = run(admin_a, agency_a, make_csv([[CODE_A, "Ai Đó", "x"]], header=header), dry_run=True)
    assert len(plan.errors) == 1
    error = plan.errors[0]
    assert error.line == 1 and "Đơn vị" in error.message and "Tên đăng nhập" in error.message
    assert "Họ và tên" not in error.message


def test_duplicate_usernames_name_every_line(admin_a, agency_a):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], [CODE_A, "Văn phòng", "", "Người Khác", "NTPhuong", "", "", "", "", ""]]
    plan = run(admin_a, agency_a, make_csv(rows), dry_run=True)
    by_line = errors_by_line(plan)
    assert set(by_line) == {2, 4}
    assert "line 4" in by_line[2][0].message and "line 2" in by_line[4][0].message
    assert by_line[2][0].column == "Tên đăng nhập"


def test_bad_and_foreign_agency_codes_are_reported_by_line(admin_a, agency_a, agency_b):
    make_agency("000.00.00.G01", "Bộ Ngoại giao", "BNG", hosted=False)
    rows = [
        GOOD_ROWS[0],
        ["12.34", "Văn phòng", "", "Mã Sai", "masai", "", "", "", "", ""],
        [CODE_B, "Văn phòng", "", "Cơ Quan Khác", "coquankhac", "", "", "", "", ""],
        ["000.00.00.Z99", "Văn phòng", "", "Không Có", "khongco", "", "", "", "", ""],
        ["000.00.00.G01", "Văn phòng", "", "Không Đặt Tại Đây", "khongdat", "", "", "", "", ""],
    ]
    plan = run(admin_a, agency_a, make_csv(rows), dry_run=True)
    by_line = errors_by_line(plan)
    assert set(by_line) == {3, 4, 5, 6}
    assert all(e.column == "Mã định danh" for e in plan.errors)
    assert "000.00.00.G22" in by_line[3][0].message
    assert "another agency" in by_line[4][0].message
    assert "No agency" in by_line[5][0].message
    assert "not hosted" in by_line[6][0].message


def test_username_of_another_agency_is_an_error(admin_a, agency_a, admin_b):
    rows = [[CODE_A, "Văn phòng", "", "Trần Văn Bình", "QUANTRI.B", "", "", "", "", ""]]
    plan = run(admin_a, agency_a, make_csv(rows), dry_run=True)
    assert [(e.line, e.column) for e in plan.errors] == [(2, "Tên đăng nhập")]
    assert "another agency" in plan.errors[0].message


def test_every_bad_cell_is_reported(admin_a, agency_a):
    rows = [
        [CODE_A, "Văn phòng", "", "", "co khoang trang", "not-an-email", "", "", "thủ quỹ", "bí mật"],
        [CODE_A, "Văn phòng", "", "Vượt Quyền", "vuotquyen", "", "", "", "", "tối mật"],
        [CODE_A, "", "", "", "", "", "", "", "", ""],
    ]
    plan = run(admin_a, agency_a, make_csv(rows), dry_run=True)
    columns = {(e.line, e.column) for e in plan.errors}
    assert columns == {
        (2, "Tên đăng nhập"), (2, "Họ và tên"), (2, "Thư điện tử"), (2, "Vai trò"), (2, "Độ mật"),
        (3, "Độ mật"),  # admin_a holds clearance 1 and cannot grant 2
        (4, "Đơn vị"),
    }
    assert "thủ quỹ" in next(e.message for e in plan.errors if e.column == "Vai trò")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=400) | st.text(max_size=300).map(lambda t: t.encode("utf-8")), with_header=st.booleans())
def test_any_bytes_give_a_plan_never_an_exception(admin_a, agency_a, body, with_header):
    data = (make_csv([]) if with_header else b"") + body
    plan = importer.build_plan(agency_a, data, "x.csv", actor=admin_a)
    assert plan.ok or plan.errors
    assert all(isinstance(e.line, int) and e.line >= 0 and e.message for e in plan.errors)


def test_the_operator_command_line_and_a_superuser_may_grant_any_clearance(operator, agency_a):
    rows = [[CODE_A, "Văn phòng", "", "Tuyệt Mật", "tuyetmat", "", "", "", "", "tuyệt mật"]]
    assert run(operator, agency_a, make_csv(rows), dry_run=True).ok
    assert run(None, agency_a, make_csv(rows)).ok
    assert Person.objects.get(username="tuyetmat").clearance == 3
    assert AuditRecord.objects.latest("seq").actor_id is None


def test_existing_people_of_the_agency_are_updated(admin_a, agency_a):
    unit = make_unit(agency_a, "Văn phòng")
    person = make_person(agency_a, "ntphuong", "Nguyen Thi Phuong", roles=["clerk"], unit=unit, email="cu@example.gov.vn", position="Văn thư")
    rows = [[CODE_A, "Văn phòng / Phòng Hành chính", "", "Nguyễn Thị Hồng Phượng", "NTPHUONG", "", "", "", "lãnh đạo", ""]]
    plan = run(admin_a, agency_a, make_csv(rows))
    assert plan.counts == {"units_to_create": 1, "people_to_create": 0, "people_to_update": 1}
    person.refresh_from_db()
    assert person.full_name == "Nguyễn Thị Hồng Phượng" and person.search_text.startswith("nguyen thi hong phuong")
    assert person.unit.name == "Phòng Hành chính"
    assert person.email == "cu@example.gov.vn" and person.position == "Văn thư"  # empty cells keep values
    assert person.role_codes() == {"leader"}
    assert person.has_usable_password()


def test_an_administrator_cannot_drop_their_own_admin_role(admin_a, agency_a):
    rows = [[CODE_A, "Văn phòng", "", "Lê Thị Quản Trị", "quantri.a", "", "", "", "văn thư", ""]]
    plan = run(admin_a, agency_a, make_csv(rows), dry_run=True)
    assert [(e.line, e.column) for e in plan.errors] == [(2, "Vai trò")]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "not a CSV or XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls"),
        (b"PK\x03\x04garbage", "damaged"),
    ],
)
def test_files_that_are_not_tables_get_a_clear_error(admin_a, agency_a, data, words):
    before = counts()
    plan = run(admin_a, agency_a, data, "danh-sach.csv", dry_run=True)
    assert len(plan.errors) == 1 and words in plan.errors[0].message
    assert plan.errors[0].line == 0 and not plan.rows
    with pytest.raises(ValidationError):
        run(admin_a, agency_a, data)
    assert counts() == before


def test_a_zip_that_is_not_a_workbook_is_refused(admin_a, agency_a):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    plan = run(admin_a, agency_a, out.getvalue(), "danh-sach.xlsx", dry_run=True)
    assert len(plan.errors) == 1 and "not an Excel workbook" in plan.errors[0].message


def test_a_file_over_the_size_limit_is_refused(admin_a, agency_a, settings):
    settings.VANPHONG_MAX_UPLOAD_BYTES = 100
    plan = run(admin_a, agency_a, make_csv(GOOD_ROWS), dry_run=True)
    assert len(plan.errors) == 1 and "too large" in plan.errors[0].message


# ---- nothing or everything --------------------------------------------------------------------


def test_dry_run_writes_nothing(admin_a, agency_a):
    before = counts()
    plan = run(admin_a, agency_a, make_csv(GOOD_ROWS), dry_run=True)
    assert plan.ok and plan.counts == {"units_to_create": 4, "people_to_create": 3, "people_to_update": 0}
    assert [r.action for r in plan.rows] == ["create", "create", "create", "unit"]
    assert counts() == before


def test_real_run_with_one_bad_row_writes_nothing(admin_a, agency_a):
    rows = [*GOOD_ROWS, [CODE_A, "Văn phòng", "", "Thiếu Tên Đăng Nhập", "", "", "", "", "", ""]]
    before = counts()
    with pytest.raises(ValidationError) as caught:
        run(admin_a, agency_a, make_csv(rows))
    assert any("Line 6" in m for m in caught.value.messages)
    assert caught.value.plan.errors[0].line == 6
    assert counts() == before


def test_a_failure_half_way_rolls_everything_back(admin_a, agency_a, monkeypatch):
    seen = {}

    def fail(plan, created, updated):
        seen["people"] = Person.objects.filter(agency=agency_a).count()
        seen["units"] = Unit.objects.filter(agency=agency_a).count()
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_import_set_roles", fail)
    before = counts()
    with pytest.raises(RuntimeError):
        run(admin_a, agency_a, make_csv(GOOD_ROWS))
    assert seen == {"people": 1 + 3, "units": 4}  # they had been written...
    assert counts() == before  # ...and are gone


def test_a_clash_in_the_database_becomes_a_message(admin_a, agency_a, monkeypatch):
    def clash(plan, created, updated):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(services, "_import_set_roles", clash)
    before = counts()
    with pytest.raises(ValidationError, match="nothing was written"):
        run(admin_a, agency_a, make_csv(GOOD_ROWS))
    assert counts() == before


def test_only_the_agency_administrator_may_import(clerk_a, admin_b, agency_a):
    for actor in (clerk_a, admin_b):
        with pytest.raises(PermissionDenied):
            run(actor, agency_a, make_csv(GOOD_ROWS), dry_run=True)


def test_thousands_of_rows_take_a_fixed_number_of_queries(admin_a, agency_a, django_assert_max_num_queries):
    rows = [[CODE_A, f"Khối {i % 5} / Phòng {i % 20}", "", f"Cán Bộ Số {i}", f"canbo{i}", "", "", "", "chuyên viên", "mật"] for i in range(1200)]
    data = make_csv(rows)
    with django_assert_max_num_queries(10):
        assert run(admin_a, agency_a, data, dry_run=True).ok
    # 25 new units are saved one by one (each needs its parent's id); everything else goes in bulk.
    with django_assert_max_num_queries(90):
        plan = run(admin_a, agency_a, data)
    assert plan.people_to_create == 1200
    assert Person.objects.filter(agency=agency_a, roles="specialist").count() == 1200


# ---- the web page -----------------------------------------------------------------------------


def _page(client, person):
    signed_in(client, person)
    client.cookies["vanphong_language"] = "en"
    return client


def _upload(client, data, name="danh-sach.csv"):
    return client.post(reverse("org:import"), {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_page_is_for_agency_administrators_only(client, clerk_a):
    _page(client, clerk_a)
    assert client.get(reverse("org:import")).status_code == 403
    assert _upload(client, make_csv(GOOD_ROWS)).status_code == 403
    assert client.get(reverse("org:import_template")).status_code == 403
    assert not Person.objects.filter(username="ntphuong").exists()


def test_page_shows_the_form_and_the_template_is_a_workbook_that_imports(client, admin_a, agency_a):
    _page(client, admin_a)
    page = client.get(reverse("org:import"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="file"' in html and 'for="id_file"' in html and reverse("org:import_template") in html
    assert "style=" not in html and "<script>" not in html
    response = client.get(reverse("org:import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A2"].value == CODE_A
    plan = run(admin_a, agency_a, response.content, "mau.xlsx", dry_run=True)
    assert plan.ok and plan.people_to_create == 1 and plan.units_to_create == 2


def test_check_lists_the_errors_with_their_lines(client, admin_a):
    _page(client, admin_a)
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], [CODE_A, "Văn phòng", "", "Trùng Tên", "ntphuong", "", "", "", "", ""]]
    before = counts()
    response = _upload(client, make_csv(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "also on line 4" in html and "also on line 2" in html
    assert '<td class="num">2</td>' in html and '<td class="num">4</td>' in html
    assert 'name="sha256"' not in html
    assert counts() == before


def test_check_then_import_now_creates_the_people(client, admin_a, agency_a):
    _page(client, admin_a)
    data = make_csv(GOOD_ROWS)
    response = _upload(client, data)
    html = response.content.decode()
    assert 'name="sha256"' in html and not Person.objects.filter(username="ntphuong").exists()
    sha = hashlib.sha256(data).hexdigest()
    assert sha in html
    response = client.post(reverse("org:import"), {"sha256": sha})
    assert response.status_code == 302 and response["Location"] == reverse("org:people")
    _assert_good_import(agency_a)
    # the same confirmation cannot be replayed
    assert client.post(reverse("org:import"), {"sha256": sha}).status_code == 400


def test_another_agency_cannot_import_a_file_checked_by_agency_a(client, admin_a, admin_b, agency_b):
    from django.test import Client

    _page(client, admin_a)
    data = make_csv(GOOD_ROWS)
    _upload(client, data)
    sha = hashlib.sha256(data).hexdigest()
    other = _page(Client(), admin_b)
    before = counts()
    response = other.post(reverse("org:import"), {"sha256": sha})
    assert response.status_code == 400
    assert "not waiting to be imported" in response.content.decode()
    assert counts() == before


def test_a_change_between_check_and_import_is_caught(client, admin_a, agency_b):
    _page(client, admin_a)
    data = make_csv(GOOD_ROWS)
    _upload(client, data)
    make_person(agency_b, "dqviet", "Đặng Quốc Việt")  # meanwhile, in another agency
    before = counts()
    response = client.post(reverse("org:import"), {"sha256": hashlib.sha256(data).hexdigest()})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td class="num">3</td>' in html and "another agency" in html
    assert counts() == before


def test_a_pdf_upload_gets_a_clear_error(client, admin_a):
    _page(client, admin_a)
    response = _upload(client, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "danh-sach.pdf")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This is a PDF document, not a table" in html and 'name="sha256"' not in html
