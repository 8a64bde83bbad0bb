"""The filters of the dashboard and of the unit work lists. They parse the query string; workflow.statistics
decides what a period is and which units the reader sees."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from vanphong.core.web import add_service_errors
from vanphong.documents.forms import DateInput
from vanphong.documents.types import DocumentType
from vanphong.workflow import statistics
from vanphong.workflow.handling_forms import DATE_ERRORS

# The field's label says "Month" or "Quarter": the choices are the numbers, as on Vietnamese reports.
MONTHS = [(m, str(m)) for m in range(1, 13)]
QUARTERS = list(statistics.QUARTER_NAMES.items())


class QuickSelect(forms.Select):
    """A select drawn in Python. Django draws each option through a template: with the types, units and months,
    a quarter of the dashboard's time went on its filters."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (key, mark_safe(" selected") if str(key) in chosen else "", label) for key, label in self.choices))
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options)


def _unit_choices(units):
    return [("", _("All my units"))] + [(str(u.pk), ("— " * u.depth) + u.name) for u in units]


def _type_choices():
    return [("", _("All types"))] + list(DocumentType.choices)


class _ScopeForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"), required=False, widget=QuickSelect)
    doc_type = forms.ChoiceField(label=_("Document type"), required=False, widget=QuickSelect)

    def __init__(self, data, *, units):
        super().__init__(data)
        self.units = {str(u.pk): u for u in units}
        self.fields["unit"].choices = _unit_choices(units)
        self.fields["doc_type"].choices = _type_choices()

    def chosen_unit(self):
        return self.units.get(self.cleaned_data.get("unit") or "")


class DashboardForm(_ScopeForm):
    period = forms.ChoiceField(label=_("Period"), choices=statistics.PERIOD_KINDS, required=False, widget=QuickSelect)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int, required=False, empty_value=None, widget=QuickSelect)
    month = forms.TypedChoiceField(label=_("Month"), choices=MONTHS, coerce=int, required=False, empty_value=None, widget=QuickSelect)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput(), error_messages=DATE_ERRORS)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput(), error_messages=DATE_ERRORS)

    field_order = ["period", "year", "quarter", "month", "start", "end", "unit", "doc_type"]

    def __init__(self, data, *, units):
        today = timezone.localdate()
        # Unfilled fields show this year, quarter and month: what the page shows when nothing is chosen.
        defaults = {"period": "year", "year": today.year, "quarter": (today.month - 1) // 3 + 1, "month": today.month}
        merged = {**defaults, **{k: v for k, v in data.items() if v not in ("", None)}}
        super().__init__(merged, units=units)
        self.period = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.period = statistics.make_period(data.get("period") or "year", year=data.get("year"), quarter=data.get("quarter"),
                                                 month=data.get("month"), start=data.get("start"), end=data.get("end"))
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data


class UnitWorkForm(_ScopeForm):
    person = forms.ChoiceField(label=_("Person"), required=False, widget=QuickSelect)
    start = forms.DateField(label=_("Received from"), required=False, widget=DateInput(), error_messages=DATE_ERRORS)
    end = forms.DateField(label=_("Received until"), required=False, widget=DateInput(), error_messages=DATE_ERRORS)

    field_order = ["unit", "person", "start", "end", "doc_type"]

    def __init__(self, data, *, units, people):
        super().__init__({k: v for k, v in data.items() if k != "tab"}, units=units)
        self.people = {str(p.pk): p for p in people}
        self.fields["person"].choices = [("", _("Everyone"))] + [
            (str(p.pk), f"{p.full_name} · {p.unit.name}" if p.unit_id else p.full_name) for p in people]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The last day is before the first."))
        return data

    def chosen_person(self):
        return self.people.get(self.cleaned_data.get("person") or "")
