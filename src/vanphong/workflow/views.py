from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanphong.core.errors import ValidationError
from vanphong.core.web import add_service_errors, get_or_404, message_refusal
from vanphong.documents.types import DocumentType
from vanphong.workflow import calendar, selectors, services
from vanphong.workflow.forms import CalendarChangeForm, DeadlineRuleForm
from vanphong.workflow.permissions import can_manage_calendar


def _require_admin(request):
    if not can_manage_calendar(request.user, request.user.agency):
        raise PermissionDenied


def _year(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    try:
        year = int(raw) if raw else timezone.localdate().year
        calendar.check_year(year)
    except (ValueError, calendar.CalendarRangeError):
        raise Http404 from None
    return year


def _calendar_url(year: int) -> str:
    return f"{reverse('workflow:calendar')}?year={year}"


@login_required
def calendar_page(request):
    _require_admin(request)
    year = _year(request)
    form = CalendarChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.add_calendar_day(request.user, request.user.agency, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = (_("%(date)s is now a day off: %(name)s.") if change.kind == change.Kind.DAY_OFF
                    else _("%(date)s is now a working day: %(name)s."))
            messages.success(request, text % {"date": change.day.strftime("%d/%m/%Y"), "name": change.name})
            return redirect(_calendar_url(change.day.year))
    return render(request, "workflow/calendar.html", {
        "cal": selectors.calendar_year(request.user, year), "form": form, "tab": "calendar"})


@login_required
@require_POST
def calendar_day_remove(request, pk):
    _require_admin(request)
    change = get_or_404(selectors.calendar_change_detail, request.user, pk)
    try:
        services.remove_calendar_day(request.user, change, request=request)
    except (ValidationError, PermissionDenied) as exc:
        message_refusal(request, exc)
    else:
        messages.success(request, _("Removed: %(date)s, %(name)s.") % {"date": change.day.strftime("%d/%m/%Y"), "name": change.name})
    return redirect(_calendar_url(change.day.year))


@login_required
def deadlines_page(request):
    _require_admin(request)
    form = DeadlineRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_deadline_rule(request.user, request.user.agency, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Default deadline saved."))
            return redirect("workflow:deadlines")
    return render(request, "workflow/deadlines.html", {
        "rules": selectors.deadline_rules(request.user), "defaults": selectors.urgency_defaults(request.user),
        "doc_types": dict(DocumentType.choices), "form": form, "tab": "deadlines"})


@login_required
@require_POST
def deadline_rule_remove(request, pk):
    _require_admin(request)
    rule = get_or_404(selectors.deadline_rule_detail, request.user, pk)
    try:
        services.remove_deadline_rule(request.user, rule, request=request)
    except (ValidationError, PermissionDenied) as exc:
        message_refusal(request, exc)
    else:
        messages.success(request, _("Default deadline removed."))
    return redirect("workflow:deadlines")
