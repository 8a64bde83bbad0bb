"""The bell in the top bar: the signed-in person's unread count, counted only when a page shows it."""

from django.utils.functional import SimpleLazyObject


def bell(request):
    from vanphong.accounts.services import session_is_complete
    from vanphong.notifications.selectors import unread_count

    person = getattr(request, "user", None)
    if person is None or not person.is_authenticated or not session_is_complete(request):
        return {}
    return {"bell_unread": SimpleLazyObject(lambda: unread_count(person))}
