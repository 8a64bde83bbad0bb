"""Notifications of what people do in the handling of a document: each written with its cause, once, to the
right people, in the reader's language; e-mails only to those who want them."""

import pytest
from django.db import transaction
from django.utils import translation

from tests.workflow.conftest import plain_working_day
from vanphong.notifications import selectors
from vanphong.notifications.models import Notification, OutgoingEmail, Preference
from vanphong.workflow import handling

pytestmark = pytest.mark.django_db


def kinds(person) -> list[str]:
    return list(Notification.objects.filter(recipient=person).order_by("pk").values_list("kind", flat=True))


def test_assignment_notifies_each_holder_and_every_member_of_a_unit(emails):
    org = emails
    document = org.register()
    handling.assign(org.leader, document, lead=org.office, coordinators=[org.board_specialist], informed=[org.specialist],
                    deadline=plain_working_day(10))
    # The Office's members (its head and clerk) hear of the lead; the specialist below it does not (a subunit).
    assert kinds(org.head) == kinds(org.clerk) == ["task_given"]
    assert kinds(org.board_specialist) == ["task_given"] and kinds(org.specialist) == ["task_given"]
    assert kinds(org.leader) == []  # not of their own action
    with translation.override("en"):
        words = selectors.described(Notification.objects.get(recipient=org.head))
    assert words.title == "To lead (chủ trì): Công văn về việc báo cáo tình hình"
    assert "Trần Quốc Khánh" in words.detail and "Văn phòng" in words.detail
    with translation.override("en"):
        assert selectors.described(Notification.objects.get(recipient=org.specialist)).title.startswith("For information: ")
    assert OutgoingEmail.objects.count() == 4


def test_nothing_is_written_when_the_cause_rolls_back(emails):
    org = emails
    document = org.register()
    with pytest.raises(RuntimeError), transaction.atomic():
        handling.assign(org.leader, document, lead=org.head, deadline=plain_working_day(10))
        raise RuntimeError("the request failed after the assignment")
    assert not Notification.objects.exists() and not OutgoingEmail.objects.exists()


def test_passing_down_returning_and_more_time_reach_who_must_act(emails):
    org = emails
    task = handling.assign(org.leader, org.register(), lead=org.head, deadline=plain_working_day(10)).tasks.get()
    child = handling.pass_down(org.head, task, to=org.specialist)
    assert kinds(org.specialist) == ["task_given"]
    handling.return_task(org.specialist, child, reason="Không thuộc chức năng của phòng.")
    returned = Notification.objects.get(recipient=org.head, kind="task_returned")
    assert returned.params["text"] == "Không thuộc chức năng của phòng."
    ask = handling.request_extension(org.head, task, deadline=plain_working_day(20), reason="Chờ số liệu.")
    assert kinds(org.leader) == ["extension_asked"]
    handling.decide_extension(org.leader, ask, grant=True)
    decided = Notification.objects.get(recipient=org.head, kind="extension_decided")
    with translation.override("en"):
        assert selectors.described(decided).title == (
            f"More time granted, until {plain_working_day(20):%d/%m/%Y}: Công văn về việc báo cáo tình hình")


def test_people_who_turned_email_off_or_have_no_address_get_the_notification_only(emails):
    org = emails
    Preference.objects.create(person=org.head, email_enabled=False)
    org.board_specialist.email = ""
    org.board_specialist.save(update_fields=["email"])
    handling.assign(org.leader, org.register(), lead=org.head, coordinators=[org.board_specialist, org.specialist],
                    deadline=plain_working_day(10))
    assert Notification.objects.count() == 3
    assert list(OutgoingEmail.objects.values_list("address", flat=True)) == ["chuyenvien.xl@bacninh.gov.vn"]


def test_a_draft_awaiting_approval_reaches_the_steps_holders_when_the_approval_chain_says_so(d):
    """The approval chain sends workflow.hooks.approval_awaiting where a step becomes pending: it tells the step's
    holder (a person, or a unit: each of its active members) of the draft waiting."""
    from vanphong.workflow import approval

    d.default_chain()
    draft = d.draft()
    approval.submit(d.drafter, draft, signer=d.leader)
    (first,) = Notification.objects.filter(kind="approval_awaiting")
    assert first.recipient == d.head  # the first step: the head of the drafter's unit
    approval.approve(d.head, draft, version=1)
    (notification,) = Notification.objects.filter(kind="approval_awaiting").exclude(pk=first.pk)
    assert notification.recipient == d.reviewer and notification.link.endswith("#approval")
    with translation.override("en"):
        assert selectors.described(notification).title == "Awaiting your approval: Dự thảo kế hoạch chuyển đổi số năm 2027"
        assert selectors.described(notification).detail == "Sent on by Lê Văn Trưởng."
