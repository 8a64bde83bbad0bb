"""The leader's view over their units: the figures (workflow.statistics), the dashboard page, the unit work lists,
the periodic report as DOCX and XLSX (compared figure by figure with the dashboard), and who sees what."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tests.conftest import signed_in
from tests.factories import make_person
from vanphong.core.audit import AuditRecord
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.workflow import completed_work, handling, reports, statistics
from vanphong.workflow.dashboard_selectors import unit_work_list
from vanphong.workflow.models import Task

pytestmark = pytest.mark.django_db
ZONE = timezone.get_fixed_timezone(7 * 60)
YEAR_2025 = statistics.make_period("year", year=2025)


def at(day: str, hour=9) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=ZONE)


def _set(task, **fields):
    """History written past the services, as an import would: the summary of completed work is counted again."""
    Task.objects.filter(pk=task.pk).update(**fields)
    completed_work.rebuild(task.agency_id)


@pytest.fixture
def work(org):
    """Four pieces of work received in 2025 (March to May), each in one state:

    - the specialist (Phòng Tổng hợp) led document 1: received Mon 3 March, completed Fri 7 March, due 10 March: on time,
      4 working days; the Board's specialist coordinated it, completed Wed 12 March: late, 7 working days;
    - document 2 went to the Office, whose head passed it down to the specialist: received 1 April, due 10 April, open:
      overdue (the Office's own task, passed down, is not counted);
    - document 3 went to Phòng Tổng hợp as a unit: received 5 May, due in 2030: open within its deadline.
    The Office's head was kept informed of document 1: information is not work, not counted."""
    d1, d2, d3 = org.register("Công văn số một"), org.register("Công văn số hai"), org.register("Công văn số ba")
    future = timezone.localdate() + dt.timedelta(days=30)
    a1 = handling.assign(org.leader, d1, lead=org.specialist, coordinators=[org.board_specialist], informed=[org.head], deadline=future)
    tasks = {t.role: t for t in a1.tasks.all()}
    _set(tasks["lead"], created_at=at("2025-03-03"), deadline=dt.date(2025, 3, 10), status="done", closed_at=at("2025-03-07", 16))
    _set(tasks["coordinate"], created_at=at("2025-03-03"), deadline=dt.date(2025, 3, 10), status="done", closed_at=at("2025-03-12", 8))
    a2 = handling.assign(org.leader, d2, lead=org.office, deadline=future)
    child = handling.pass_down(org.head, a2.tasks.get(), to=org.specialist)
    _set(child, created_at=at("2025-04-01"), deadline=dt.date(2025, 4, 10))
    Task.objects.filter(pk=child.parent_id).update(created_at=at("2025-04-01"))
    a3 = handling.assign(org.leader, d3, lead=org.room, deadline=future)
    _set(a3.tasks.get(), created_at=at("2025-05-05", 23), deadline=dt.date(2030, 1, 2))
    return org


@pytest.fixture
def unit_leader(org):
    return make_person(org.agency, "truongvp.xl", "Nguyễn Văn Trưởng", roles=["leader"], unit=org.office, clearance=0,
                       position="Chánh Văn phòng")


def numbers(figures):
    return (figures.received, figures.on_time, figures.late, figures.overdue, figures.open_in_time, figures.average_days)


def test_each_piece_of_work_is_counted_once_where_it_is(work, english):
    stats = statistics.handling_statistics(work.leader, period=YEAR_2025)
    assert numbers(stats.total) == (4, 1, 1, 1, 1, Decimal("5.5"))  # (4 + 7) / 2 working days
    assert stats.total.on_time_percent == 50
    assert [(u.name, u.depth, numbers(u.figures)) for u in stats.units] == [
        ("Ban Tổ chức", 0, (1, 0, 1, 0, 0, Decimal("7.0"))), ("Văn phòng", 0, (0, 0, 0, 0, 0, None)),
        ("Phòng Tổng hợp", 1, (3, 1, 0, 1, 1, Decimal("4.0")))]
    assert [(p.name, numbers(p.figures)) for p in stats.people] == [
        ("Phạm Văn Tổ", (1, 0, 1, 0, 0, Decimal("7.0"))), ("Đỗ Thị Chuyên", (2, 1, 0, 1, 0, Decimal("4.0"))),
        ("Phòng Tổng hợp (the unit as a whole)", (1, 0, 0, 0, 1, None))]
    months = {m.label: m.figures.received for m in stats.months}
    assert len(months) == 12 and months["03/2025"] == 2 and months["04/2025"] == 1 and months["05/2025"] == 1 and sum(months.values()) == 4
    for table in (stats.units, stats.people, stats.months):
        summed = statistics.Figures()
        for row in table:
            summed.add(row.figures)
        assert summed == stats.total  # every piece of work in exactly one row


def test_the_period_and_the_document_type_narrow_the_figures(work):
    march = statistics.make_period("month", year=2025, month=3)
    assert numbers(statistics.handling_statistics(work.leader, period=march).total) == (2, 1, 1, 0, 0, Decimal("5.5"))
    q2 = statistics.make_period("quarter", year=2025, quarter=2)
    assert statistics.handling_statistics(work.leader, period=q2).total.received == 2
    # 5 May at 23:00 in Hà Nội is 16:00 UTC: still 5 May, inside a period ending that day.
    custom = statistics.make_period("custom", start=dt.date(2025, 4, 1), end=dt.date(2025, 5, 5))
    assert statistics.handling_statistics(work.leader, period=custom).total.received == 2
    assert statistics.handling_statistics(work.leader, period=YEAR_2025, doc_type="QĐ").total.received == 0
    assert statistics.handling_statistics(work.leader, period=YEAR_2025, doc_type="CV").total.received == 4
    assert statistics.handling_statistics(work.leader, period=statistics.make_period("year", year=2024)).total.received == 0


def test_local_midnight_decides_the_month_and_the_lateness(work, monkeypatch):
    """Dates are Hà Nội's: received at 00:30 on 1 June (17:30 UTC on 31 May) is June's; completed at 23:30 on the
    deadline is on time, at 00:30 the next day late. The fixed-offset shortcut (LocalDate) and the named zone
    (TruncDate, used where an offset changes) give the same figures."""
    d4, d5 = work.register("Công văn số bốn"), work.register("Công văn số năm")
    future = timezone.localdate() + dt.timedelta(days=30)
    for document, closed in ((d4, at("2025-06-10", 23).replace(minute=30)), (d5, at("2025-06-11", 0).replace(minute=30))):
        task = handling.assign(work.leader, document, lead=work.specialist, deadline=future).tasks.get()
        _set(task, created_at=at("2025-06-01", 0).replace(minute=30), deadline=dt.date(2025, 6, 10), status="done", closed_at=closed)
    periods = (statistics.make_period("month", year=2025, month=6), statistics.make_period("month", year=2025, month=5), YEAR_2025)
    fast = [statistics.handling_statistics(work.leader, period=period) for period in periods]
    assert numbers(fast[0].total)[:3] == (2, 1, 1)
    assert fast[1].total.received == 1  # document 3 only
    assert {m.label: m.figures.received for m in fast[2].months}["06/2025"] == 2
    monkeypatch.setattr(statistics, "_fixed_offset", lambda *args: None)
    named_zone = [statistics.handling_statistics(work.leader, period=period) for period in periods]
    for one, other in zip(fast, named_zone, strict=True):
        assert (one.total, one.months, [p.figures for p in one.people]) == (other.total, other.months, [p.figures for p in other.people])


def test_the_fixed_offset_is_used_only_where_the_zone_keeps_one():
    assert statistics._fixed_offset("Asia/Ho_Chi_Minh", dt.date(2024, 1, 1), dt.date(2026, 12, 31)) == 7 * 3600
    assert statistics._fixed_offset("Europe/Paris", dt.date(2025, 1, 1), dt.date(2025, 12, 31)) is None  # summer time
    assert statistics._fixed_offset("Europe/Paris", dt.date(2025, 1, 1), dt.date(2025, 1, 31)) == 3600


def test_a_unit_leader_sees_their_unit_and_those_below_only(work, unit_leader):
    assert [u.name for u in statistics.overseen_units(unit_leader)] == ["Văn phòng", "Phòng Tổng hợp"]
    stats = statistics.handling_statistics(unit_leader, period=YEAR_2025)
    assert numbers(stats.total) == (3, 1, 0, 1, 1, Decimal("4.0"))
    assert "Phạm Văn Tổ" not in {p.name for p in stats.people}
    with pytest.raises(ValidationError):
        statistics.handling_statistics(unit_leader, period=YEAR_2025, unit=work.board)
    narrowed = statistics.handling_statistics(work.leader, period=YEAR_2025, unit=work.room)
    assert narrowed.total.received == 3 and [u.name for u in narrowed.units] == ["Phòng Tổng hợp"]


def test_only_leaders_see_figures(work):
    for person in (work.specialist, work.head, work.clerk):
        assert not statistics.oversees_units(person) and statistics.overseen_units(person) == []
        with pytest.raises(PermissionDenied):
            statistics.handling_statistics(person, period=YEAR_2025)
        with pytest.raises(PermissionDenied):
            unit_work_list(person, "todo")


def test_bad_periods_are_refused_with_a_reason(english):
    cases = [({"kind": "custom", "start": dt.date(2025, 5, 1), "end": dt.date(2025, 4, 1)}, "end", "before the first"),
             ({"kind": "custom", "start": dt.date(2025, 5, 1)}, "end", "both"),
             ({"kind": "custom", "start": dt.date(2021, 1, 1), "end": dt.date(2026, 6, 1)}, "end", "five years"),
             ({"kind": "quarter", "year": 2025, "quarter": 5}, "quarter", "I to IV"),
             ({"kind": "month", "year": 2025, "month": 13}, "month", "1 to 12"),
             ({"kind": "week"}, "period", "Choose a year"),
             ({"kind": "year", "year": 2019}, "year", "")]
    for arguments, field, words in cases:
        kind = arguments.pop("kind")
        with pytest.raises(ValidationError) as caught:
            statistics.make_period(kind, **arguments)
        assert field in caught.value.message_dict and words in " ".join(caught.value.message_dict[field]), (kind, arguments)


def test_unit_lists_name_the_work_of_the_leaders_units(work, unit_leader):
    todo = list(unit_work_list(unit_leader, "todo"))
    assert [t.document.subject for t in todo] == ["Công văn số hai", "Công văn số ba"]  # earliest deadline first
    assert {t.document.subject for t in unit_work_list(unit_leader, "overdue")} == {"Công văn số hai"}
    assert {t.document.subject for t in unit_work_list(work.leader, "done")} == {"Công văn số một"}
    assert [t.person_id for t in unit_work_list(work.leader, "done", person=work.board_specialist)] == [work.board_specialist.pk]
    assert [t.unit_id for t in unit_work_list(unit_leader, "todo", start=dt.date(2025, 5, 1), end=dt.date(2025, 5, 31))] == [work.room.pk]
    assert list(unit_work_list(unit_leader, "todo", doc_type="QĐ")) == []
    with pytest.raises(ValidationError):
        unit_work_list(unit_leader, "done", person=work.board_specialist)  # not in the Office's tree


def test_confidential_work_is_counted_but_never_listed_to_a_leader_without_the_clearance(org, unit_leader):
    document = org.register("Văn bản mật về quy hoạch cán bộ", confidentiality=1, distribution=[org.leader])
    handling.assign(org.leader, document, lead=org.head, deadline=timezone.localdate() + dt.timedelta(days=10))
    this_year = statistics.make_period("year")
    assert statistics.handling_statistics(unit_leader, period=this_year).total.received == 1
    assert list(unit_work_list(unit_leader, "todo")) == []
    assert [t.document.subject for t in unit_work_list(org.leader, "todo")] == ["Văn bản mật về quy hoạch cán bộ"]  # on its distribution


# ---- the pages ------------------------------------------------------------------------------------------------------------------


@pytest.fixture
def as_(client):
    def sign_in(person, language="en"):
        client.logout()
        client.cookies["vanphong_language"] = language
        return signed_in(client, person)

    return sign_in


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_dashboard_shows_the_figures_charts_and_tables(work, as_):
    client = as_(work.leader)
    response = client.get("/workflow/units/", {"period": "year", "year": 2025})
    assert response.status_code == 200
    page = text(response)
    assert "Year 2025 (from 01/01/2025 to 31/12/2025)" in page
    assert response.content.decode().count("<svg class=\"chart\"") == 2 and 'role="img"' in response.content.decode()
    assert "Đỗ Thị Chuyên" in page and "Phòng Tổng hợp (the unit as a whole)" in page
    assert 'href="/workflow/units/work/?person=%d"' % work.specialist.pk in response.content.decode()
    nav = client.get("/workflow/work/").content.decode()
    assert 'href="/workflow/units/"' in nav


def test_the_dashboard_defaults_to_this_year_and_refuses_bad_filters(work, as_, unit_leader):
    client = as_(work.leader)
    assert f"Year {timezone.localdate().year}" in text(client.get("/workflow/units/"))
    response = client.get("/workflow/units/", {"period": "custom", "start": "01/05/2025", "end": "01/04/2025"})
    assert response.status_code == 400 and "The last day is before the first." in text(response)
    response = client.get("/workflow/units/", {"period": "year", "year": "abc"})
    assert response.status_code == 400 and "Enter a whole number." in text(response)
    client = as_(unit_leader)
    response = client.get("/workflow/units/", {"unit": work.board.pk})
    assert response.status_code == 400 and "Ban Tổ chức" not in text(response).replace("Select a valid choice", "")
    assert client.get("/workflow/units/report.pdf").status_code == 404
    assert client.get("/workflow/units/report.docx", {"period": "month", "month": 13}).status_code == 400


def test_people_who_lead_nothing_reach_no_dashboard(work, as_):
    for person in (work.specialist, work.clerk, work.head):
        client = as_(person)
        for url in ("/workflow/units/", "/workflow/units/work/", "/workflow/units/report.docx", "/workflow/units/report.xlsx"):
            assert client.get(url).status_code == 403, (person, url)
        assert 'href="/workflow/units/"' not in client.get("/workflow/work/").content.decode()


def test_the_unit_lists_page(work, as_, unit_leader):
    client = as_(unit_leader)
    page = text(client.get("/workflow/units/work/"))
    assert "Công văn số hai" in page and "Công văn số ba" in page and "Công văn số một" not in page
    page = text(client.get("/workflow/units/work/", {"tab": "done"}))
    assert "Công văn số một" in page and "late" not in page.split("Công văn số một")[1][:80]
    response = client.get("/workflow/units/work/", {"person": work.board_specialist.pk})
    assert response.status_code == 400 and "Công văn số" not in text(response)
    response = client.get("/workflow/units/work/", {"start": "02/02/2025", "end": "01/01/2025"})
    assert response.status_code == 400 and "The last day is before the first." in text(response)


def _html_tables(html: str) -> list[list[list[str]]]:
    """The figures tables of the dashboard page, as cell texts."""
    found = []
    for table in re.findall(r'<table class="figures">(.*?)</table>', html, re.S):
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
            rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)])
        found.append(rows)
    return found


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_report_matches_the_dashboard_figure_by_figure(work, as_, language):
    import docx
    import openpyxl

    client = as_(work.leader, language)
    query = {"period": "year", "year": 2025}
    html = client.get("/workflow/units/", query).content.decode()
    month_table, unit_table, person_table = _html_tables(html)  # in page order: months, units, people
    page_tables = [unit_table, person_table, month_table]  # in report order
    with translation.override(language):
        stats = statistics.handling_statistics(work.leader, period=YEAR_2025)
        expected_cells = [[[reports.number_text(v) for v in reports.figure_values(f)] for _name, f in rows]
                          for _title, _first, rows in reports.tables(stats)]
        expected_numbers = [[[float(v) if isinstance(v, Decimal) else v for v in reports.figure_values(f)] for _name, f in rows]
                            for _title, _first, rows in reports.tables(stats)]
    for page_table, cells in zip(page_tables, expected_cells, strict=True):
        assert [row[1:] for row in page_table[1:]] == cells  # the page shows the selector's figures

    response = client.get("/workflow/units/report.docx", query)
    assert response.status_code == 200 and response["Content-Disposition"].endswith('20250101-20251231.docx"')
    document = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    with translation.override(language):  # "BÁO CÁO TÌNH HÌNH XỬ LÝ VĂN BẢN", "ĐẢNG CỘNG SẢN VIỆT NAM" in Vietnamese
        title, party = translation.gettext("REPORT ON THE HANDLING OF DOCUMENTS"), translation.pgettext("report header",
                                                                                                        "COMMUNIST PARTY OF VIET NAM")
        period = YEAR_2025.label
    assert title in texts and any(t.startswith(period) for t in texts)
    header = " ".join(c.text for c in document.tables[0].rows[0].cells)
    assert work.agency.name.upper() in header and party in header  # agency A is a Party committee
    figure_tables = document.tables[1:4]
    for table, page_table, cells in zip(figure_tables, page_tables, expected_cells, strict=True):
        rows = [[c.text for c in row.cells] for row in table.rows]
        assert [row[2:] for row in rows[1:]] == cells == [row[1:] for row in page_table[1:]]
        assert [" ".join(row[1].split()) for row in rows[1:]] == [r[0] for r in page_table[1:]]  # the same rows, in order

    response = client.get("/workflow/units/report.xlsx", query)
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 3
    for sheet, numbers_expected in zip(workbook.worksheets, expected_numbers, strict=True):
        rows = list(sheet.iter_rows(values_only=True))
        header = next(n for n, row in enumerate(rows) if row[0] in ("STT", "No."))
        body = [list(row[2:]) for row in rows[header + 1:]]
        assert body == numbers_expected
        assert all(isinstance(v, (int, float)) or v is None for row in body for v in row)  # numbers as numbers
    assert AuditRecord.objects.filter(action="workflow.report.exported").count() == 2


