"""Full-text search of documents, on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import make_agency, make_person
from vanphong.documents import search as engine
from vanphong.documents import search_views, services
from vanphong.documents.models import Distribution
from vanphong.documents.search import SearchFilters, parse_query, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(agency_a):
    return make_person(agency_a, "vanthu.tk", "Nguyễn Thị Tìm Kiếm", roles=["clerk"], clearance=3)


@pytest.fixture
def reader(agency_a):
    return make_person(agency_a, "chuyenvien.tk", "Trần Văn Đọc", clearance=1)


def incoming(clerk, subject, *, text=None, **fields):
    fields.setdefault("doc_type", "CV")
    if not fields.get("issuing_agency"):
        fields.setdefault("issuing_agency_name", "Sở Nội vụ")
    files = [services.UploadedFile(sha256="0" * 64, size=1, filename="a.pdf", content_type="application/pdf", text=text)] if text else []
    return services.register_incoming(clerk, subject=subject, files=files, confirm_duplicate=True, **fields)


def found(reader, query, **filters):
    return [hit.document.pk for hit in search(reader, query, filters=SearchFilters(**filters)).hits]


# ---- what matches --------------------------------------------------------------------------------


def test_a_query_without_diacritics_finds_the_subject_with_them(clerk):
    wanted = incoming(clerk, "Quyết định về công tác cán bộ")
    incoming(clerk, "Báo cáo tình hình kinh tế quý III")
    assert found(clerk, "quyet dinh ve cong tac can bo") == [wanted.pk]
    assert found(clerk, "QUYẾT ĐỊNH công tác") == [wanted.pk]


def test_d_with_stroke_folds_to_d(clerk):
    wanted = incoming(clerk, "Nghị quyết của Ban Thường vụ Đảng ủy Khối")
    incoming(clerk, "Kế hoạch dạy nghề")
    assert found(clerk, "dang uy") == [wanted.pk]
    assert found(clerk, "ĐẢNG ỦY") == [wanted.pk]


def test_the_last_word_is_a_prefix_the_others_are_whole_words(clerk):
    wanted = incoming(clerk, "Quyết định về công tác cán bộ")
    assert found(clerk, "cong ta") == [wanted.pk]
    assert found(clerk, "cong tax") == []
    assert found(clerk, "co tac") == []  # "co" is not a word of the subject


def test_every_word_must_match(clerk):
    first = incoming(clerk, "Kế hoạch phát triển kinh tế")
    second = incoming(clerk, "Quy hoạch cán bộ")
    assert found(clerk, "kinh te") == [first.pk]
    assert found(clerk, "can bo") == [second.pk]
    assert found(clerk, "kinh te can bo") == []


def test_reference_and_issuer_are_searchable(clerk, agency_b):
    wanted = incoming(clerk, "Về việc tăng cường kỷ luật", code_number="127", code_notation="QĐ-UBND", issuing_agency=agency_b,
                      issued_date=timezone.localdate())
    incoming(clerk, "Về việc tăng cường kiểm tra")
    assert found(clerk, "127/QĐ-UBND") == [wanted.pk]
    assert found(clerk, "nghe an ky luat") == [wanted.pk]


def test_attachment_text_is_searchable_and_gives_a_highlighted_snippet(clerk):
    body = ("Ủy ban nhân dân tỉnh báo cáo tình hình " * 20) + "phòng chống dịch sốt xuất huyết <b>năm 2026</b> " + "kết quả " * 40
    wanted = incoming(clerk, "Báo cáo tháng 10", text=body)
    incoming(clerk, "Báo cáo tháng 11", text="Tình hình an ninh trật tự")
    page = search(clerk, "sot xuat huyet", filters=SearchFilters())
    assert [h.document.pk for h in page.hits] == [wanted.pk]
    snippet = str(page.hits[0].snippet_html)
    assert "<mark>sốt</mark> <mark>xuất</mark> <mark>huyết</mark>" in snippet
    assert "&lt;b&gt;năm 2026&lt;/b&gt;" in snippet and "<b>" not in snippet
    assert snippet.startswith("… ") and len(snippet) < 600


def test_better_matches_rank_first_then_the_newest(clerk):
    best = incoming(clerk, "Hội nghị hội nghị: tổng kết hội nghị toàn quốc")
    weak = incoming(clerk, "Giấy mời dự hội nghị", text="Về việc triển khai thực hiện kế hoạch năm của các đơn vị trực thuộc " * 10)
    assert found(clerk, "hoi nghi") == [best.pk, weak.pk]
    assert found(clerk, "") == [weak.pk, best.pk]  # no words: newest first
    scores = [h.score for h in search(clerk, "hoi nghi", filters=SearchFilters()).hits]
    assert scores[0] != scores[1]


def test_equal_matches_come_newest_first(clerk):
    older = incoming(clerk, "Thông báo lịch công tác tuần")
    newer = incoming(clerk, "Thông báo lịch công tác tuần")
    assert found(clerk, "lich cong tac") == [newer.pk, older.pk]


# ---- filters ---------------------------------------------------------------------------------------


@pytest.fixture
def varied(clerk, agency_b):
    today = timezone.localdate()
    now = timezone.now()
    special = services.create_register(clerk, clerk.agency, direction="in", year=timezone.localtime(now).year, name="Sổ đơn thư", code="DT")
    docs = {
        "plain": incoming(clerk, "Kiểm tra công vụ đợt 1", issued_date=today - dt.timedelta(days=1)),
        "older": incoming(clerk, "Kiểm tra công vụ đợt 2", doc_type="QĐ", arrival_date=now - dt.timedelta(days=3),
                          issued_date=today - dt.timedelta(days=6)),
        "agency": incoming(clerk, "Kiểm tra công vụ đợt 3", issuing_agency=agency_b),
        "urgent": incoming(clerk, "Kiểm tra công vụ đợt 4", urgency=2, register=special),
        "draft": services.create_outgoing_draft(clerk, doc_type="KH", subject="Kế hoạch kiểm tra công vụ đợt 5"),
    }
    return {key: doc.pk for key, doc in docs.items()}


FILTER_CASES = [
    ("direction", lambda d, v: {"direction": "out"}, ["draft"]),
    ("direction in", lambda d, v: {"direction": "in"}, ["plain", "older", "agency", "urgent"]),
    ("status", lambda d, v: {"status": "draft"}, ["draft"]),
    ("doc_type", lambda d, v: {"doc_type": "QĐ"}, ["older"]),
    ("issuing agency", lambda d, v: {"issuing_agency_id": v["agency_b"].pk}, ["agency"]),
    ("urgency", lambda d, v: {"urgency": 2}, ["urgent"]),
    ("register", lambda d, v: {"register_id": v["special"]}, ["urgent"]),
    ("issued from", lambda d, v: {"issued_from": v["today"] - dt.timedelta(days=3)}, ["plain"]),
    ("issued to", lambda d, v: {"issued_to": v["today"] - dt.timedelta(days=3)}, ["older"]),
    ("received from", lambda d, v: {"received_from": v["today"] - dt.timedelta(days=1)}, ["plain", "agency", "urgent", "draft"]),
    ("received to", lambda d, v: {"received_to": v["today"] - dt.timedelta(days=1)}, ["older"]),
    ("received, outgoing", lambda d, v: {"received_from": v["today"], "received_to": v["today"], "direction": "out"}, ["draft"]),
    ("combined", lambda d, v: {"direction": "in", "urgency": 0, "doc_type": "CV", "received_from": v["today"]}, ["plain", "agency"]),
]


@pytest.mark.parametrize("query", ["kiem tra cong vu", ""], ids=["words", "no words"])
@pytest.mark.parametrize(("name", "make", "expected"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
def test_filters(clerk, agency_b, varied, query, name, make, expected):
    from vanphong.documents.models import Document

    values = {"agency_b": agency_b, "today": timezone.localdate(),
              "special": Document.objects.get(pk=varied["urgent"]).register_id}
    page = search(clerk, query, filters=SearchFilters(**make(varied, values)))
    assert sorted(h.document.pk for h in page.hits) == sorted(varied[k] for k in expected)
    assert page.total == len(expected)
    everything = search(clerk, query, filters=SearchFilters())
    assert everything.total == len(varied)


# ---- who sees what ------------------------------------------------------------------------------


def test_search_never_shows_or_counts_what_the_reader_may_not_see(agency_a, clerk, reader):
    agency_c = make_agency("000.00.00.H01", "Ủy ban nhân dân tỉnh Cao Bằng", "UBND Cao Bằng")
    clerk_c = make_person(agency_c, "vanthu.c", "Lê Văn Khác", roles=["clerk"], clearance=3)
    public = incoming(clerk, "Kiểm tra hồ sơ công khai")
    shared = incoming(clerk, "Kiểm tra hồ sơ mật có tên", confidentiality=1, distribution=[reader])
    incoming(clerk, "Kiểm tra hồ sơ mật không tên", confidentiality=1)
    above = incoming(clerk, "Kiểm tra hồ sơ tối mật", confidentiality=2)
    Distribution.objects.create(document=above, person=reader)  # on the list, but above the reader's clearance
    incoming(clerk_c, "Kiểm tra hồ sơ của tỉnh khác")

    for query in ("kiem tra ho so", "ho so", ""):
        page = search(reader, query, filters=SearchFilters())
        assert sorted(h.document.pk for h in page.hits) == sorted([public.pk, shared.pk]), query
        assert page.total == 2
    assert search(clerk, "kiem tra ho so", filters=SearchFilters()).total == 4
    assert found(clerk_c, "kiem tra ho so") != []
    assert public.pk not in found(clerk_c, "kiem tra ho so")


def test_inactive_and_anonymous_readers_find_nothing(clerk):
    incoming(clerk, "Kiểm tra hồ sơ")
    assert search(AnonymousUser(), "kiem tra", filters=SearchFilters()).hits == []
    clerk.is_active = False
    assert search(clerk, "kiem tra", filters=SearchFilters()).total == 0
    assert search(clerk, "", filters=SearchFilters()).total == 0


# ---- hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    '"', '""', '"cong tac', "cong\"tac", "*", "cong*", "* cong", "NEAR(", "NEAR(cong tac, 2)", "-", "-cong", "cong -tac",
    "OR", "cong OR", "AND", "NOT cong", ":", "search_text:cong", "{search_text}: cong", "'", "cong' tac", "''",
    "(", ")", "((cong", "cong))", "^cong", "cong + tac", "\\", "cong\x00tac", "\x00", "%", "_", "a" * 10_000,
    "cộng tác " * 2_000, "\u0301\u0301", "👍 cong", "cong & tac | !x <-> y:*", "'cong':* & 'tac'",
])
def test_hostile_queries_never_fail(clerk, query):
    incoming(clerk, "Quyết định về công tác cán bộ")
    page = search(clerk, query, filters=SearchFilters())
    assert page.total == len(page.hits) and page.total in (0, 1)


@pytest.mark.parametrize(("query", "finds"), [
    ('cong "tac', True), ("cong:tac", True), ("cong' tac", True), ("(cong tac)", True), ("cong\x00tac", True), ("cong -tac", True),
    ("cong OR khongco", False), ("NEAR(cong tac)", False), ("search_text: cong", False), ("cong NOT tac", False),
])
def test_operators_in_the_query_are_words_not_operators(clerk, query, finds):
    wanted = incoming(clerk, "Quyết định về công tác cán bộ")
    assert found(clerk, query) == ([wanted.pk] if finds else [])


def test_parse_query_quotes_every_word():
    terms = parse_query('Cộng" OR tác* NEAR(xy')
    assert terms.words == ("cong", "or", "tac", "near", "xy") and terms.prefix
    assert engine.fts5_query(terms) == '"cong" AND "or" AND "tac" AND "near" AND "xy"*'
    assert engine.tsquery(terms) == "'cong' & 'or' & 'tac' & 'near' & 'xy':*"
    assert engine.tsquery(parse_query("đảng ủy")) == "'dang' & 'uy':*"
    assert engine.fts5_query(parse_query("cong ta")) == '"cong" AND "ta"*'
    assert not parse_query(" ¿*-: ")
    assert parse_query("ký s") == engine.Terms(("ky",), prefix=True)  # still typing the next word
    assert parse_query("số 5") == engine.Terms(("so", "5"), prefix=False)
    assert parse_query("s") == engine.Terms(("s",), prefix=False)


def test_a_one_letter_last_word_waits_for_the_next_letter(clerk):
    wanted = incoming(clerk, "Triển khai ký số văn bản")
    assert found(clerk, "ky so van b") == [wanted.pk]
    assert found(clerk, "ky so van bx") == []


# ---- highlighting -----------------------------------------------------------------------------------


def test_highlight_marks_the_original_words(clerk):
    incoming(clerk, "Quyết định về công tác cán bộ")
    hit = search(clerk, "cong tac ca", filters=SearchFilters()).hits[0]
    assert str(hit.subject_html) == "Quyết định về <mark>công</mark> <mark>tác</mark> <mark>cán</mark> bộ"


def test_subjects_are_escaped(clerk):
    incoming(clerk, "Cảnh báo <script>alert(1)</script> & thủ đoạn lừa đảo")
    html = str(search(clerk, "canh bao script", filters=SearchFilters()).hits[0].subject_html)
    assert html == "<mark>Cảnh</mark> <mark>báo</mark> &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; &amp; thủ đoạn lừa đảo"
    listed = str(search(clerk, "", filters=SearchFilters()).hits[0].subject_html)
    assert "<script>" not in listed and "&lt;script&gt;" in listed


# ---- paging and counting ----------------------------------------------------------------------------


def test_pages_do_not_overlap_and_counts_stop_at_the_limit(clerk, monkeypatch):
    docs = [incoming(clerk, f"Thông báo số {i} về lịch họp") for i in range(5)]
    for query in ("lich hop", ""):
        first = search(clerk, query, filters=SearchFilters(), limit=2)
        second = search(clerk, query, filters=SearchFilters(), offset=2, limit=2)
        third = search(clerk, query, filters=SearchFilters(), offset=4, limit=2)
        pks = [h.document.pk for p in (first, second, third) for h in p.hits]
        assert sorted(pks) == sorted(d.pk for d in docs)
        assert first.total == 5 and not first.total_capped and first.has_more and not third.has_more
    monkeypatch.setattr(engine, "COUNT_LIMIT", 3)
    for query in ("lich hop", ""):
        page = search(clerk, query, filters=SearchFilters(), offset=50, limit=2)
        assert (page.total, page.total_exact, page.total_capped, page.offset, page.pageable) == (3, False, True, 1, 3)
        assert len(page.hits) == 2 and not page.has_more


def test_a_broad_query_ranks_the_newest_matches_only(clerk, monkeypatch):
    best_but_old = incoming(clerk, "Hội nghị hội nghị hội nghị")
    newer = [incoming(clerk, f"Giấy mời dự hội nghị số {i}", text="Về việc triển khai kế hoạch công tác năm " * 5) for i in range(3)]
    assert found(clerk, "hoi nghi")[0] == best_but_old.pk
    monkeypatch.setattr(engine, "COUNT_LIMIT", 2)
    monkeypatch.setattr(engine, "RANK_WINDOW", 3)
    page = search(clerk, "hoi nghi", filters=SearchFilters(), limit=1)
    assert [h.document.pk for h in page.hits] == [newer[2].pk]  # the newest three are ranked: ties, newest first
    assert (page.total, page.total_exact) == (2, False)
    assert [h.document.pk for h in search(clerk, "hoi nghi", filters=SearchFilters(), offset=1, limit=1).hits] == [newer[1].pk]


def test_a_page_past_the_end_still_knows_the_total(clerk):
    for i in range(3):
        incoming(clerk, f"Thông báo số {i} về lịch họp")
    for query in ("lich hop", ""):
        page = search(clerk, query, filters=SearchFilters(), offset=40, limit=20)
        assert (page.hits, page.total, page.total_exact) == ([], 3, True)


# ---- the index itself ---------------------------------------------------------------------------------


def test_the_index_follows_updates_and_deletes(clerk):
    document = incoming(clerk, "Công văn về phòng cháy")
    document.subject = "Công văn về chữa cháy"
    document.save()
    services._refresh_search_text(document)
    assert found(clerk, "phong chay") == []
    assert found(clerk, "chua chay") == [document.pk]
    document.delete()
    assert found(clerk, "chua chay") == []


def test_the_engine_query_takes_a_queryset_without_conditions(clerk):
    from vanphong.documents.models import Document

    wanted = incoming(clerk, "Quyết định về công tác cán bộ")
    run = engine._search_sqlite if connection.vendor == "sqlite" else engine._search_postgresql
    page = run(Document.objects.all(), parse_query("cong tac"), 0, 20)
    assert [h.document.pk for h in page.hits] == [wanted.pk]


def test_a_detached_index_is_repaired(clerk):
    migration = __import__("importlib").import_module("vanphong.documents.migrations.0002_search")
    assert engine.ensure_search_index() is False
    migration.uninstall(connection)
    if connection.vendor == "sqlite":
        # What a table rebuild on SQLite leaves: the FTS table, without its triggers.
        migration.install(connection)
        with connection.cursor() as cursor:
            for name in migration.SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
    document = incoming(clerk, "Tờ trình về biên chế")
    connection.check_constraints()  # PostgreSQL alters no table with deferred foreign-key checks pending
    assert engine.ensure_search_index() is True
    assert found(clerk, "to trinh bien che") == [document.pk]


# ---- the page -----------------------------------------------------------------------------------------


def _get(user, params, settings):
    settings.ROOT_URLCONF = "tests.documents.search_urls"
    request = RequestFactory().get("/documents/search/", params)
    request.user = user
    request.session = SessionStore()
    return search_views.search(request)


def test_the_page_shows_highlighted_results(clerk, reader, settings, agency_b):
    clerk_b = make_person(agency_b, "vanthu.b", "Phạm Thị Bên Kia", roles=["clerk"])
    wanted = incoming(clerk, "Quyết định về công tác <cán bộ>", urgency=3, text="Điều 1. Điều động công tác đồng chí A")
    incoming(clerk_b, "Quyết định về công tác cán bộ của tỉnh khác")
    response = _get(reader, {"q": "cong tac", "direction": "in", "received_from": timezone.localdate().strftime("%d/%m/%Y")}, settings)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/documents/{wanted.pk}/"' in html
    assert "Quyết định về <mark>công</mark> <mark>tác</mark> &lt;cán bộ&gt;" in html
    assert "<mark>công</mark> <mark>tác</mark> đồng chí A" in html
    assert "tỉnh khác" not in html
    assert 'class="badge bad"' in html
    assert 'style="' not in html and "<script>" not in html.split("</head>")[1]


def test_the_page_reports_bad_filters_and_hostile_queries(reader, settings):
    response = _get(reader, {"q": "x", "issued_from": "02/01/2026", "issued_to": "01/01/2026"}, settings)
    assert response.status_code == 200
    assert "errorbox" in response.content.decode()
    for query in ['"NEAR(', "a\x00b", "-" * 5000, "x" * 10_000]:
        assert _get(reader, {"q": query, "page": "9999"}, settings).status_code == 200
    assert _get(reader, {"page": "abc", "urgency": "9"}, settings).status_code == 200


def test_the_page_needs_a_signed_in_person(settings):
    response = _get(AnonymousUser(), {"q": "x"}, settings)
    assert response.status_code == 302


@pytest.mark.django_db
def test_index_is_repaired_after_migrations(clerk_doc):
    from django.db import connection

    from vanphong.documents.apps import _repair_search_index

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER documents_document_fts_ai")  # as a table rebuild would
    _repair_search_index(sender=None)
    services.register_incoming(clerk_doc, doc_type="CV", subject="Sửa chữa trụ sở làm việc", issuing_agency_name="Sở Xây dựng")
    assert [hit.document.subject for hit in engine.search(clerk_doc, "sua chua tru so").hits] == ["Sửa chữa trụ sở làm việc"]
