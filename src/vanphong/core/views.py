from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, TooManyFilesSent
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_GET

from vanphong.core import selectors
from vanphong.core.labels import ACTION_LABELS, action_label
from vanphong.org.permissions import can_manage_agency, is_instance_operator


@login_required
def home(request):
    events = selectors.security_events_of(request.user, limit=8)
    for e in events:
        e.label = action_label(e.action)
    return render(request, "core/home.html", {"events": events})


@login_required
def audit_log(request):
    if not (can_manage_agency(request.user, request.user.agency) or is_instance_operator(request.user)):
        raise PermissionDenied
    action = request.GET.get("action", "")
    records = selectors.audit_records_visible_to(request.user, action_prefix=action if action in ACTION_LABELS else "")
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    for rec in page:
        rec.label = action_label(rec.action)
    choices = sorted(((k, str(v)) for k, v in ACTION_LABELS.items()), key=lambda kv: kv[1])
    return render(request, "core/audit_log.html", {"page": page, "action": action, "choices": choices})


@require_GET
def health(request):
    """Liveness for load balancers: the process answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request, exception):
    """Django's answer to a request it cannot take (400), but in words for a form sent with more files than the
    settings let through: no view sees that request, so no form could say it."""
    if isinstance(exception, TooManyFilesSent):
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            back = ""
        return render(request, "core/too_many_files.html", {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES, "back": back},
                      status=400)
    return defaults.bad_request(request, exception)