def test_withdrawn_work_is_in_no_figure_and_the_report_still_matches_the_dashboard(work, as_):
    """Work still open when its sender withdrew the document (here: received in June 2025, due long ago, so it would
    count as overdue) is neither done nor late and nobody's: the figures are those without it, everywhere."""
    withdrawn = work.register("Công văn bị thu hồi")
    assignment = handling.assign(work.leader, withdrawn, lead=work.specialist, coordinators=[work.board_specialist],
                                 deadline=timezone.localdate() + dt.timedelta(days=30))
    for task in assignment.tasks.all():
        _set(task, created_at=at("2025-06-02"), deadline=dt.date(2025, 6, 10))
    open_figures = numbers(statistics.handling_statistics(work.leader, period=YEAR_2025).total)
    assert open_figures == (6, 1, 1, 3, 1, Decimal("5.5"))  # while open, it is overdue work
    handling.end_handling(work.clerk, withdrawn, kind="recalled", reason="Ban hành nhầm")
    stats = statistics.handling_statistics(work.leader, period=YEAR_2025)
    assert numbers(stats.total) == (4, 1, 1, 1, 1, Decimal("5.5"))
    assert {m.label: m.figures.received for m in stats.months}["06/2025"] == 0
    assert {t.document.subject for t in unit_work_list(work.leader, "overdue")} == {"Công văn số hai"}
    test_the_report_matches_the_dashboard_figure_by_figure(work, as_, "en")


