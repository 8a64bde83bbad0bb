"""The shell's certificate banner: an official whose signing certificate expires soon, or has
lapsed, is told so on every page. One query per request, made only when a page renders it."""

from django.utils.functional import SimpleLazyObject

from vanphong.pki import selectors


def notice_for(request) -> selectors.ExpiryNotice:
    """The notice of the signed-in person, computed once per request."""
    if not hasattr(request, "_certificate_notice"):
        request._certificate_notice = selectors.expiry_notice(getattr(request, "user", None))
    return request._certificate_notice


def certificate_notice(request):
    from vanphong.accounts.services import session_is_complete

    person = getattr(request, "user", None)
    if person is None or not person.is_authenticated or not session_is_complete(request):
        return {}
    return {"certificate_notice": SimpleLazyObject(lambda: notice_for(request))}
