"""The statutory calendar and working-day arithmetic, without the database."""

import datetime as dt

import holidays
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from vanphong.workflow import calendar
from vanphong.workflow.calendar import AgencyCalendar, CalendarRangeError, statutory_holidays

pytestmark = pytest.mark.usefixtures("english")

D = dt.date

# Cross-checked with `vnlunar` (the Vietnamese calendar, UTC+7). 2030 and 2037 are years where the
# Chinese calendar (UTC+8) differs by a day: 3 February 2030 and 25 April 2037 there.
TET = {2021: D(2021, 2, 12), 2022: D(2022, 2, 1), 2023: D(2023, 1, 22), 2024: D(2024, 2, 10), 2025: D(2025, 1, 29),
       2026: D(2026, 2, 17), 2027: D(2027, 2, 6), 2028: D(2028, 1, 26), 2030: D(2030, 2, 2), 2060: D(2060, 2, 2),
       2099: D(2099, 1, 21), 2100: D(2100, 2, 9)}
HUNG_KINGS = {2021: D(2021, 4, 21), 2022: D(2022, 4, 10), 2023: D(2023, 4, 29), 2024: D(2024, 4, 18), 2025: D(2025, 4, 7),
              2026: D(2026, 4, 26), 2027: D(2027, 4, 16), 2028: D(2028, 4, 4), 2037: D(2037, 4, 24), 2100: D(2100, 4, 18)}


def days_off(year):
    return {h.day: h for h in statutory_holidays(year)}


@pytest.mark.parametrize("year", sorted(TET))
def test_lunar_new_year(year):
    assert calendar.lunar_new_year(year) == TET[year]
    off = days_off(year)
    for delta in range(-1, 4):  # the last day of the old year and the first four of the new
        assert TET[year] + dt.timedelta(days=delta) in off
    assert off[TET[year]].name == "Lunar New Year's Day"


@pytest.mark.parametrize("year", sorted(HUNG_KINGS))
def test_hung_kings_day(year):
    assert calendar.hung_kings_day(year) == HUNG_KINGS[year]
    assert days_off(year)[HUNG_KINGS[year]].name == "Hùng Kings' Commemoration Day"


def test_the_labour_code_days_of_2026():
    assert {h.day: h.name for h in statutory_holidays(2026)} == {
        D(2026, 1, 1): "New Year's Day",
        D(2026, 2, 16): "Lunar New Year's Eve",
        D(2026, 2, 17): "Lunar New Year's Day",
        D(2026, 2, 18): "2nd day of Lunar New Year",
        D(2026, 2, 19): "3rd day of Lunar New Year",
        D(2026, 2, 20): "4th day of Lunar New Year",
        D(2026, 4, 26): "Hùng Kings' Commemoration Day",  # a Sunday
        D(2026, 4, 27): "Day off in lieu of Hùng Kings' Commemoration Day",
        D(2026, 4, 30): "Reunification Day",
        D(2026, 5, 1): "International Labour Day",
        D(2026, 9, 1): "National Day (second day)",
        D(2026, 9, 2): "National Day",
    }


def test_the_names_are_vietnamese_by_default():
    with translation.override("vi"):
        names = {h.day: str(h.name) for h in statutory_holidays(2026)}
    assert names[D(2026, 2, 17)] == "Mùng 1 Tết Âm lịch" and names[D(2026, 4, 26)] == "Giỗ Tổ Hùng Vương (10/3 Âm lịch)"
    assert names[D(2026, 4, 27)] == "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 Âm lịch)" and names[D(2026, 9, 2)] == "Quốc khánh (2/9)"


def test_tet_on_a_saturday_gives_the_working_day_before_tet():
    # 2025: the 4th day of Tết was Saturday 1 February; the Government gave Monday 27 January.
    off = days_off(2025)
    assert off[D(2025, 1, 27)].kind == "compensatory"
    assert D(2025, 2, 3) not in off
    assert len([h for h in off.values() if h.kind == "holiday" and D(2025, 1, 28) <= h.day <= D(2025, 2, 1)]) == 5


@pytest.mark.parametrize(("year", "second", "in_lieu"), [
    (2021, D(2021, 9, 3), None),  # Thursday 2 → Friday 3
    (2022, D(2022, 9, 1), None),  # Friday 2 → Thursday 1
    (2023, D(2023, 9, 1), D(2023, 9, 4)),  # Saturday 2 → Friday 1, and Monday 4 in lieu of the Saturday
    (2024, D(2024, 9, 3), None),  # Monday 2 → Tuesday 3
    (2025, D(2025, 9, 1), None),  # Tuesday 2 → Monday 1
    (2026, D(2026, 9, 1), None),  # Wednesday 2 → Tuesday 1
    (2029, D(2029, 9, 3), D(2029, 9, 4)),  # Sunday 2 → Monday 3, and Tuesday 4 in lieu of the Sunday
])
def test_national_day_and_the_day_next_to_it(year, second, in_lieu):
    off = days_off(year)
    sept = sorted(d for d in off if d.month == 9)
    assert off[D(year, 9, 2)].name == "National Day"
    assert off[second].name == "National Day (second day)"
    assert sept == sorted({D(year, 9, 2), second} | ({in_lieu} if in_lieu else set()))
    if in_lieu:
        assert off[in_lieu].name == "Day off in lieu of National Day"


