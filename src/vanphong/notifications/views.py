"""The notifications pages: the list (paged; mark one or all read), the bell fragment the top bar refreshes
with HTMX, the person's preferences (a panel of My account) and the agency's reminder policy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanphong.core.errors import ValidationError
from vanphong.core.paging import CappedPaginator
from vanphong.core.web import add_service_errors, get_or_404
from vanphong.notifications import selectors, services
from vanphong.notifications.forms import PreferencesForm, ReminderPolicyForm
from vanphong.org.permissions import can_manage_agency

PAGE_SIZE = 30


def _list_url(request) -> str:
    """Back to the list as it was shown (its page and filter), from the form's hidden fields."""
    query = {k: request.POST[k] for k in ("page", "unread") if request.POST.get(k, "").isdigit()}
    return reverse("notifications:list") + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    page = CappedPaginator(selectors.notifications_for(request.user, unread_only=unread_only), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, selectors.described(n)) for n in page.object_list]
    return render(request, "notifications/list.html", {
        "page": page, "rows": rows, "unread_only": unread_only, "can_set_policy": can_manage_agency(request.user, request.user.agency)})


@login_required
@require_GET
def bell(request):
    return render(request, "notifications/_bell.html", {"bell_unread": selectors.unread_count(request.user)})


@login_required
@require_POST
def mark_read(request, pk):
    notification = get_or_404(selectors.notification_for, request.user, pk)
    services.mark_read(request.user, notification)
    if request.POST.get("open") and notification.link.startswith("/") and not notification.link.startswith("//"):
        return redirect(notification.link)
    return redirect(_list_url(request))


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect(_list_url(request))


@login_required
def preferences(request):
    current = selectors.preferences_of(request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial={"email_enabled": current.email_enabled, "language": current.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect(reverse("accounts:profile") + "#notification-settings")
    return render(request, "notifications/preferences.html", {"form": form, "preferences": current})


@login_required
def reminder_policy(request):
    if not can_manage_agency(request.user, request.user.agency):
        raise PermissionDenied
    current = selectors.reminder_policy(request.user)
    form = ReminderPolicyForm(request.POST if request.method == "POST" else None, initial={"days_before": current.days_before, "escalation_days": current.escalation_days})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_reminder_policy(request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The reminders are saved."))
            return redirect("notifications:policy")
    return render(request, "notifications/policy.html", {"form": form})
