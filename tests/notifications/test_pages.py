"""The notifications pages: a person sees and marks only their own; the bell counts unread ones; the
preferences panel of My account; the agency's reminder settings, for its administrators only."""

import pytest
from django.utils import translation

from tests.conftest import signed_in
from tests.factories import make_person
from tests.workflow.conftest import plain_working_day
from vanphong.core.models import AuditRecord
from vanphong.notifications.models import Notification, Preference, ReminderPolicy
from vanphong.workflow import handling

pytestmark = pytest.mark.django_db


@pytest.fixture
def given(emails):
    """The head of the Office and the board's specialist have each been given a document."""
    org = emails
    handling.assign(org.leader, org.register(subject="Về việc tổng kết công tác năm"), lead=org.head,
                    coordinators=[org.board_specialist], deadline=plain_working_day(10))
    handling.assign(org.leader, org.register(subject="Về việc kiểm tra định kỳ"), lead=org.head, deadline=plain_working_day(12))
    return org


def english(client):
    client.cookies["vanphong_language"] = "en"
    return client


def test_the_list_shows_my_notifications_newest_first_with_the_bell(client, given):
    english(signed_in(client, given.head))
    body = client.get("/notifications/").content.decode()
    assert body.index("Về việc kiểm tra định kỳ") < body.index("Về việc tổng kết công tác năm")
    assert 'class="bell-count">2<' in body and "To lead (chủ trì)" in body
    assert "Reminder settings" not in body  # not an administrator
    assert 'class="bell-count">2<' in client.get("/").content.decode()  # on every page
    assert client.get("/notifications/bell/").content.decode().count('class="bell-count">2<') == 1


