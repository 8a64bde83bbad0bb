from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanphong.core.clearance import Clearance
from vanphong.core.web import InputModelForm
from vanphong.documents.models import Direction, Document, Register
from vanphong.documents.types import DocumentType
from vanphong.org.models import Agency, Person, Unit


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class DateInput(forms.DateInput):
    """dd/mm/yyyy whatever the browser's locale (a native date input follows the operating
    system's, which is often English in Vietnamese offices)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", **(attrs or {})},
                         format="%d/%m/%Y")


def _people(agency):
    return Person.objects.filter(agency=agency, is_active=True).order_by("sort_name")


def _units(agency):
    return Unit.objects.filter(agency=agency, is_active=True).order_by("path", "sort_order", "name")


class IncomingForm(InputModelForm):
    register = forms.ModelChoiceField(label=_("Register"), queryset=Register.objects.none(), required=False,
                                      empty_label=_("— the year's register —"))
    files = MultipleFileField(label=_("Files (scans, PDF, Word, Excel)"), required=False)
    distribution = forms.ModelMultipleChoiceField(label=_("Distribution (confidential documents)"), queryset=Person.objects.none(),
                                                  required=False, help_text=_("Who may read it, besides you. Only for Mật and above."))
    confirm_duplicate = forms.BooleanField(label=_("Register it anyway"), required=False)

    class Meta:
        model = Document
        fields = ["register", "doc_type", "code_number", "code_notation", "issued_date", "issuing_agency", "issuing_agency_name",
                  "subject", "signer_name", "signer_position", "signer_competence", "urgency", "confidentiality", "due_date",
                  "page_count", "receiving_unit", "receiving_person", "notes"]
        widgets = {"issued_date": DateInput(), "due_date": DateInput(), "subject": forms.Textarea(attrs={"rows": 3}),
                   "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, reader, **kwargs):
        super().__init__(*args, **kwargs)
        agency = reader.agency
        registers = Register.objects.filter(agency=agency, direction=Direction.INCOMING, is_active=True, year=timezone.localdate().year)
        if reader.clearance == Clearance.NONE:
            registers = registers.filter(confidential=False)
        self.fields["register"].queryset = registers
        self.fields["issuing_agency"].queryset = Agency.objects.exclude(pk=agency.pk).order_by("name")
        self.fields["issuing_agency"].required = False
        self.fields["receiving_unit"].queryset = _units(agency)
        self.fields["receiving_person"].queryset = _people(agency)
        self.fields["distribution"].queryset = _people(agency).filter(clearance__gte=Clearance.CONFIDENTIAL)
        self.fields["confidentiality"].choices = [c for c in Clearance.choices if c[0] <= reader.clearance]
        self.fields["doc_type"].choices = [("", "—")] + DocumentType.choices


class OutgoingForm(InputModelForm):
    files = MultipleFileField(label=_("Files (the draft, appendices)"), required=False)
    recipient_units = forms.ModelMultipleChoiceField(label=_("Recipient units of the agency"), queryset=Unit.objects.none(), required=False)
    recipient_agencies = forms.ModelMultipleChoiceField(label=_("Recipient agencies"), queryset=Agency.objects.none(), required=False,
                                                        help_text=_("From the directory; the exchange will deliver to them."))
    recipient_places = forms.CharField(label=_("Other recipients (Nơi nhận), one per line"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    distribution = forms.ModelMultipleChoiceField(label=_("Distribution (confidential documents)"), queryset=Person.objects.none(),
                                                  required=False)

    class Meta:
        model = Document
        fields = ["doc_type", "subject", "signer_name", "signer_position", "signer_competence", "urgency", "confidentiality",
                  "due_date", "page_count", "copies", "drafting_unit", "file_copy_unit", "notes"]
        widgets = {"due_date": DateInput(), "subject": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, reader, **kwargs):
        super().__init__(*args, **kwargs)
        agency = reader.agency
        for name in ("drafting_unit", "file_copy_unit", "recipient_units"):
            self.fields[name].queryset = _units(agency)
        self.fields["drafting_unit"].initial = reader.unit_id
        self.fields["recipient_agencies"].queryset = Agency.objects.exclude(pk=agency.pk).filter(is_active=True).order_by("name")
        self.fields["distribution"].queryset = _people(agency).filter(clearance__gte=Clearance.CONFIDENTIAL)
        self.fields["confidentiality"].choices = [c for c in Clearance.choices if c[0] <= reader.clearance]
        self.fields["doc_type"].choices = [("", "—")] + DocumentType.choices

    def recipients(self):
        data = self.cleaned_data
        places = [line.strip() for line in data.get("recipient_places", "").splitlines() if line.strip()]
        return {"recipient_units": data.get("recipient_units") or [], "recipient_agencies": data.get("recipient_agencies") or [],
                "recipient_places": places}


class RegisterForm(InputModelForm):
    class Meta:
        model = Register
        fields = ["direction", "year", "name", "code", "confidential"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class IssueForm(forms.Form):
    register = forms.ModelChoiceField(label=_("Outgoing register"), queryset=Register.objects.none(), required=False,
                                      empty_label=_("— the year's register —"))

    def __init__(self, *args, document, **kwargs):
        super().__init__(*args, **kwargs)
        registers = Register.objects.filter(agency=document.agency, direction=Direction.OUTGOING, is_active=True,
                                            year=timezone.localdate().year, confidential=document.confidentiality > 0)
        self.fields["register"].queryset = registers
