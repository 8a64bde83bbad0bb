from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
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