def test_opening_marks_read_and_goes_to_the_document(client, given):
    signed_in(client, given.head)
    first = Notification.objects.filter(recipient=given.head).order_by("pk").first()
    response = client.post(f"/notifications/{first.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == first.link and "#handling" in first.link
    first.refresh_from_db()
    assert first.read_at is not None
    response = client.get("/notifications/?unread=1").content.decode()
    assert "Về việc tổng kết công tác năm" not in response and "Về việc kiểm tra định kỳ" in response
    assert client.post("/notifications/read-all/", {"unread": "1"})["Location"] == "/notifications/?unread=1"
    assert not Notification.objects.filter(recipient=given.head, read_at__isnull=True).exists()
    assert 'class="bell-count"' not in client.get("/notifications/bell/").content.decode()


def test_another_persons_notification_is_not_found_and_unchanged(client, given):
    theirs = Notification.objects.get(recipient=given.board_specialist)
    signed_in(client, given.head)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/", {"open": "1"}).status_code == 404
    client.post("/notifications/read-all/")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(f"/notifications/{theirs.pk}/read/").status_code == 405
    assert client.post("/notifications/999999999/read/").status_code == 404


def test_another_agency_sees_none_of_them(client, given, admin_b):
    signed_in(client, admin_b)
    body = client.get("/notifications/").content.decode()
    assert "Về việc" not in body and 'class="bell-count"' not in body
    for n in Notification.objects.all():
        assert client.post(f"/notifications/{n.pk}/read/").status_code == 404
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_anonymous_is_sent_to_sign_in(client):
    for url in ["/notifications/", "/notifications/bell/", "/notifications/preferences/", "/notifications/reminders/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_preferences_from_my_account(client, given):
    english(signed_in(client, given.head))
    profile = client.get("/accounts/me/").content.decode()
    assert 'id="notification-settings"' in profile and "Also send my notifications by e-mail" in profile
    response = client.post("/notifications/preferences/", {"language": "en"})  # the box unticked: e-mail off
    assert response.status_code == 302 and response["Location"] == "/accounts/me/#notification-settings"
    assert Preference.objects.filter(person=given.head, email_enabled=False, language="en").exists()
    assert AuditRecord.objects.filter(action="notifications.preferences.changed", actor=given.head).exists()
    for bad in ({"email_enabled": "on", "language": "fr"}, {"email_enabled": "on"}):
        response = client.post("/notifications/preferences/", bad)
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode() or \
            "This field is required" in response.content.decode()
    assert Preference.objects.get(person=given.head).email_enabled is False


def test_reminder_settings_for_administrators_only(client, given, admin_a, admin_b):
    signed_in(client, given.head)
    assert client.get("/notifications/reminders/").status_code == 403
    assert client.post("/notifications/reminders/", {"days_before": 3, "escalation_days": 4}).status_code == 403
    assert not ReminderPolicy.objects.exists()
    english(signed_in(client, admin_a))
    assert "Reminder settings" in client.get("/notifications/").content.decode()
    for bad in ({"days_before": -1, "escalation_days": 2}, {"days_before": 3, "escalation_days": 0},
                {"days_before": 99, "escalation_days": 2}, {"days_before": "ba", "escalation_days": 2}, {}):
        response = client.post("/notifications/reminders/", bad)
        assert response.status_code == 200 and 'class="error"' in response.content.decode(), bad
    assert not ReminderPolicy.objects.exists()
    assert client.post("/notifications/reminders/", {"days_before": 3, "escalation_days": 4}).status_code == 302
    assert ReminderPolicy.objects.filter(agency=given.agency, days_before=3, escalation_days=4).exists()
    # Agency B's administrator sets B's policy, never A's.
    signed_in(client, admin_b)
    client.post("/notifications/reminders/", {"days_before": 0, "escalation_days": 9})
    assert ReminderPolicy.objects.get(agency=given.agency).days_before == 3
    assert ReminderPolicy.objects.get(agency=admin_b.agency).escalation_days == 9


def test_texts_are_in_the_readers_language_at_display_time(client, given):
    signed_in(client, given.head)
    client.cookies["vanphong_language"] = "en"
    assert "To lead (chủ trì): Về việc kiểm tra định kỳ" in client.get("/notifications/").content.decode()
    with translation.override("vi"):
        expected = translation.gettext("To lead (chủ trì): %(document)s") % {"document": "Về việc kiểm tra định kỳ"}
    client.cookies["vanphong_language"] = "vi"
    assert expected in client.get("/notifications/").content.decode()


def test_a_long_list_is_paged(client, given):
    person = make_person(given.agency, "nhieu.tb", "Vũ Văn Nhiều", roles=["specialist"])
    Notification.objects.bulk_create([Notification(recipient=person, kind="task_given", event_key=f"test:{i}",
                                                   params={"document": f"Văn bản số {i:03d}", "role": "inform"}) for i in range(45)])
    signed_in(client, person)
    first, second = client.get("/notifications/").content.decode(), client.get("/notifications/?page=2").content.decode()
    assert first.count('<li class="notification') == 30 and second.count('<li class="notification') == 15


def test_the_bells_background_refresh_keeps_no_idle_session_alive(client, given, settings):
    import time

    signed_in(client, given.head)
    session = client.session
    session["last_activity"] = idle_since = int(time.time()) - 600
    session.save()
    background = {"X-VanPhong-Background": "1", "HX-Request": "true"}
    assert client.get("/notifications/bell/", headers=background).status_code == 200
    assert client.session["last_activity"] == idle_since  # not activity
    client.get("/notifications/")
    assert client.session["last_activity"] >= int(time.time()) - 1  # a page the person opened is
    session = client.session
    session["last_activity"] = int(time.time()) - settings.VANPHONG_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    response = client.get("/notifications/bell/", headers=background)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")  # the idle timeout still ends it


def test_emails_are_in_the_language_first_signed_in_with_until_one_chooses(client, org):
    from tests.factories import PASSWORD

    client.cookies["vanphong_language"] = "en"
    response = client.post("/accounts/login/", {"username": org.specialist.username, "password": PASSWORD})
    assert response.status_code == 302
    assert Preference.objects.get(person=org.specialist).language == "en"
    Preference.objects.filter(person=org.specialist).update(language="vi")  # chosen in My account
    client.logout()
    client.post("/accounts/login/", {"username": org.specialist.username, "password": PASSWORD})
    assert Preference.objects.get(person=org.specialist).language == "vi"
