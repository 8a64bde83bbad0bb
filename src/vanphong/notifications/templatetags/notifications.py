"""{% notification_preferences %}: the panel of My account where a person turns e-mails on or off."""

from django import template

from vanphong.notifications.forms import PreferencesForm
from vanphong.notifications.selectors import preferences_of

register = template.Library()


@register.inclusion_tag("notifications/_preferences_panel.html", takes_context=True)
def notification_preferences(context):
    request = context["request"]
    current = preferences_of(request.user)
    form = PreferencesForm(initial={"email_enabled": current.email_enabled, "language": current.language})
    return {"form": form, "preferences": current, "request": request, "csrf_token": context.get("csrf_token")}
