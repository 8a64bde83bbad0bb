from django import forms
from django.utils.translation import gettext_lazy as _

from vanphong.documents.forms import DateInput
from vanphong.documents.types import DocumentType, Urgency
from vanphong.workflow.models import MAX_DEADLINE_DAYS, CalendarChange


class CalendarChangeForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput(),
                          error_messages={"invalid": _("Enter the date as dd/mm/yyyy, for example 02/01/2026.")})
    kind = forms.ChoiceField(
        label=_("The day becomes"), widget=forms.RadioSelect, initial=CalendarChange.Kind.DAY_OFF,
        choices=[(CalendarChange.Kind.DAY_OFF, _("a day off: no deadline falls on it")),
                 (CalendarChange.Kind.WORKING_DAY, _("a working day, e.g. a Saturday worked in exchange for a day off"))],
    )
    name = forms.CharField(label=_("Reason"), max_length=200,
                           help_text=_("Shown in the calendar, e.g. “Extra Tết day, Notice 6150/TB-BLĐTBXH”."))


class DeadlineRuleForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), required=False, choices=[("", _("Any type"))] + DocumentType.choices)
    urgency = forms.TypedChoiceField(label=_("Urgency"), required=False, coerce=int, empty_value=None,
                                     choices=[("", _("Any urgency"))] + sorted(Urgency.choices, reverse=True))
    working_days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=MAX_DEADLINE_DAYS)
