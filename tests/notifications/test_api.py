"""The notifications API: my notifications with their text in my language, marking read; bad input refused."""

import pytest
from django.test import Client

from tests.api.conftest import Api, token_of
from tests.workflow.conftest import plain_working_day
from vanphong.notifications.models import Notification
from vanphong.workflow import handling

pytestmark = pytest.mark.django_db


@pytest.fixture
def given(org):
    handling.assign(org.leader, org.register(subject="Về việc tổng kết công tác năm"), lead=org.head,
                    coordinators=[org.board_specialist], deadline=plain_working_day(10))
    return org


def test_list_and_mark_read(given):
    api = Api(Client(), token_of(given.head))
    body = api.get("/notifications").json()
    assert body["count"] == 1 and body["unread"] == 1
    (item,) = body["items"]
    assert item["kind"] == "task_given" and item["title"] == "To lead (chủ trì): Về việc tổng kết công tác năm"
    assert item["read_at"] is None and item["link"].startswith("/documents/")
    marked = api.post(f"/notifications/{item['id']}/read", {})
    assert marked.status_code == 200 and marked.json()["read_at"] is not None
    assert api.get("/notifications", {"unread": "true"}).json() == {"count": 0, "unread": 0, "items": []}
    assert api.post("/notifications/read-all", {}).json() == {"marked": 0}


def test_bad_input_is_refused_and_changes_nothing(given):
    api = Api(Client(), token_of(given.head))
    theirs = Notification.objects.get(recipient=given.board_specialist)
    for path in (f"/notifications/{theirs.pk}/read", "/notifications/0/read", "/notifications/abc/read",
                 f"/notifications/{2**64}/read"):
        assert api.post(path, {}).status_code in (404, 422), path
    assert api.post(f"/notifications/{theirs.pk}/read", {}).json()["detail"] == "Not found, or you may not see it."
    for query in ({"limit": 0}, {"limit": 10_000}, {"offset": -1}, {"unread": "perhaps"}):
        assert api.get("/notifications", query).status_code == 422, query
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert Client().get("/api/v1/notifications").status_code == 401
