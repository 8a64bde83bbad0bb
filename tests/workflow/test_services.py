"""Changing an agency's calendar and default deadlines: who may, what is refused, what is recorded,
and how deadlines follow."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_person
from tests.workflow.conftest import plain_working_day, saturday
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.documents.types import Urgency
from vanphong.workflow import calendar, deadlines, services
from vanphong.workflow.models import CalendarChange, DeadlineRule, WorkflowSettingsVersion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_an_added_day_off_moves_a_deadline(agency_a, admin_a):
    start = plain_working_day()
    before = calendar.add_working_days(agency_a, start, 3)
    off = calendar.next_working_day(agency_a, start)
    change = services.add_calendar_day(admin_a, agency_a, day=off, kind="off", name="Nghỉ bù Tết (Thông báo 12/TB-BNV)")
    assert not calendar.is_working_day(agency_a, off)
    assert calendar.add_working_days(agency_a, start, 3) == calendar.add_working_days(agency_a, before, 1)
    assert calendar.working_days_between(agency_a, start, before) == 2
    rec = AuditRecord.objects.get(action="workflow.calendar.day_added")
    assert (rec.actor, rec.agency, rec.target_id) == (admin_a, agency_a, str(change.pk))
    assert rec.data == {"day": off.isoformat(), "kind": "off", "name": "Nghỉ bù Tết (Thông báo 12/TB-BNV)"}
    assert WorkflowSettingsVersion.objects.get(agency=agency_a).version == 1

    services.remove_calendar_day(admin_a, change)
    assert calendar.add_working_days(agency_a, start, 3) == before
    assert AuditRecord.objects.get(action="workflow.calendar.day_removed").data["day"] == off.isoformat()


def test_a_working_saturday_brings_a_deadline_forward(agency_a, admin_a):
    sat = saturday()
    friday = sat - dt.timedelta(days=1)
    assert calendar.next_working_day(agency_a, friday) == sat + dt.timedelta(days=2)
    services.add_calendar_day(admin_a, agency_a, day=sat, kind="work", name="Làm bù cho ngày nghỉ 2/1")
    assert calendar.is_working_day(agency_a, sat)
    assert calendar.next_working_day(agency_a, friday) == sat
    assert calendar.add_working_days(agency_a, friday, 2) == sat + dt.timedelta(days=2)


def test_changes_of_one_agency_leave_the_others_alone(agency_a, agency_b, admin_a):
    day = plain_working_day()
    services.add_calendar_day(admin_a, agency_a, day=day, kind="off", name="Bão")
    assert not calendar.is_working_day(agency_a, day)
    assert calendar.is_working_day(agency_b, day)


@pytest.mark.parametrize("who", ["clerk", "other_admin", "operator_of_b"])
def test_only_the_agencys_administrators_change_its_calendar(who, agency_a, agency_b, clerk_a, admin_b):
    actor = {"clerk": clerk_a, "other_admin": admin_b,
             "operator_of_b": make_person(agency_b, "vh.b", "Vận Hành B", roles=["admin"], is_superuser=True)}[who]
    change = CalendarChange.objects.create(agency=agency_a, day=plain_working_day(30), kind="off", name="A's")
    rule = DeadlineRule.objects.create(agency=agency_a, urgency=Urgency.URGENT, working_days=4)
    with pytest.raises(PermissionDenied):
        services.add_calendar_day(actor, agency_a, day=plain_working_day(), kind="off", name="x")
    with pytest.raises(PermissionDenied):
        services.remove_calendar_day(actor, change)
    with pytest.raises(PermissionDenied):
        services.set_deadline_rule(actor, agency_a, urgency=Urgency.URGENT, working_days=9)
    with pytest.raises(PermissionDenied):
        services.remove_deadline_rule(actor, rule)
    assert list(CalendarChange.objects.values_list("name", flat=True)) == ["A's"]
    assert list(DeadlineRule.objects.values_list("working_days", flat=True)) == [4]
    assert not AuditRecord.objects.exists()
    assert not WorkflowSettingsVersion.objects.exists()


def test_a_past_day_cannot_be_changed(agency_a, admin_a, monkeypatch):
    today = plain_working_day()
    monkeypatch.setattr(services.timezone, "localdate", lambda: today)
    yesterday = today - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.add_calendar_day(admin_a, agency_a, day=yesterday, kind="work", name="Quá muộn")
    assert exc.value.message_dict["day"] == [
        f"{yesterday:%d/%m/%Y} is in the past. Days before today cannot be changed, because deadlines already counted over them would move."]
    old = CalendarChange.objects.create(agency=agency_a, day=yesterday, kind="off", name="Đã qua")
    with pytest.raises(ValidationError):
        services.remove_calendar_day(admin_a, old)
    assert CalendarChange.objects.get() == old
    assert not AuditRecord.objects.exists()
    # Today itself may still change: a closure announced the same morning.
    services.add_calendar_day(admin_a, agency_a, day=today, kind="off", name="Bão số 3")
    assert not calendar.is_working_day(agency_a, today)


def test_refusals_say_why_and_write_nothing(agency_a, admin_a):
    sat = saturday()
    tet = calendar.lunar_new_year(timezone.localdate().year + 1)

    def refused(**kwargs):
        with pytest.raises(ValidationError) as exc:
            services.add_calendar_day(admin_a, agency_a, **kwargs)
        return " ".join(exc.value.messages)

    assert refused(day=sat, kind="off", name="x") == f"{sat:%d/%m/%Y} is already a day off."
    assert refused(day=tet, kind="work", name="x") == (
        f"{tet:%d/%m/%Y} is a public holiday (Lunar New Year's Day) under the Labour Code: it cannot be made a working day.")
    assert refused(day=plain_working_day(), kind="work", name="x") == f"{plain_working_day():%d/%m/%Y} is already a working day."
    assert refused(day=plain_working_day(), kind="off", name="   ") == "Give the reason for the change, as it will be shown in the calendar."
    assert refused(day=dt.date(2101, 1, 3), kind="off", name="x") == "Working days can only be computed for the years 2021 to 2100, not 2101."
    assert refused(day=plain_working_day(), kind="holiday", name="x") == "Choose a day off or a working day."
    assert not CalendarChange.objects.exists() and not AuditRecord.objects.exists()
    services.add_calendar_day(admin_a, agency_a, day=plain_working_day(), kind="off", name="Một")
    assert "has already been changed (Một)" in refused(day=plain_working_day(), kind="off", name="Hai")


def test_a_day_in_lieu_can_be_made_a_working_day(agency_a, admin_a):
    """The Government sometimes places a day in lieu elsewhere: the administrator moves it."""
    year = timezone.localdate().year + 1
    in_lieu = next((h.day for y in range(year, year + 5) for h in calendar.statutory_holidays(y) if h.kind == "compensatory"))
    services.add_calendar_day(admin_a, agency_a, day=in_lieu, kind="work", name="Nghỉ bù chuyển sang ngày khác")
    assert calendar.is_working_day(agency_a, in_lieu)


def test_other_processes_see_a_change_within_the_recheck_time(agency_a, admin_a, settings):
    """A change made elsewhere bumps the version row; this process reloads once its copy is older
    than VANPHONG_WORKFLOW_CACHE_SECONDS."""
    day = plain_working_day()
    assert calendar.is_working_day(agency_a, day)  # cached now
    CalendarChange.objects.create(agency=agency_a, day=day, kind="off", name="Elsewhere")  # another process's change
    WorkflowSettingsVersion.objects.create(agency=agency_a, version=7)
    assert calendar.is_working_day(agency_a, day)  # still the cached copy
    settings.VANPHONG_WORKFLOW_CACHE_SECONDS = 0
    assert not calendar.is_working_day(agency_a, day)
    assert calendar.agency_calendar(agency_a).version == 7


# ---- default deadlines ----------------------------------------------------------------------------


def test_built_in_deadlines_by_urgency(agency_a):
    start = plain_working_day()
    for urgency, days in [(Urgency.FLASH, 1), (Urgency.VERY_URGENT, 2), (Urgency.URGENT, 3), (Urgency.NORMAL, 10), (None, 10)]:
        assert deadlines.default_deadline(agency_a, "CV", urgency, start) == calendar.add_working_days(agency_a, start, days)
        assert deadlines.default_deadline_days(agency_a, "", urgency) == days


def test_the_most_specific_rule_applies_and_urgency_caps_it(agency_a, admin_a):
    def days(doc_type, urgency):
        return deadlines.default_deadline_days(agency_a, doc_type, urgency)

    services.set_deadline_rule(admin_a, agency_a, working_days=7)  # any type, any urgency
    assert (days("CV", Urgency.NORMAL), days("CV", Urgency.FLASH)) == (7, 1)
    services.set_deadline_rule(admin_a, agency_a, doc_type="BC", working_days=15)  # reports, any urgency
    assert (days("BC", Urgency.NORMAL), days("BC", Urgency.URGENT), days("CV", Urgency.NORMAL)) == (15, 3, 7)
    services.set_deadline_rule(admin_a, agency_a, urgency=Urgency.URGENT, working_days=5)
    assert (days("BC", Urgency.URGENT), days("CV", Urgency.URGENT)) == (5, 5)
    services.set_deadline_rule(admin_a, agency_a, doc_type="BC", urgency=Urgency.URGENT, working_days=8)  # as configured
    assert days("BC", Urgency.URGENT) == 8
    rule = services.set_deadline_rule(admin_a, agency_a, doc_type="BC", urgency=Urgency.URGENT, working_days=6)  # replaces
    assert days("BC", Urgency.URGENT) == 6 and DeadlineRule.objects.filter(doc_type="BC", urgency=Urgency.URGENT).count() == 1
    assert AuditRecord.objects.filter(action="workflow.deadline_rule.set").order_by("seq").last().data == {
        "doc_type": "BC", "urgency": 1, "working_days": [8, 6]}
    services.remove_deadline_rule(admin_a, rule)
    assert days("BC", Urgency.URGENT) == 5
    assert AuditRecord.objects.filter(action="workflow.deadline_rule.removed").count() == 1


def test_bad_rules_are_refused(agency_a, admin_a):
    for kwargs in [{"working_days": 0}, {"working_days": 251}, {"doc_type": "XX", "working_days": 3}, {"urgency": 9, "working_days": 3}]:
        with pytest.raises(ValidationError):
            services.set_deadline_rule(admin_a, agency_a, **kwargs)
    assert not DeadlineRule.objects.exists() and not AuditRecord.objects.exists()


def test_ten_thousand_deadlines_take_a_bounded_number_of_queries(agency_a, admin_a, django_assert_max_num_queries):
    services.add_calendar_day(admin_a, agency_a, day=plain_working_day(), kind="off", name="Nghỉ")
    services.set_deadline_rule(admin_a, agency_a, doc_type="BC", working_days=15)
    calendar.clear_cache()
    today = timezone.localdate()
    urgencies = list(Urgency)
    with django_assert_max_num_queries(3):  # the version, the agency's changes, its rules: once
        results = [deadlines.default_deadline(agency_a, ("BC", "CV", "QĐ")[i % 3], urgencies[i % 4], today + dt.timedelta(days=i % 400))
                   for i in range(10_000)]
    assert all(calendar.is_working_day(agency_a, d) for d in results[:500])
