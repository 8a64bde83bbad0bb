"""`vanphong check` tells the operator when e-mails keep failing or were given up."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.workflow.conftest import plain_working_day
from vanphong.core import health
from vanphong.notifications import delivery
from vanphong.notifications.models import OutgoingEmail
from vanphong.workflow import handling

pytestmark = pytest.mark.django_db


def email_check():
    (check,) = [c for c in health.run_all() if c.name == "email"]
    return check


def test_the_check_fails_while_emails_keep_failing(smtp, emails):
    handling.assign(emails.leader, emails.register(), lead=emails.head, deadline=plain_working_day(10))
    assert email_check().ok and "1 e-mail(s) waiting" in email_check().detail
    smtp.stop()
    delivery.deliver_all()
    assert email_check().ok  # a failure is retried: not yet the operator's business
    OutgoingEmail.objects.update(created_at=timezone.now() - dt.timedelta(minutes=20))
    check = email_check()
    assert not check.ok and "1 e-mail(s) failing for over 15 min" in check.detail and "Connection refused" in check.detail
    smtp.start()
    delivery.deliver_due(now=timezone.now() + dt.timedelta(minutes=5))
    assert email_check().ok
    OutgoingEmail.objects.update(status="failed")
    assert not email_check().ok and "1 given up in 7 days" in email_check().detail
