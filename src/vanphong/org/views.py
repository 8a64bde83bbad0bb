from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanphong.accounts import services as account_services
from vanphong.core.errors import ValidationError
from vanphong.core.web import add_service_errors, get_or_404, message_refusal
from vanphong.org import selectors, services
from vanphong.org.forms import AgencyForm, FirstAdminForm, PersonForm, UnitForm
from vanphong.org.permissions import can_manage_agency, can_manage_directory


def _require_admin(request):
    if not can_manage_agency(request.user, request.user.agency):
        raise PermissionDenied


# ---- agency directory -----------------------------------------------------------------------


@login_required
def directory(request):
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.agency_directory(request.user, query=query), 50).get_page(request.GET.get("page"))
    return render(request, "org/directory.html", {"page": page, "q": query, "can_manage": can_manage_directory(request.user)})


@login_required
def agency_detail(request, pk):
    agency = get_or_404(selectors.agency_detail, request.user, pk)
    return render(request, "org/agency_detail.html", {"agency": agency, "can_manage": can_manage_directory(request.user)})


@login_required
def agency_create(request):
    if not can_manage_directory(request.user):
        raise PermissionDenied
    form = AgencyForm(request.POST or None)
    admin_form = FirstAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and admin_form.is_valid():
        data = dict(form.cleaned_data)
        code, parent = data.pop("code"), data.pop("parent")
        first_admin, temporary = None, None
        if admin_form.cleaned_data.get("admin_username"):
            temporary = account_services.generate_temporary_password()
            first_admin = {"username": admin_form.cleaned_data["admin_username"], "full_name": admin_form.cleaned_data["admin_full_name"], "password": temporary}
        try:
            agency = services.create_agency(request.user, code=code, parent=parent, first_admin=first_admin, request=request, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Agency “%(name)s” added.") % {"name": agency.name})
            if temporary:
                messages.warning(request, _("Temporary password of %(user)s: %(password)s — give it to them; they must change it at first sign-in.")
                                 % {"user": first_admin["username"], "password": temporary})
            return redirect("org:agency_detail", pk=agency.pk)
    return render(request, "org/agency_form.html", {"form": form, "admin_form": admin_form, "creating": True})


@login_required
def agency_edit(request, pk):
    if not can_manage_directory(request.user):
        raise PermissionDenied
    agency = get_or_404(selectors.agency_detail, request.user, pk)
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("code")
        try:
            services.update_agency(request.user, selectors.agency_detail(request.user, pk), request=request, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org:agency_detail", pk=pk)
    return render(request, "org/agency_form.html", {"form": form, "agency": agency, "creating": False})


# ---- units ----------------------------------------------------------------------------------


@login_required
def units(request):
    _require_admin(request)
    return render(request, "org/units.html", {"units": selectors.unit_tree(request.user)})


@login_required
def unit_create(request):
    _require_admin(request)
    form = UnitForm(request.POST or None, agency=request.user.agency, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(request.user, request.user.agency, request=request, **{k: v for k, v in form.cleaned_data.items() if k != "is_active"})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Unit “%(name)s” created.") % {"name": unit.name})
            return redirect("org:units")
    return render(request, "org/unit_form.html", {"form": form, "creating": True})


@login_required
def unit_edit(request, pk):
    _require_admin(request)
    unit = get_or_404(selectors.unit_detail, request.user, pk)
    form = UnitForm(request.POST or None, instance=unit, agency=request.user.agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(request.user, selectors.unit_detail(request.user, pk), request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org:units")
    return render(request, "org/unit_form.html", {"form": form, "unit": unit, "creating": False})


# ---- people ---------------------------------------------------------------------------------


@login_required
def people(request):
    query = request.GET.get("q", "").strip()
    unit = None
    if request.GET.get("unit"):
        unit = get_or_404(selectors.unit_detail, request.user, request.GET["unit"])
    qs = selectors.people_of_own_agency(request.user, query=query, unit=unit)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "org/people.html", {
        "page": page, "q": query, "unit": unit, "units": selectors.unit_tree(request.user),
        "can_manage": can_manage_agency(request.user, request.user.agency),
    })


@login_required
def person_detail(request, pk):
    person = get_or_404(selectors.person_detail, request.user, pk)
    return render(request, "org/person_detail.html", {
        "person": person, "can_manage": can_manage_agency(request.user, request.user.agency),
        "locked_until": account_services.lock_state(person),
    })


@login_required
def person_create(request):
    _require_admin(request)
    form = PersonForm(request.POST or None, agency=request.user.agency)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("is_active", None)
        temporary = account_services.generate_temporary_password()
        try:
            person = services.create_person(request.user, request.user.agency, password=temporary, request=request, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": person.full_name})
            messages.warning(request, _("Temporary password of %(user)s: %(password)s — give it to them; they must change it at first sign-in.")
                             % {"user": person.username, "password": temporary})
            return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "creating": True})


@login_required
def person_edit(request, pk):
    _require_admin(request)
    person = get_or_404(selectors.person_detail, request.user, pk)
    form = PersonForm(request.POST or None, instance=person, agency=request.user.agency)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("username", None)
        try:
            services.update_person(request.user, selectors.person_detail(request.user, pk), request=request, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org:person_detail", pk=pk)
    return render(request, "org/person_form.html", {"form": form, "person": person, "creating": False})


def _person_action(request, pk, action):
    _require_admin(request)
    person = get_or_404(selectors.person_detail, request.user, pk)
    try:
        action(person)
    except (ValidationError, PermissionDenied) as exc:
        message_refusal(request, exc)
    return redirect("org:person_detail", pk=pk)


@login_required
@require_POST
def person_reset_password(request, pk):
    def act(person):
        temporary = account_services.reset_password(request.user, person, request=request)
        messages.warning(request, _("Temporary password of %(user)s: %(password)s — give it to them; they must change it at first sign-in.")
                         % {"user": person.username, "password": temporary})
    return _person_action(request, pk, act)


@login_required
@require_POST
def person_reset_second_factor(request, pk):
    def act(person):
        account_services.reset_second_factor(request.user, person, request=request)
        messages.success(request, _("Second factor reset: %(name)s will set up a new one at next sign-in.") % {"name": person.full_name})
    return _person_action(request, pk, act)


@login_required
@require_POST
def person_unlock(request, pk):
    def act(person):
        account_services.unlock(request.user, person, request=request)
        messages.success(request, _("Account unlocked."))
    return _person_action(request, pk, act)
