"""The outbox sent to a real SMTP server (aiosmtpd): once, in the recipient's language with UTF-8 headers;
a worker that dies between claiming and sending leaves its e-mails due again; a server that is down is
retried later, with back-off, until it answers."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from tests.workflow.conftest import plain_working_day
from vanphong.documents.models import Distribution
from vanphong.notifications import delivery, reminders
from vanphong.notifications.models import OutgoingEmail, Preference
from vanphong.workflow import calendar, handling

pytestmark = pytest.mark.django_db

HEAD = "chanhvp.xl@bacninh.gov.vn"


@pytest.fixture
def one_email(emails):
    """The Office's head is given a document: one e-mail waits in the outbox."""
    org = emails
    handling.assign(org.leader, org.register(subject="Về việc báo cáo tình hình chuyển đổi số quý IV"), lead=org.head,
                    deadline=plain_working_day(10))
    assert OutgoingEmail.objects.count() == 1
    return org


def subject(message) -> str:
    # A long encoded subject is folded onto a continuation line; the parser keeps the folding space.
    return str(message["Subject"]).strip()


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_the_email_is_sent_once_and_marked_sent(smtp, one_email):
    outcome = delivery.deliver_all()
    assert (outcome.sent, outcome.failed) == (1, 0)
    (message,) = smtp.mailbox.to(HEAD)
    assert message["Message-ID"] == f"<notification-{OutgoingEmail.objects.get().notification_id}@127.0.0.1>"
    assert "Về việc báo cáo tình hình chuyển đổi số quý IV" in subject(message)
    row = OutgoingEmail.objects.get()
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
    assert delivery.deliver_all().sent == 0 and delivery.deliver_due(now=later(60)).sent == 0
    assert len(smtp.mailbox.to(HEAD)) == 1


def test_an_email_in_vietnamese_has_its_diacritics_in_the_headers_and_the_body(smtp, one_email):
    Preference.objects.create(person=one_email.head, language="vi")
    delivery.deliver_all()
    (message,) = smtp.mailbox.to(HEAD)
    assert subject(message) == "[VănPhòng] Chủ trì: Về việc báo cáo tình hình chuyển đổi số quý IV"
    headers = smtp.mailbox.raw[-1].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii")  # RFC 2047: headers in ASCII
    assert "subject: \n =?utf-8?b?" in headers.lower()
    body = message.get_content()
    assert "Giao bởi Trần Quốc Khánh cho Lê Văn Chánh, hạn xử lý" in body
    assert f"{settings.VANPHONG_PUBLIC_URL}/documents/" in body
    assert message.get_content_charset() == "utf-8"


def test_an_english_reader_gets_english(smtp, one_email):
    Preference.objects.create(person=one_email.head, language="en")
    delivery.deliver_all()
    (message,) = smtp.mailbox.to(HEAD)
    assert subject(message) == "[VănPhòng] To lead (chủ trì): Về việc báo cáo tình hình chuyển đổi số quý IV"
    assert "Given by Trần Quốc Khánh to Lê Văn Chánh, due" in message.get_content()


def test_a_classified_documents_subject_never_leaves_in_an_email(smtp, emails):
    org = emails
    document = org.register(subject="Kế hoạch bảo vệ bí mật nhà nước", confidentiality=1)
    Distribution.objects.create(document=document, person=org.leader)
    Preference.objects.create(person=org.head, language="en")
    handling.assign(org.leader, document, lead=org.head, deadline=plain_working_day(10))
    delivery.deliver_all()
    (message,) = smtp.mailbox.to(HEAD)
    assert "bí mật nhà nước" not in subject(message) and "bí mật nhà nước" not in message.get_content()
    assert "a classified document" in subject(message)


def test_a_worker_that_dies_between_claim_and_send_leaves_the_email_to_the_next(smtp, one_email):
    _token, claimed = delivery.claim_due()  # ... and the worker dies here
    assert len(claimed) == 1
    assert delivery.deliver_all().sent == 0  # claimed: another worker does not send it meanwhile
    assert smtp.mailbox.to(HEAD) == []
    # After a restart, once the lease has ended, it is sent.
    outcome = delivery.deliver_due(now=timezone.now() + delivery.lease() + dt.timedelta(seconds=1))
    assert outcome.sent == 1 and len(smtp.mailbox.to(HEAD)) == 1
    row = OutgoingEmail.objects.get()
    assert row.status == "sent" and row.attempts == 2


def test_a_server_that_is_down_is_retried_later_then_delivered(smtp, one_email):
    smtp.stop()
    assert delivery.deliver_all().failed == 1
    row = OutgoingEmail.objects.get()
    assert row.status == "pending" and row.attempts == 1 and "Connection refused" in row.last_error
    assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)  # one minute later
    assert delivery.deliver_due(now=later(1.5)).failed == 1
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at > timezone.now() + dt.timedelta(seconds=110)  # two minutes: back-off
    assert delivery.deliver_due().failed + delivery.deliver_due().sent == 0  # not due yet
    smtp.start()
    assert delivery.deliver_due(now=later(3)).sent == 1
    assert len(smtp.mailbox.to(HEAD)) == 1
    row.refresh_from_db()
    assert row.status == "sent" and row.last_error == ""


def test_after_the_last_attempt_the_email_is_given_up(settings, smtp, one_email):
    settings.VANPHONG_MAIL_MAX_ATTEMPTS = 2
    smtp.stop()
    delivery.deliver_all()
    delivery.deliver_due(now=later(10))
    row = OutgoingEmail.objects.get()
    assert row.status == "failed" and row.attempts == 2
    smtp.start()
    assert delivery.deliver_due(now=later(600)).sent == 0


def test_an_email_turned_off_before_it_was_sent_is_not_sent(smtp, one_email):
    Preference.objects.create(person=one_email.head, email_enabled=False)
    assert delivery.deliver_all().cancelled == 1
    assert smtp.mailbox.to(HEAD) == [] and OutgoingEmail.objects.get().status == "cancelled"


def test_the_overdue_reminder_reaches_the_smtp_server(smtp, one_email):
    org = one_email
    delivery.deliver_all()
    deadline = plain_working_day(10)
    reminders.scan(today=calendar.next_working_day(org.agency, deadline))
    delivery.deliver_all()
    subjects = [subject(m) for m in smtp.mailbox.to(HEAD)]
    assert len(subjects) == 2 and subjects[1].startswith("[VănPhòng] ")
    reminders.scan(today=calendar.next_working_day(org.agency, deadline))
    assert delivery.deliver_all().sent == 0
