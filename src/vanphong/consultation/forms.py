"""Forms of the consultation pages: they parse input; the services check it and say what is wrong."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vanphong.documents.forms import DateInput
from vanphong.org.models import Agency, Person, Unit

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FILE_ACCEPT = ".docx,.pdf,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class StartForm(forms.Form):
    title = forms.CharField(label=_("Title of the draft"), max_length=500,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. Draft resolution on electronic documents")}))
    deadline = forms.DateField(label=_("Deadline for comments"), input_formats=DATE_FORMATS, widget=DateInput())
    file = forms.FileField(label=_("The draft (Word .docx or PDF)"), widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
                           help_text=_("Its articles (Điều) or numbered sections are found and shown one by one."))


class VersionForm(forms.Form):
    file = forms.FileField(label=_("The new version (Word .docx or PDF)"), widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}))
    note = forms.CharField(label=_("What changed"), required=False, max_length=500)


class InviteForm(forms.Form):
    units = forms.ModelMultipleChoiceField(label=_("Units of our agency"), queryset=Unit.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    people = forms.ModelMultipleChoiceField(label=_("People of our agency"), queryset=Person.objects.none(), required=False,
                                            widget=forms.SelectMultiple(attrs={"size": 6}))
    agencies = forms.ModelMultipleChoiceField(label=_("Other agencies"), queryset=Agency.objects.none(), required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 6}))
    deadline = forms.DateField(label=_("Deadline for comments"), input_formats=DATE_FORMATS, widget=DateInput(), required=False,
                               help_text=_("Empty: the consultation's deadline."))

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(agency=agency, is_active=True)
        self.fields["people"].queryset = Person.objects.filter(agency=agency, is_active=True).order_by("sort_name")
        self.fields["agencies"].queryset = Agency.objects.filter(is_active=True).exclude(pk=agency.pk).order_by("name")


class AnswerFileForm(forms.Form):
    file = forms.FileField(label=_("Your answer as a Word (.docx) or PDF file"),
                           widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
                           help_text=_("Name the articles you comment on, e.g. “Về Điều 5:” or “khoản 2 Điều 3”: each "
                                       "comment is placed on the article it names."))


class PaperForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), input_formats=DATE_FORMATS, widget=DateInput())
    agreed = forms.BooleanField(label=_("Agrees, no comment (nhất trí)"), required=False)
    text = forms.CharField(label=_("Text of the answer"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("Type it as written, one comment a paragraph, with the articles it names."))
    file = forms.FileField(label=_("Or its Word or PDF file"), required=False, widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}))


class ExchangeAnswerForm(forms.Form):
    """Which file of an incoming document holds the answer's comments, or that it agrees without comment."""

    attachment = forms.ChoiceField(label=_("The file with the comments"), required=False, widget=forms.RadioSelect)
    agreed = forms.BooleanField(label=_("The answer agrees with the draft, no comment (nhất trí)"), required=False)

    def __init__(self, *args, files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.by_pk = {str(a.pk): a for a in files}
        self.fields["attachment"].choices = [(str(a.pk), a.filename) for a in files]
        if files:
            self.fields["attachment"].initial = str(files[0].pk)

    def clean_attachment(self):
        return self.by_pk.get(self.cleaned_data.get("attachment") or "")
