"""REST endpoints for the caller's own notifications: list them (with their text in the caller's language),
mark one or all read. Another person's notification is a 404, as if it did not exist."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Path, Query, Router, Schema

from vanphong.core.api_support import MAX_ID, PageQuery, error_responses, page
from vanphong.notifications import selectors, services
from vanphong.notifications.models import Notification

router = Router(tags=["notifications"])

NotificationId = Path[int, {"ge": 1, "le": MAX_ID}]


class NotificationOut(Schema):
    id: int
    kind: Literal[tuple(Notification.Kind.values)] = Field(description=(
        "task_given, task_returned, extension_asked, extension_decided, reminder_before, reminder_overdue, escalation, "
        "approval_awaiting, consultation_invited, consultation_due, handling_ended (the document was withdrawn by its sender), "
        "package_received (a package arrived through the exchange for your agency), network_problem and network_resolved "
        "(exchange network alerts, to the instance's operators)."))
    title: str = Field(description="What happened, in the language of Accept-Language.")
    detail: str
    link: str = Field(description="The page it is about, a path on this site.")
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_title(notification) -> str:
        return selectors.described(notification).title

    @staticmethod
    def resolve_detail(notification) -> str:
        return selectors.described(notification).detail


class NotificationPage(Schema):
    count: int
    unread: int = Field(description="How many of all your notifications are unread (the bell's figure).")
    items: list[NotificationOut]


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="Only the unread ones.")


class MarkedOut(Schema):
    marked: int = Field(description="How many notifications were marked read.")


@router.get("/notifications", response={200: NotificationPage, **error_responses(401, 422)})
def list_notifications(request, filters: Query[NotificationQuery]):
    """Your notifications, newest first."""
    result = page(selectors.notifications_for(request.auth, unread_only=filters.unread), filters)
    return {**result, "unread": selectors.unread_count(request.auth)}


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **error_responses(401, 404, 422)})
def mark_read(request, notification_id: NotificationId):
    """Mark one of your notifications read."""
    return services.mark_read(request.auth, selectors.notification_for(request.auth, notification_id))


@router.post("/notifications/read-all", response={200: MarkedOut, **error_responses(401)})
def mark_all_read(request):
    """Mark all your notifications read."""
    return {"marked": services.mark_all_read(request.auth)}
