"""Working days: the statutory holidays of Vietnam, an agency's own changes, and arithmetic on them.

Statutory holidays (Labour Code 2019, Art. 112, in force from 1 January 2021):

- 1 January (Tết Dương lịch);
- Tết Nguyên Đán, 5 days: the last day of the lunar year and the first four days of the new one;
- Hùng Kings' Commemoration Day, the 10th day of the 3rd lunar month;
- 30 April and 1 May;
- 2 September and one day next to it, before or after, as the Government decides.

The lunar dates come from the `holidays` package's Vietnamese lunisolar calendar (UTC+7), which
covers 1901 to 2100. This module covers 2021 (the Labour Code 2019) to 2100 and raises
CalendarRangeError outside: earlier years had other rules (a single National Day until 2020).

Compensatory days (nghỉ bù, Art. 111(3)): a holiday that falls on a Saturday or a Sunday gives a
day off on the next working day. For Tết, the Government's announcements since 2014 put a
Saturday's compensatory day on the working day before Tết instead (as in 2025, when Monday
27 January was given for Saturday 1 February); a Sunday's goes to the working day after. The
day next to 2 September is chosen as the Government has chosen it since 2021: the one that
joins the holiday to a weekend (Monday 2 → Tuesday 3, Tuesday → Monday 1, Wednesday → Tuesday 1,
Thursday → Friday 3, Friday → Thursday 1, Saturday → Friday 1, Sunday → Monday 3). These rules
are the `holidays` package's, and the tests check that both agree for every year.

Not statutory, so added by each agency's administrator as the year's decisions are published:
the extra days the Government grants around Tết or 30 April with a Saturday worked in exchange,
and any closure of the agency's own. Weekends are Saturday and Sunday.

Speed: a year's working days for an agency are computed once per process into a sorted tuple
of day ordinals, so that adding or counting n working days is a binary search. The copy is
dropped at once in the process that changes the calendar, and other processes (web workers on
other machines, background workers) notice the change through WorkflowSettingsVersion, which
they check at most every VANPHONG_WORKFLOW_CACHE_SECONDS seconds (default 10)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from holidays.calendars import _ChineseLunisolar
from holidays.calendars.chinese import VIETNAMESE_CALENDAR

from vanphong.core.errors import ValidationError

FIRST_YEAR = 2021  # Labour Code 2019 (45/2019/QH14) in force
LAST_YEAR = 2100  # the last year of the `holidays` package's Vietnamese lunar calendar
SATURDAY, SUNDAY = 5, 6

_LUNAR = _ChineseLunisolar(VIETNAMESE_CALENDAR)


class CalendarRangeError(ValidationError):
    """A date outside the years whose holidays can be computed."""

    def __init__(self, year: int):
        super().__init__(
            gettext("Working days can only be computed for the years %(first)s to %(last)s, not %(year)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR, "year": year},
            code="calendar_range",
        )
        self.year = year


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarRangeError(year)


# ---- statutory holidays ---------------------------------------------------------------------

NEW_YEAR = _("New Year's Day")
TET_EVE = _("Lunar New Year's Eve")
TET_DAYS = (_("Lunar New Year's Day"), _("2nd day of Lunar New Year"), _("3rd day of Lunar New Year"),
            _("4th day of Lunar New Year"))
HUNG_KINGS = _("Hùng Kings' Commemoration Day")
REUNIFICATION = _("Reunification Day")
LABOUR_DAY = _("International Labour Day")
NATIONAL_DAY = _("National Day")
NATIONAL_DAY_SECOND = _("National Day (second day)")

# Weekday of 2 September -> offset of the second National Day holiday.
NATIONAL_DAY_SECOND_OFFSET = {0: +1, 1: -1, 2: -1, 3: +1, 4: -1, 5: -1, 6: +1}


@dataclass(frozen=True)
class Holiday:
    """A non-working day. `kind`: "holiday" (statutory), "compensatory" (in lieu of the
    statutory holiday `lieu_of` that fell on a weekend), "added" (an agency's day off)."""

    day: dt.date
    label: object  # a lazy translation, or the administrator's text
    kind: str = "holiday"
    lieu_of: object = None

    @property
    def name(self) -> str:
        if self.kind == "compensatory":
            return gettext("Day off in lieu of %(holiday)s") % {"holiday": self.lieu_of}
        return str(self.label)


def lunar_new_year(year: int) -> dt.date:
    """The first day of the lunar year that starts in `year` (Tết Nguyên Đán)."""
    check_year(year)
    return _LUNAR.lunar_new_year_date(year)[0]


def hung_kings_day(year: int) -> dt.date:
    """The 10th day of the 3rd lunar month."""
    check_year(year)
    return _LUNAR.hung_kings_date(year)[0]


@lru_cache(maxsize=None)
def statutory_holidays(year: int) -> tuple[Holiday, ...]:
    """The statutory holidays of `year` and their compensatory days, in date order."""
    check_year(year)
    days: dict[dt.date, Holiday] = {}

    def add(day, label):
        days[day] = Holiday(day, label)

    add(dt.date(year, 1, 1), NEW_YEAR)
    tet = lunar_new_year(year)
    add(tet - dt.timedelta(days=1), TET_EVE)
    for i, label in enumerate(TET_DAYS):
        add(tet + dt.timedelta(days=i), label)
    add(hung_kings_day(year), HUNG_KINGS)
    add(dt.date(year, 4, 30), REUNIFICATION)
    add(dt.date(year, 5, 1), LABOUR_DAY)
    sep2 = dt.date(year, 9, 2)
    add(sep2, NATIONAL_DAY)
    add(sep2 + dt.timedelta(days=NATIONAL_DAY_SECOND_OFFSET[sep2.weekday()]), NATIONAL_DAY_SECOND)

    def free_weekday(day, step):
        day += dt.timedelta(days=step)
        while day.weekday() >= SATURDAY or day in days:
            day += dt.timedelta(days=step)
        return day

    def compensate(day, step):
        lieu = free_weekday(day, step)
        days[lieu] = Holiday(lieu, None, "compensatory", days[day].label)

    for i in range(-1, len(TET_DAYS)):
        day = tet + dt.timedelta(days=i)
        if day.weekday() == SATURDAY:
            compensate(day, -1)
        elif day.weekday() == SUNDAY:
            compensate(day, +1)
    for day in sorted([dt.date(year, 1, 1), hung_kings_day(year), dt.date(year, 4, 30), dt.date(year, 5, 1), sep2]):
        if day.weekday() >= SATURDAY:
            compensate(day, +1)
    return tuple(sorted(days.values(), key=lambda h: h.day))


def is_weekend(day: dt.date) -> bool:
    return day.weekday() >= SATURDAY


# ---- an agency's calendar -------------------------------------------------------------------


@dataclass
class AgencyCalendar:
    """A snapshot of one agency's calendar: the statutory days plus its changes. Its changes
    never change after it is built; the per-year tables fill lazily, and two threads filling the
    same year compute the same table, so it is shared between threads without a lock."""

    agency_id: int
    version: int
    days_off: dict[dt.date, str]  # added days off -> reason
    working_days: dict[dt.date, str]  # added working days (on a weekend or compensatory day) -> reason
    _years: dict[int, tuple[int, ...]] = field(default_factory=dict, repr=False)

    def working_ordinals(self, year: int) -> tuple[int, ...]:
        """The year's working days, as sorted ordinals."""
        table = self._years.get(year)
        if table is None:
            off = {h.day for h in statutory_holidays(year)}
            start, end = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
            table = tuple(o for o in range(start, end + 1) if self._works(dt.date.fromordinal(o), off))
            self._years[year] = table
        return table

    def _works(self, day: dt.date, statutory_off: set) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return not (is_weekend(day) or day in statutory_off)

    def is_working_day(self, day: dt.date) -> bool:
        table = self.working_ordinals(day.year)
        o = day.toordinal()
        i = bisect_right(table, o)
        return i > 0 and table[i - 1] == o

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return start
        year = start.year
        table = self.working_ordinals(year)
        i = bisect_right(table, start.toordinal())
        while n > len(table) - i:
            n -= len(table) - i
            year += 1
            table, i = self.working_ordinals(year), 0
        return dt.date.fromordinal(table[i + n - 1])

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        for year in range(a.year, b.year + 1):
            table = self.working_ordinals(year)
            low = bisect_right(table, a.toordinal()) if year == a.year else 0
            high = bisect_right(table, b.toordinal()) if year == b.year else len(table)
            count += high - low
        return count

    def non_working_days(self, year: int) -> list[Holiday]:
        """The year's non-working days other than ordinary weekends, in date order: statutory
        holidays, compensatory days and added days off (not those made working days)."""
        result = [h for h in statutory_holidays(year) if h.day not in self.working_days]
        result += [Holiday(day, name, "added") for day, name in self.days_off.items() if day.year == year]
        return sorted(result, key=lambda h: h.day)


_cache: dict[int, tuple[float, AgencyCalendar]] = {}
_cache_lock = threading.Lock()


def _recheck_seconds() -> float:
    return float(getattr(settings, "VANPHONG_WORKFLOW_CACHE_SECONDS", 10))


def _agency_id(agency) -> int:
    return agency if isinstance(agency, int) else agency.pk


def agency_calendar(agency) -> AgencyCalendar:
    """The agency's calendar, from this process's cache while it is current."""
    from vanphong.workflow.models import CalendarChange, WorkflowSettingsVersion

    agency_id = _agency_id(agency)
    now = time.monotonic()
    hit = _cache.get(agency_id)
    if hit is not None and now - hit[0] < _recheck_seconds():
        return hit[1]
    version = WorkflowSettingsVersion.objects.filter(agency_id=agency_id).values_list("version", flat=True).first() or 0
    if hit is not None and hit[1].version == version:
        calendar = hit[1]
    else:
        # Read after the version: the rows are at least as new as it, never older.
        days_off, working = {}, {}
        for day, kind, name in CalendarChange.objects.filter(agency_id=agency_id).values_list("day", "kind", "name"):
            (days_off if kind == CalendarChange.Kind.DAY_OFF else working)[day] = name
        calendar = AgencyCalendar(agency_id, version, days_off, working)
    with _cache_lock:
        _cache[agency_id] = (now, calendar)
    return calendar


def forget(agency) -> None:
    """Drop this process's copy of the agency's calendar (after a change)."""
    with _cache_lock:
        _cache.pop(_agency_id(agency), None)
    from vanphong.workflow import deadlines

    deadlines.forget(agency)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
    from vanphong.workflow import deadlines

    deadlines.clear_cache()


# ---- the functions other apps call -----------------------------------------------------------


def is_working_day(agency, day: dt.date) -> bool:
    return agency_calendar(agency).is_working_day(day)


def add_working_days(agency, start: dt.date, n: int) -> dt.date:
    """The day n working days after `start`: counting starts on the first working day after
    `start`, so n=1 is the next working day, whatever `start` is. n=0 gives `start` itself."""
    return agency_calendar(agency).add_working_days(start, n)


def next_working_day(agency, day: dt.date) -> dt.date:
    """The first working day after `day` (strictly after)."""
    return agency_calendar(agency).add_working_days(day, 1)


def working_days_between(agency, a: dt.date, b: dt.date) -> int:
    """The working days after `a` up to and including `b` (negative if b is before a), so
    that working_days_between(agency, a, add_working_days(agency, a, n)) == n."""
    return agency_calendar(agency).working_days_between(a, b)