def test_holidays_on_a_weekend_stack_their_days_in_lieu():
    # 2022: Saturday 30 April and Sunday 1 May → Monday 2 and Tuesday 3 May.
    off = days_off(2022)
    assert off[D(2022, 5, 2)].name == "Day off in lieu of Reunification Day"
    assert off[D(2022, 5, 3)].name == "Day off in lieu of International Labour Day"


def test_same_days_as_the_holidays_package_for_every_year():
    """Our rules and the `holidays` package agree for 2021-2100, leaving out what we do not take
    from it: the Government's one-off swaps of past years (which it records without the Saturday
    worked in exchange) and 24 November, not (yet) a day of the Labour Code."""
    for year in range(calendar.FIRST_YEAR, calendar.LAST_YEAR + 1):
        theirs = {d for d, name in holidays.country_holidays("VN", years=year, language="en_US").items()
                  if not name.startswith(("Day off (substituted", "Vietnam Cultural Day"))}
        assert set(days_off(year)) == theirs, year


@pytest.mark.parametrize("year", [2020, 2101, 1990])
def test_years_outside_the_calendar_are_refused_clearly(year):
    with pytest.raises(CalendarRangeError) as exc:
        statutory_holidays(year)
    assert exc.value.messages == [f"Working days can only be computed for the years 2021 to 2100, not {year}."]


def test_counting_past_the_last_year_is_refused():
    cal = AgencyCalendar(0, 0, {}, {})
    assert cal.add_working_days(D(2100, 12, 1), 5) < D(2101, 1, 1)
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(D(2100, 12, 1), 40)


def test_counting_from_a_friday_and_from_a_holiday():
    cal = AgencyCalendar(0, 0, {}, {})
    assert cal.add_working_days(D(2027, 1, 8), 1) == D(2027, 1, 11)  # Friday → Monday
    assert cal.add_working_days(D(2027, 1, 8), 0) == D(2027, 1, 8)
    # Tết 2027 runs from Friday 5 to Tuesday 9 February; its Saturday gives Thursday 4 in lieu and
    # its Sunday Wednesday 10. Received on Wednesday 3, day 1 is Thursday 11.
    assert cal.add_working_days(D(2027, 2, 3), 1) == D(2027, 2, 11)
    assert not cal.is_working_day(D(2027, 2, 4)) and not cal.is_working_day(D(2027, 2, 10))
    assert cal.add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 5)  # Thursday 31, (1 January off), Monday 4, Tuesday 5
    assert cal.working_days_between(D(2027, 1, 8), D(2027, 1, 11)) == 1
    assert cal.working_days_between(D(2027, 1, 11), D(2027, 1, 8)) == -1
    assert len(cal.working_ordinals(2026)) == 261 - 11  # 261 weekdays; 11 holidays or days in lieu fall on them
    with pytest.raises(ValueError):
        cal.add_working_days(D(2027, 1, 8), -1)


# ---- properties, with random changes of the agency's own -------------------------------------------

days = st.dates(min_value=D(2021, 1, 1), max_value=D(2098, 12, 31))
changes = st.dictionaries(st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31)), st.sampled_from(["off", "work"]), max_size=30)


def _calendar(changed):
    return AgencyCalendar(0, 0, {d: "x" for d, k in changed.items() if k == "off"}, {d: "x" for d, k in changed.items() if k == "work"})


def _naive_is_working(changed, day):
    if day in changed:
        return changed[day] == "work"
    return day.weekday() < 5 and day not in days_off(day.year)


@settings(max_examples=300, deadline=None)
@given(start=st.dates(min_value=D(2023, 6, 1), max_value=D(2031, 6, 30)), n=st.integers(1, 60), changed=changes)
def test_adding_agrees_with_counting_day_by_day(start, n, changed):
    cal = _calendar(changed)
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        left -= _naive_is_working(changed, day)
    assert cal.add_working_days(start, n) == day
    assert cal.is_working_day(day) and _naive_is_working(changed, day)


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(0, 400), changed=changes)
def test_adding_n_then_counting_back_gives_n(start, n, changed):
    cal = _calendar(changed)
    end = cal.add_working_days(start, n)
    assert cal.working_days_between(start, end) == n
    assert cal.working_days_between(end, start) == -n
    if n:
        assert end > start and cal.is_working_day(end)


@settings(max_examples=300, deadline=None)
@given(start=days, later=st.integers(0, 30), n=st.integers(1, 100), m=st.integers(1, 100), changed=changes)
def test_deadlines_are_monotonic(start, later, n, m, changed):
    cal = _calendar(changed)
    assert (cal.add_working_days(start, n) < cal.add_working_days(start, m)) == (n < m)
    assert cal.add_working_days(start, n) <= cal.add_working_days(start + dt.timedelta(days=later), n)


@settings(max_examples=200, deadline=None)
@given(a=days, b=days, c=days)
def test_counting_is_additive(a, b, c):
    cal = AgencyCalendar(0, 0, {}, {})
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == cal.working_days_between(a, c)
