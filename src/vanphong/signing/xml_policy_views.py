"""The page where an administrator decides whether SHA-1 XML signatures from other systems are
accepted (signing.xml_services.set_sha1_accepted checks and audits the change)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanphong.signing import selectors, xml_services

ACCEPT, REFUSE = "accept", "refuse"


class XmlPolicyForm(forms.Form):
    sha1 = forms.ChoiceField(
        label=gettext_lazy("XML signatures made with SHA-1 (rsa-sha1, sha1 digests)"), widget=forms.RadioSelect,
        choices=[(REFUSE, gettext_lazy("Refuse them (recommended)")),
                 (ACCEPT, gettext_lazy("Accept them, flagged as weak in every verification report"))])


@login_required
def xml_policy(request):
    policy = selectors.xml_signature_policy(request.user)
    form = XmlPolicyForm(request.POST or None, initial={"sha1": ACCEPT if policy.accept_sha1 else REFUSE})
    if request.method == "POST" and form.is_valid():
        accepted = form.cleaned_data["sha1"] == ACCEPT
        xml_services.set_sha1_accepted(request.user, accepted, request=request)
        messages.success(request, _("SHA-1 XML signatures from other systems are accepted, and flagged as weak.") if accepted
                         else _("SHA-1 XML signatures from other systems are refused."))
        return redirect("signing:xml_policy")
    return render(request, "signing/xml_policy.html", {"policy": policy, "form": form})
