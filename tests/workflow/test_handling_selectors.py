"""The personal lists and counts: what reaches a person directly and through their unit, never another
agency's or a document they may not read; overdue on the agency's working days."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_person
from tests.workflow.conftest import saturday
from vanphong.core.paging import CappedPaginator
from vanphong.documents.models import Distribution
from vanphong.workflow import handling
from vanphong.workflow import handling_selectors as selectors
from vanphong.workflow.models import CalendarChange, Task

pytestmark = pytest.mark.django_db


def ids(qs):
    return {t.pk for t in qs}


def later(days):
    return timezone.localdate() + dt.timedelta(days=days)


def test_a_units_task_reaches_its_members_not_its_subunits_nor_other_agencies(org, agency_b):
    document = org.register()
    assignment = handling.assign(org.leader, document, lead=org.office, coordinators=[org.board_specialist], informed=[org.room],
                                 deadline=later(5))
    lead, coordinate, inform = (assignment.tasks.get(role=r) for r in ("lead", "coordinate", "inform"))
    assert ids(selectors.work_list(org.head, "todo")) == {lead.pk}
    assert ids(selectors.work_list(org.clerk, "todo")) == {lead.pk}  # the clerk is in the Office too
    assert ids(selectors.work_list(org.specialist, "todo")) == set()  # the room is below the Office
    assert ids(selectors.work_list(org.specialist, "information")) == {inform.pk}
    assert ids(selectors.work_list(org.board_specialist, "todo")) == {coordinate.pk}
    assert ids(selectors.work_list(org.leader, "todo")) == set()
    # Another agency's person with the same unit id pattern sees nothing.
    stranger = make_person(agency_b, "nguoi.b", "Người B", clearance=3)
    for name in selectors.LISTS:
        assert not selectors.work_list(stranger, name).exists()
    counts = selectors.work_counts(org.head)
    assert (counts.todo, counts.overdue, counts.information) == (1, 0, 0)
    assert selectors.work_counts(org.specialist).information == 1


def test_done_lists_what_was_passed_down_completed_and_read(org):
    document = org.register()
    assignment = handling.assign(org.leader, document, lead=org.head, informed=[org.board_specialist])
    lead = assignment.tasks.get(role="lead")
    child = handling.pass_down(org.head, lead, to=org.specialist)
    assert ids(selectors.work_list(org.head, "done")) == {lead.pk} and ids(selectors.work_list(org.specialist, "todo")) == {child.pk}
    handling.complete(org.specialist, child, result="Xong.")
    handling.acknowledge(org.board_specialist, assignment.tasks.get(role="inform"))
    assert ids(selectors.work_list(org.specialist, "done")) == {child.pk} and not selectors.work_list(org.specialist, "todo").exists()
    assert ids(selectors.work_list(org.board_specialist, "done")) == {assignment.tasks.get(role="inform").pk}


def test_a_confidential_documents_task_is_listed_only_while_its_holder_may_read_it(org):
    secret = org.register(subject="Tài liệu mật", confidentiality=1, distribution=[org.leader])
    handling.assign(org.leader, secret, lead=org.head)
    assert selectors.work_counts(org.head).todo == 1 and selectors.work_list(org.head, "todo").count() == 1
    Distribution.objects.filter(document=secret, person=org.head).delete()  # taken off the distribution
    assert selectors.work_counts(org.head).todo == 0 and not selectors.work_list(org.head, "todo").exists()


def test_overdue_counts_working_days_of_the_agencys_calendar(org):
    sat = saturday()
    friday, monday = sat - dt.timedelta(days=1), sat + dt.timedelta(days=2)
    document = org.register()
    assignment = handling.assign(org.leader, document, lead=org.head, deadline=friday)
    task = assignment.tasks.get()

    def overdue(day):
        return ids(selectors.work_list(org.head, "overdue", today=day)), selectors.work_counts(org.head, today=day).overdue

    assert overdue(friday) == (set(), 0)
    assert overdue(sat) == (set(), 0) and overdue(sat + dt.timedelta(days=1)) == (set(), 0)  # nobody works at the weekend
    assert overdue(monday) == ({task.pk}, 1)
    assert selectors.working_days_late(org.agency.pk, friday, monday) == 1
    # The agency closes on that Monday: still not overdue; Tuesday is the first working day late.
    CalendarChange.objects.create(agency=org.agency, day=monday, kind="off", name="Bão")
    from vanphong.workflow import calendar

    calendar.forget(org.agency)
    assert overdue(monday) == (set(), 0)
    assert overdue(monday + dt.timedelta(days=1)) == ({task.pk}, 1)


def test_the_lists_are_ordered_and_paged(org):
    for n in range(7):
        handling.assign(org.leader, org.register(subject=f"Văn bản {n}"), lead=org.head, deadline=later(20 - n))
    todo = selectors.work_list(org.head, "todo")
    deadlines = [t.deadline for t in todo]
    assert deadlines == sorted(deadlines)
    page = CappedPaginator(todo, 5, count_limit=6).get_page(2)
    assert page.paginator.count_capped and len(page.object_list) == 2 and not page.has_next()
    assert Task.objects.count() == 7
