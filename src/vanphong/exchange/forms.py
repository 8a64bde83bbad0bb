from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanphong.core.clearance import Clearance
from vanphong.documents.forms import DateInput
from vanphong.documents.models import Direction, Register
from vanphong.documents.types import DocumentType, Urgency
from vanphong.exchange import corrections
from vanphong.exchange.services import MAX_REASON
from vanphong.org.models import Person, Unit


class RegisterReceivedForm(forms.Form):
    register = forms.ModelChoiceField(label=_("Incoming register"), queryset=Register.objects.none(), required=False,
                                      empty_label=_("— the year's register —"))
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    confidentiality = forms.TypedChoiceField(label=_("Confidentiality"), coerce=int, choices=Clearance.choices, initial=Clearance.NONE)
    receiving_unit = forms.ModelChoiceField(label=_("Receiving unit"), queryset=Unit.objects.none(), required=False)
    distribution = forms.ModelMultipleChoiceField(label=_("Distribution (confidential documents)"), queryset=Person.objects.none(),
                                                  required=False, help_text=_("Who may read it, besides you. Only for Mật and above."))
    confirm_duplicate = forms.BooleanField(label=_("Register it anyway, even if it looks registered already"), required=False)

    def __init__(self, *args, reader, **kwargs):
        super().__init__(*args, **kwargs)
        agency = reader.agency
        registers = Register.objects.filter(agency=agency, direction=Direction.INCOMING, is_active=True, year=timezone.localdate().year)
        if reader.clearance == Clearance.NONE:
            registers = registers.filter(confidential=False)
        self.fields["register"].queryset = registers
        self.fields["confidentiality"].choices = [c for c in Clearance.choices if c[0] <= reader.clearance]
        self.fields["receiving_unit"].queryset = Unit.objects.filter(agency=agency, is_active=True).order_by("path", "sort_order", "name")
        self.fields["distribution"].queryset = Person.objects.filter(agency=agency, is_active=True,
                                                                     clearance__gte=Clearance.CONFIDENTIAL).order_by("sort_name")


class RejectReceivedForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting (sent to the sender)"), max_length=MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 3}))


class RecallForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the recall (sent to the recipients)"), max_length=MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReplaceForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the replacement (sent to the recipients)"), max_length=MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RefuseRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason for refusing (sent to the sender)"), max_length=MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 3}))


class UpdateForm(forms.Form):
    """The fields an update corrects (exchange.corrections.FIELDS), shown with the document's values."""

    subject = forms.CharField(label=_("Subject"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    signer_name = forms.CharField(label=_("Signer"), max_length=150, required=False)
    signer_position = forms.CharField(label=_("Signer's position"), max_length=150, required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    urgency = forms.TypedChoiceField(label=_("Urgency"), coerce=int, choices=Urgency.choices)
    page_count = forms.IntegerField(label=_("Pages"), required=False, min_value=1)
    copies = forms.IntegerField(label=_("Copies"), required=False, min_value=1)
    reason = forms.CharField(label=_("Reason for the correction (sent to the recipients)"), max_length=MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def for_document(cls, document):
        return cls(initial={name: getattr(document, name) for name in corrections.FIELDS}, prefix="update")


class ReplyForm(forms.Form):
    """The reply to a document received through the exchange: its type, subject and files (a Word or PDF answer)."""

    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices, initial=DocumentType.CONG_VAN)
    subject = forms.CharField(label=_("Subject"), max_length=500)
    file = forms.FileField(label=_("Its file (Word or PDF)"), required=False,
                           help_text=_("For comments on a draft: name the articles, e.g. “Về Điều 5:”."))
