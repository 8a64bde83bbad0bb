"""{% badges document %}: the urgency and confidentiality marks of a document.

A tag rather than an included template: lists render it on every row, and an include costs a
context and a template lookup each time (an eighth of the inbox page)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def badges(document) -> SafeString:
    marks = []
    if document.urgency:
        marks.append(format_html('<span class="badge urgency-{}">{}</span>', document.urgency, document.urgency_label))
    if document.confidentiality:
        marks.append(format_html('<span class="badge secret">{}</span>', document.confidentiality_label))
    return mark_safe("".join(marks))
