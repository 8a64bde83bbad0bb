from django import forms
from django.utils.translation import gettext_lazy as _

from vanphong.core.clearance import Clearance
from vanphong.core.web import InputModelForm
from vanphong.org.models import Agency, Person, Role, Unit


class AgencyForm(InputModelForm):
    class Meta:
        model = Agency
        fields = ["code", "name", "short_name", "notation_code", "notation_scheme", "parent", "hosted", "address", "email", "phone", "website", "is_active"]
        widgets = {"code": forms.TextInput(attrs={"placeholder": "000.00.00.G22", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Agency.objects.order_by("name")
        self.fields["parent"].required = False
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["parent"].queryset = Agency.objects.exclude(pk=self.instance.pk).order_by("name")



class FirstAdminForm(forms.Form):
    """Optional: the first administrator of a new hosted agency."""

    admin_username = forms.CharField(label=_("Administrator's username"), max_length=60, required=False)
    admin_full_name = forms.CharField(label=_("Administrator's full name"), max_length=150, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("admin_username")) != bool(data.get("admin_full_name")):
            raise forms.ValidationError(_("Give both the username and the full name of the first administrator, or neither."))
        return data


class UnitForm(InputModelForm):
    class Meta:
        model = Unit
        fields = ["name", "short_name", "parent", "sort_order", "is_active"]

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Unit.objects.filter(agency=agency).order_by("path", "sort_order", "name")
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk).exclude(path__startswith=f"{self.instance.path}{self.instance.pk}/")
        self.fields["parent"].queryset = qs
        self.fields["parent"].required = False
        self.fields["parent"].empty_label = _("— top level —")



class PersonForm(InputModelForm):
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.Code.choices, required=False, widget=forms.CheckboxSelectMultiple)
    clearance = forms.TypedChoiceField(label=_("Clearance"), choices=Clearance.choices, coerce=int, initial=Clearance.NONE)

    class Meta:
        model = Person
        fields = ["username", "full_name", "email", "phone", "unit", "position", "clearance", "is_active"]
        widgets = {"username": forms.TextInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(agency=agency, is_active=True).order_by("path", "sort_order", "name")
        self.fields["unit"].required = False
        if self.instance.pk:
            self.fields["username"].disabled = True
            self.initial["roles"] = sorted(self.instance.role_codes())

