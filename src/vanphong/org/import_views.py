"""The administrator's import page: check a CSV or XLSX file (a dry run), then import it.

The checked file is kept in the content-addressed store and its SHA-256 in the session, in this
user's list of pending imports: the "Import now" button sends the SHA-256 back, and only a file
this user checked, for this agency, is ever imported."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanphong.core import storage
from vanphong.core.errors import ValidationError
from vanphong.org import importer, services
from vanphong.org.permissions import can_manage_agency

SESSION_KEY = "org_import_pending"
MAX_PENDING = 5
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        allow_empty_file=True,  # the service says what is wrong with an empty file
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv," + XLSX_TYPE}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("At most %(mb)s MB.") % {"mb": settings.VANPHONG_MAX_UPLOAD_BYTES // (1024 * 1024)}


def _column_help() -> list[dict]:
    help_texts = {
        "agency_code": _("Your agency's code (mã định danh), e.g. 000.00.00.G22; also “Mã cơ quan” or agency_code."),
        "unit": _("The unit's path from the top, separated by “ / ” or “>”; also don_vi or unit."),
        "unit_short_name": _("Short name of the last unit of the path, used in notations; also unit_short_name."),
        "full_name": _("Full name; also full_name."),
        "username": _("Username to sign in, without spaces; also username."),
        "email": _("E-mail address; also Email."),
        "phone": _("Telephone; also phone."),
        "position": _("Position; also position."),
        "roles": _("Separated by ; or ,: văn thư, lãnh đạo, chuyên viên, tổ chức cán bộ, quản trị, vận hành CA (or clerk, leader, specialist, personnel, admin, ca_operator)."),
        "clearance": _("Không, mật, tối mật, tuyệt mật, or 0 to 3; also “Mức mật” or clearance."),
    }
    return [{"header": header, "required": name in importer.REQUIRED, "help": help_texts[name]} for name, (header, _aliases) in importer.COLUMNS.items()]


def _require_admin(request):
    if not can_manage_agency(request.user, request.user.agency):
        raise PermissionDenied


def _pending(request) -> list[dict]:
    return list(request.session.get(SESSION_KEY, []))


def _remember(request, plan) -> None:
    entry = {"sha256": plan.sha256, "filename": plan.filename, "agency": request.user.agency_id}
    pending = [e for e in _pending(request) if e.get("sha256") != plan.sha256]
    request.session[SESSION_KEY] = (pending + [entry])[-MAX_PENDING:]


def _forget(request, sha256: str) -> None:
    request.session[SESSION_KEY] = [e for e in _pending(request) if e.get("sha256") != sha256]


@login_required
def import_page(request):
    _require_admin(request)
    agency = request.user.agency
    form = ImportForm()
    context = {"form": form, "columns": _column_help()}
    if request.method == "POST" and "sha256" in request.POST:
        return _import_now(request, context)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.VANPHONG_MAX_UPLOAD_BYTES:
                form.add_error("file", _("The file is too large (at most %(mb)s MB).") % {"mb": settings.VANPHONG_MAX_UPLOAD_BYTES // (1024 * 1024)})
            else:
                data = upload.read()
                plan = services.import_organisation(request.user, agency, data, upload.name, dry_run=True, request=request)
                if plan.ok:
                    storage.put_bytes(data)
                    _remember(request, plan)
                context["plan"] = plan
    return render(request, "org/import.html", context)


def _import_now(request, context):
    sha256 = request.POST.get("sha256", "")
    entry = next((e for e in _pending(request) if e.get("sha256") == sha256 and e.get("agency") == request.user.agency_id), None)
    if entry is None or not storage.exists(sha256):
        context["stale"] = True
        return render(request, "org/import.html", context, status=400)
    try:
        plan = services.import_organisation(
            request.user, request.user.agency, storage.read_bytes(sha256), entry["filename"], dry_run=False, request=request
        )
    except ValidationError as exc:
        plan = getattr(exc, "plan", None)
        if plan is None:
            context["failure"] = exc.messages
        else:
            context["plan"] = plan
            _forget(request, sha256)
        return render(request, "org/import.html", context)
    _forget(request, sha256)
    messages.success(request, _("Import done: %(units)s units created, %(created)s people created, %(updated)s people updated.")
                     % {"units": plan.units_to_create, "created": plan.people_to_create, "updated": plan.people_to_update})
    if plan.people_to_create:
        messages.warning(request, _("The people created have no password yet: reset each one's password to give them a temporary one."))
    return redirect("org:people")


@login_required
def import_template(request):
    """An XLSX with the Vietnamese column headers and one example row."""
    import openpyxl
    from openpyxl.styles import Font

    _require_admin(request)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append([importer.COLUMNS[name][0] for name in importer.TEMPLATE_FIELDS])
    example = {
        "agency_code": request.user.agency.code, "unit": "Văn phòng / Phòng Hành chính", "unit_short_name": "HC",
        "full_name": "Nguyễn Văn An", "username": "nvan", "email": "nvan@example.gov.vn", "phone": "0912345678",
        "position": "Chuyên viên", "roles": "văn thư; chuyên viên", "clearance": "không",
    }
    sheet.append([example[name] for name in importer.TEMPLATE_FIELDS])
    for index, name in enumerate(importer.TEMPLATE_FIELDS, 1):
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        sheet.column_dimensions[header.column_letter].width = max(14, len(header.value) + 4, len(example[name]) + 2)
        # Text cells: Excel keeps the leading 0 of a telephone number and does not turn codes into numbers.
        sheet.column_dimensions[header.column_letter].number_format = "@"
        sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-to-chuc.xlsx"'
    return response
