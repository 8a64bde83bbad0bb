"""Forms of the handling pages. They parse input; the services in workflow.handling decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vanphong.documents.forms import DateInput, MultipleFileField
from vanphong.documents.types import DocumentType
from vanphong.workflow.handling import MAX_TEXT

DATE_ERRORS = {"invalid": _("Enter the date as dd/mm/yyyy, for example 02/01/2026.")}


def _text_area(rows=3):
    return forms.Textarea(attrs={"rows": rows, "maxlength": MAX_TEXT})


class TargetChoices:
    """Units and people offered as "unit:ID" and "person:ID", grouped, and turned back into records."""

    def __init__(self, units, people):
        self.by_value = {f"unit:{u.pk}": u for u in units} | {f"person:{p.pk}": p for p in people}
        self.choices = []
        if units:
            self.choices.append((_("Units"), [(f"unit:{u.pk}", ("— " * u.depth) + u.name) for u in units]))
        if people:
            self.choices.append((_("People"), [(f"person:{p.pk}", f"{p.full_name} · {p.unit.name}" if p.unit_id else p.full_name)
                                               for p in people]))

    def get(self, value):
        return self.by_value.get(value)


class AssignForm(forms.Form):
    lead = forms.ChoiceField(label=_("Lead (chủ trì)"), help_text=_("The unit or person responsible for the result."))
    coordinators = forms.MultipleChoiceField(label=_("Coordinating (phối hợp)"), required=False,
                                             help_text=_("Hold Ctrl to choose several."))
    informed = forms.MultipleChoiceField(label=_("For information (để biết)"), required=False,
                                         help_text=_("Hold Ctrl to choose several."))
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput(), error_messages=DATE_ERRORS)
    instructions = forms.CharField(label=_("Instructions (ý kiến chỉ đạo)"), required=False, widget=_text_area())

    def __init__(self, *args, targets: TargetChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.fields["lead"].choices = [("", _("— choose —"))] + targets.choices
        self.fields["coordinators"].choices = targets.choices
        self.fields["informed"].choices = targets.choices

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"lead": self.targets.get(data["lead"]), "coordinators": [self.targets.get(v) for v in data["coordinators"]],
                "informed": [self.targets.get(v) for v in data["informed"]], "deadline": data["deadline"],
                "instructions": data["instructions"]}


class PassDownForm(forms.Form):
    to = forms.ChoiceField(label=_("Pass to"))
    instructions = forms.CharField(label=_("Instructions"), required=False, widget=_text_area())

    def __init__(self, *args, targets: TargetChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.fields["to"].choices = [("", _("— choose —"))] + targets.choices


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Progress note"), widget=_text_area(4))
    files = MultipleFileField(label=_("Files"), required=False)
    finished = forms.BooleanField(label=_("My part is finished"), required=False,
                                  help_text=_("Coordinators: your part leaves your to-do list."))

    def __init__(self, *args, coordinator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not coordinator:
            del self.fields["finished"]


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason for returning it"), widget=_text_area())


class ExtensionForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline asked for"), widget=DateInput(), error_messages=DATE_ERRORS)
    reason = forms.CharField(label=_("Why more time is needed"), widget=_text_area())


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("grant", _("Grant more time")), ("refuse", _("Refuse"))])
    deadline = forms.DateField(label=_("New deadline"), required=False, widget=DateInput(), error_messages=DATE_ERRORS,
                               help_text=_("When granting: the date asked for, unless you set another."))
    note = forms.CharField(label=_("Note"), required=False, widget=_text_area(2),
                           help_text=_("Required when refusing: the reason."))


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("Result"), widget=_text_area(5))
    reply_type = forms.ChoiceField(label=_("Draft a reply"), required=False,
                                   # A reply is most often a công văn: it comes first.
                                   choices=[("", _("No reply"))] + sorted(DocumentType.choices, key=lambda c: c[0] != DocumentType.CONG_VAN),
                                   help_text=_("Creates an outgoing draft of this type from the result, for approval and issue."))
    reply_subject = forms.CharField(label=_("Subject of the reply"), required=False, max_length=500,
                                    help_text=_("By default: “Reply to” and the document's number and subject."))
