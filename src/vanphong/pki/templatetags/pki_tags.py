"""The status badge of a certificate row, as a tag: an include on each of fifty rows costs more
than the rows themselves."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def certificate_status(cert):
    """`cert` went through pki.display.mark (expired, expiring_soon)."""
    if cert.status == "revoked":
        kind, text = "bad", _("Revoked")
    elif cert.expired:
        kind, text = "bad", _("Expired")
    elif cert.expiring_soon:
        kind, text = "warn", _("Expires soon")
    else:
        kind, text = "ok", _("Valid")
    return format_html('<span class="badge status {}">{}</span>', kind, text)
