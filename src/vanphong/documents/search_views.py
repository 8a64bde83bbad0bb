"""The search page: one box and the filters of the registers, over what the reader may see."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from vanphong.documents import search as engine
from vanphong.documents.forms import DateInput
from vanphong.documents.models import Direction, Document
from vanphong.documents.selectors import registers_of_own_agency
from vanphong.documents.types import DocumentType, Urgency
from vanphong.org.selectors import agency_directory

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label):
    return forms.DateField(label=label, required=False, input_formats=DATE_INPUT_FORMATS, widget=DateInput())


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words to find"), required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. quyet dinh can bo"), "autofocus": True, "class": "search-box"}))
    register = forms.ModelChoiceField(label=_("Document register"), queryset=None, required=False, empty_label=_("All registers"))
    doc_type = forms.ChoiceField(label=_("Document type"), required=False)
    issuing_agency = forms.ModelChoiceField(label=_("Issuing agency"), queryset=None, required=False, empty_label=_("Any issuer"))
    issued_from = _date_field(_("Document date from"))
    issued_to = _date_field(_("Document date to"))
    received_from = _date_field(_("Received or created from"))
    received_to = _date_field(_("Received or created to"))
    urgency = forms.TypedChoiceField(label=_("Urgency"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    direction = forms.ChoiceField(label=_("Kind of document"), required=False)

    def __init__(self, *args, reader, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["register"].queryset = registers_of_own_agency(reader)
        self.fields["issuing_agency"].queryset = agency_directory(reader)
        self.fields["doc_type"].choices = [("", _("All types")), *DocumentType.choices]
        self.fields["urgency"].choices = [("", _("Any urgency")), *Urgency.choices]
        self.fields["status"].choices = [("", _("Any status")), *Document.Status.choices]
        self.fields["direction"].choices = [("", _("Incoming and outgoing")), *Direction.choices]

    def clean(self):
        data = super().clean()
        for start, end in (("issued_from", "issued_to"), ("received_from", "received_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, _("The end date is before the start date."))
        return data

    def filters(self) -> engine.SearchFilters:
        data = self.cleaned_data
        return engine.SearchFilters(
            register_id=data["register"].pk if data.get("register") else None,
            doc_type=data.get("doc_type") or None,
            issuing_agency_id=data["issuing_agency"].pk if data.get("issuing_agency") else None,
            issued_from=data.get("issued_from"), issued_to=data.get("issued_to"),
            received_from=data.get("received_from"), received_to=data.get("received_to"),
            urgency=data.get("urgency"), status=data.get("status") or None, direction=data.get("direction") or None,
        )


class _Results:
    """The found page standing at its place among all the results, for Django's Paginator."""

    def __init__(self, result: engine.SearchPage):
        self.result = result

    def count(self) -> int:
        return self.result.pageable

    def __len__(self) -> int:
        return self.result.pageable

    def __getitem__(self, item):
        return self.result.hits


def _page_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, engine.COUNT_LIMIT // engine.PAGE_SIZE))


@login_required
def search(request):
    form = SearchForm(request.GET or None, reader=request.user)
    result = None
    if not form.is_bound or form.is_valid():
        query = form.cleaned_data.get("q", "") if form.is_bound else ""
        filters = form.filters() if form.is_bound else engine.SearchFilters()
        number = _page_number(request.GET.get("page"))
        result = engine.search(request.user, query, filters=filters, offset=(number - 1) * engine.PAGE_SIZE)
        if not result.hits and result.total and result.offset:  # past the end: show the last page
            last = (result.pageable - 1) // engine.PAGE_SIZE
            result = engine.search(request.user, query, filters=filters, offset=last * engine.PAGE_SIZE)
    page = None
    if result is not None:
        page = Paginator(_Results(result), engine.PAGE_SIZE).get_page(result.offset // engine.PAGE_SIZE + 1)
    return render(request, "documents/search.html", {"form": form, "result": result, "page": page})
