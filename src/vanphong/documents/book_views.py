"""The register book page: choose a register, a period and a format, and download the book."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from vanphong.core.errors import ValidationError
from vanphong.core.web import add_service_errors, get_or_404
from vanphong.documents import register_book, selectors
from vanphong.documents.attachment_views import content_disposition
from vanphong.documents.forms import DateInput
from vanphong.documents.search_views import DATE_INPUT_FORMATS

FORMAT_CHOICES = [
    ("xlsx", pgettext_lazy("register book", "Excel (XLSX), to work with")),
    ("pdf", pgettext_lazy("register book", "PDF, to print")),
    ("docx", pgettext_lazy("register book", "Word (DOCX), to edit and print")),
]


class BookForm(forms.Form):
    register = forms.ModelChoiceField(label=_("Document register"), queryset=None, empty_label=None)
    start = forms.DateField(label=pgettext_lazy("register book", "From date"), input_formats=DATE_INPUT_FORMATS, widget=DateInput())
    end = forms.DateField(label=pgettext_lazy("register book", "To date"), input_formats=DATE_INPUT_FORMATS, widget=DateInput())
    format = forms.ChoiceField(label=pgettext_lazy("register book", "File format"), choices=FORMAT_CHOICES, widget=forms.RadioSelect)

    def __init__(self, *args, reader, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["register"].queryset = selectors.registers_of_own_agency(reader)


def default_period(year: int) -> tuple[date, date]:
    """The whole year, or the year so far."""
    today = timezone.localdate()
    end = min(date(year, 12, 31), today) if year == today.year else date(year, 12, 31)
    return date(year, 1, 1), end


@login_required
@require_safe
def book(request):
    """The form (GET, ?register= from the registers page) and, once the period is given, the file."""
    register = None
    if request.GET.get("register"):
        # Another agency's register is not found, whether or not the rest of the form is filled in.
        register = get_or_404(selectors.register_detail, request.user, request.GET["register"])
    if "start" in request.GET:
        form = BookForm(request.GET, reader=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                content, content_type, filename = register_book.export(
                    request.user, data["register"], start=data["start"], end=data["end"], fmt=data["format"], request=request)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                response = HttpResponse(content, content_type=content_type)
                response["Content-Disposition"] = content_disposition(filename)
                response["Cache-Control"] = "private, no-store"
                return response
    else:
        start, end = default_period(register.year if register else timezone.localdate().year)
        form = BookForm(reader=request.user, initial={"register": register, "start": start, "end": end, "format": "xlsx"})
    return render(request, "documents/register_book.html", {"form": form, "register": register})
