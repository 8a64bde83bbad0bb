"""CappedPaginator: long lists count at most a limit of rows and still page on past it."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from vanphong.core.paging import CappedPaginator
from vanphong.documents.models import Register

pytestmark = pytest.mark.django_db


@pytest.fixture
def registers(agency_a):
    Register.objects.bulk_create([Register(agency=agency_a, direction="in", year=2000 + i, name=f"Sổ {i}", code=f"R{i}") for i in range(60)])
    return Register.objects.order_by("year")


def test_a_short_list_is_counted_exactly(registers):
    paginator = CappedPaginator(registers.filter(year__lt=2020), 10, count_limit=25, max_pages=5)
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (20, False, 2)
    first, last = paginator.page(1), paginator.page(2)
    assert first.has_next() and not last.has_next() and [r.year for r in last] == list(range(2010, 2020))
    assert paginator.get_page(9).number == 2  # past the end: the last page


def test_a_long_list_counts_to_its_limit_and_pages_on(registers):
    paginator = CappedPaginator(registers, 10, count_limit=25, max_pages=5)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 26 and paginator.count_capped and paginator.counted_pages == 3
    assert len(queries) == 1 and "LIMIT 26" in queries[0]["sql"].upper()  # the database stops after 26 rows
    assert paginator.num_pages == 5
    fourth = paginator.page(4)  # past the counted rows, still reached
    assert [r.year for r in fourth] == list(range(2030, 2040)) and fourth.has_next() and fourth.has_previous()
    assert not paginator.page(5).has_next()  # max_pages: further rows are for the filters and the search
    assert paginator.get_page(99).number == 3 and paginator.get_page("x").number == 1


def test_past_the_end_of_a_capped_list_gives_the_last_counted_page(registers):
    paginator = CappedPaginator(registers.filter(year__lt=2030), 10, count_limit=25, max_pages=5)
    assert paginator.count_capped and paginator.get_page(4).number == 3  # page 4 would be empty


@pytest.mark.parametrize(("language", "capped", "text"), [("vi", True, "Trang 2/hơn 3"), ("en", True, "Page 2 of more than 3"),
                                                           ("vi", False, "Trang 2/2")])
def test_the_pager_says_when_the_count_is_capped(registers, language, capped, text):
    paginator = CappedPaginator(registers if capped else registers.filter(year__lt=2020), 10, count_limit=25, max_pages=5)
    with translation.override(language):
        html = render_to_string("includes/pager.html", {"page": paginator.page(2), "request": RequestFactory().get("/?page=2&q=x")})
    assert text in " ".join(html.split())
    assert ("q=x&amp;page=3" in html) is capped  # the next page is offered only when there is one
