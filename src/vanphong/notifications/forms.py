from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vanphong.notifications.models import MAX_DAYS_BEFORE, MAX_ESCALATION_DAYS


class PreferencesForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("Also send my notifications by e-mail"), required=False)
    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES)


class ReminderPolicyForm(forms.Form):
    days_before = forms.IntegerField(
        label=_("Remind the people who hold a task this many working days before its deadline"), min_value=0,
        max_value=MAX_DAYS_BEFORE, help_text=_("0: on the day of the deadline only. A reminder also comes when the deadline has passed."))
    escalation_days = forms.IntegerField(
        label=_("Tell the leader who assigned it when a task is still overdue after this many working days"), min_value=1,
        max_value=MAX_ESCALATION_DAYS)
