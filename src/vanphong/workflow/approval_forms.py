"""Forms of the approval pages. They parse input; the services in workflow.approval decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vanphong.core.web import InputModelForm
from vanphong.documents.forms import DateInput
from vanphong.documents.models import Document
from vanphong.documents.types import DocumentType
from vanphong.workflow.approval import EDITABLE_FIELDS, StepSpec
from vanphong.workflow.handling import MAX_TEXT
from vanphong.workflow.models import StepRole

CHAIN_ROWS = 6


def _text_area(rows=3):
    return forms.Textarea(attrs={"rows": rows, "maxlength": MAX_TEXT})


def _person_label(p) -> str:
    return f"{p.full_name} · {p.unit.name}" if p.unit_id else p.full_name


class ChainForm(forms.Form):
    """A chain as rows of steps, in order; empty rows are left out."""

    def __init__(self, *args, units, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.units, self.people = {str(u.pk): u for u in units}, {str(p.pk): p for p in people}
        unit_choices = [("", "—")] + [(str(u.pk), ("— " * u.depth) + u.name) for u in units]
        person_choices = [("", "—")] + [(str(p.pk), _person_label(p)) for p in people]
        for n in range(1, CHAIN_ROWS + 1):
            self.fields[f"role_{n}"] = forms.ChoiceField(label=_("Step %(n)s: who approves") % {"n": n}, required=False,
                                                         choices=[("", _("— no step —"))] + StepRole.choices)
            self.fields[f"person_{n}"] = forms.ChoiceField(label=_("Step %(n)s: person") % {"n": n}, required=False, choices=person_choices)
            self.fields[f"unit_{n}"] = forms.ChoiceField(label=_("Step %(n)s: unit") % {"n": n}, required=False, choices=unit_choices)
            self.fields[f"self_{n}"] = forms.BooleanField(label=_("Step %(n)s: the drafter may approve it") % {"n": n}, required=False)

    def rows(self):
        return [[self[f"{name}_{n}"] for name in ("role", "person", "unit", "self")] for n in range(1, CHAIN_ROWS + 1)]

    @staticmethod
    def initial_from(chain) -> dict:
        initial = {}
        for n, step in enumerate(chain.steps.all(), 1):
            initial.update({f"role_{n}": step.role, f"person_{n}": step.person_id or "", f"unit_{n}": step.unit_id or "",
                            f"self_{n}": step.drafter_may_approve})
        return initial

    def steps(self) -> list[StepSpec]:
        data = self.cleaned_data
        return [StepSpec(role=data[f"role_{n}"], person=self.people.get(data[f"person_{n}"]), unit=self.units.get(data[f"unit_{n}"]),
                         drafter_may_approve=data[f"self_{n}"])
                for n in range(1, CHAIN_ROWS + 1) if data[f"role_{n}"]]


class ChainTypeForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Chain for"), required=False,
                                 choices=[("", _("Any other type (the agency's default chain)"))] + DocumentType.choices)


class UnitHeadForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"))
    person = forms.ChoiceField(label=_("Head"), required=False, help_text=_("Leave empty to name no one."))

    def __init__(self, *args, units, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.units, self.people = {str(u.pk): u for u in units}, {str(p.pk): p for p in people}
        self.fields["unit"].choices = [("", _("— choose —"))] + [(str(u.pk), ("— " * u.depth) + u.name) for u in units]
        self.fields["person"].choices = [("", "—")] + [(str(p.pk), _person_label(p)) for p in people]


class SubmitForm(forms.Form):
    signer = forms.ChoiceField(label=_("Leader who signs"), required=False)
    comment = forms.CharField(label=_("Message to the approvers"), required=False, widget=_text_area(2))

    def __init__(self, *args, leaders=None, **kwargs):
        kwargs.setdefault("auto_id", "submit_%s")  # the draft's page holds several forms
        super().__init__(*args, **kwargs)
        self.leaders = {str(p.pk): p for p in leaders or []}
        if leaders:
            self.fields["signer"].required = True
            self.fields["signer"].choices = [("", _("— choose —"))] + [(str(p.pk), f"{p.full_name} · {p.position}" if p.position
                                                                        else p.full_name) for p in leaders]
        else:
            del self.fields["signer"]


class ApproveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, widget=_text_area(2))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "approve_%s")
        super().__init__(*args, **kwargs)


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("Comments: what should change"), widget=_text_area(3))
    to = forms.ChoiceField(label=_("Return to"), widget=forms.RadioSelect, initial="drafter", required=False,
                           choices=[("drafter", _("the drafter")), ("previous", _("the previous step"))])

    def __init__(self, *args, has_previous: bool = True, **kwargs):
        kwargs.setdefault("auto_id", "return_%s")
        super().__init__(*args, **kwargs)
        if not has_previous:
            del self.fields["to"]


class EditForm(InputModelForm):
    file = forms.FileField(label=_("New main file"), required=False,
                           help_text=_("The draft's new text (PDF, Word…). Leave empty to keep the current file."))
    note = forms.CharField(label=_("What changed"), required=False, widget=_text_area(2))

    class Meta:
        model = Document
        fields = list(EDITABLE_FIELDS)
        widgets = {"due_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"due_date": {"invalid": _("Enter the date as dd/mm/yyyy, for example 02/01/2026.")}}

    field_order = ["file", "note", *EDITABLE_FIELDS]

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class CompareForm(forms.Form):
    old = forms.TypedChoiceField(label=_("Compare version"), coerce=int)
    new = forms.TypedChoiceField(label=_("with version"), coerce=int)

    def __init__(self, *args, numbers, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("old", "new"):
            self.fields[name].choices = [(n, str(n)) for n in numbers]
