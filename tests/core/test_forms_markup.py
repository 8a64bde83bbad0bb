"""The shared field markup (includes/field.html): what a screen reader is told about a field."""

import re

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    title = forms.CharField(label="Trích yếu", help_text="Tóm tắt nội dung văn bản.")
    kind = forms.ChoiceField(label="Loại", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, help_text="Chọn một loại.")
    note = forms.CharField(label="Ghi chú", required=False)


def test_every_help_text_is_the_description_its_field_points_to():
    form = _Form()
    for name in ("title", "kind"):
        html = render_to_string("includes/field.html", {"field": form[name]})
        described = set(re.findall(r'aria-describedby="([^"]+)"', html))
        helps = set(re.findall(r'<small class="help" id="([^"]+)"', html))
        assert described and described == helps, (name, html)
    assert "aria-describedby" not in render_to_string("includes/field.html", {"field": form["note"]})