def test_a_leader_of_another_agency_sees_nothing_of_agency_a(work, agency_b, as_):
    from tests.factories import make_unit

    unit_b = make_unit(agency_b, "Văn phòng UBND")
    leader_b = make_person(agency_b, "lanhdao.b", "Lãnh Đạo B", roles=["leader"], unit=unit_b, clearance=3)
    client = as_(leader_b)
    for url in ("/workflow/units/", "/workflow/units/work/", "/workflow/units/work/?tab=done"):
        page = text(client.get(url, {"period": "year", "year": 2025}))
        assert "Phòng Tổng hợp" not in page and "Công văn số" not in page and "Đỗ Thị Chuyên" not in page, url
    for query in ({"unit": work.room.pk}, {"person": work.specialist.pk}):
        response = client.get("/workflow/units/work/", query)
        assert response.status_code == 400 and "Công văn số" not in text(response)
    assert client.get("/workflow/units/", {"unit": work.room.pk}).status_code == 400
    response = client.get("/workflow/units/report.xlsx", {"period": "year", "year": 2025})
    import openpyxl

    cells = " ".join(str(v) for sheet in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets
                     for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    assert "Phòng Tổng hợp" not in cells and "Đỗ Thị Chuyên" not in cells and "Văn phòng UBND" in cells
    stats = statistics.handling_statistics(leader_b, period=YEAR_2025)
    assert stats.total.received == 0 and [u.name for u in stats.units] == ["Văn phòng UBND"]


def test_the_head_of_a_unit_sees_that_unit_and_those_below(work, as_):
    from vanphong.workflow.models import UnitHead

    assert not statistics.oversees_units(work.head)  # a specialist, not yet named head
    UnitHead.objects.create(unit=work.office, person=work.head)
    head = type(work.head).objects.get(pk=work.head.pk)  # a fresh request
    assert [u.name for u in statistics.overseen_units(head)] == ["Văn phòng", "Phòng Tổng hợp"]
    assert statistics.handling_statistics(head, period=YEAR_2025).total.received == 3
    assert as_(head).get("/workflow/units/", {"period": "year", "year": 2025}).status_code == 200
    UnitHead.objects.create(unit=work.board, person=work.board_specialist)
    head_of_board = type(work.head).objects.get(pk=work.board_specialist.pk)
    assert [u.name for u in statistics.overseen_units(head_of_board)] == ["Ban Tổ chức"]
    assert statistics.handling_statistics(head_of_board, period=YEAR_2025).total.received == 1


@pytest.mark.parametrize("language", ["vi", "en"])
def test_figures_are_written_as_the_locale_writes_numbers(language):
    from django.utils import formats

    with translation.override(language):
        for value in (0, 7, 999, -999, 1000, 12345, -1000):
            assert reports.number_text(value) == formats.number_format(value, use_l10n=True)
        assert reports.number_text(None) == "–"
