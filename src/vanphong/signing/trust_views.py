"""The trusted roots page: the root certificates of other authorities whose signatures this
instance accepts. Only trust managers (signing.permissions) get past the selectors; the services
check again, refuse what is not a usable root and write the audit records."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanphong.core.errors import ValidationError
from vanphong.core.web import add_service_errors, get_or_404
from vanphong.signing import selectors, services

# A root certificate is a few kilobytes; a file far larger is not one.
MAX_ROOT_BYTES = 64 * 1024


class TrustedRootForm(forms.Form):
    certificate = forms.FileField(label=gettext_lazy("Root certificate (PEM or DER)"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False,
                           help_text=gettext_lazy("Left empty: the certificate's own name."))

    def clean_certificate(self):
        upload = self.cleaned_data["certificate"]
        if upload.size > MAX_ROOT_BYTES:
            raise forms.ValidationError(_("This file is too large to be a certificate."))
        return upload.read()


@login_required
def roots(request):
    listed = list(selectors.trusted_roots(request.user))
    form = TrustedRootForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            root = services.add_trusted_root(request.user, form.cleaned_data["certificate"], name=form.cleaned_data["name"],
                                             request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” is now a trusted root.") % {"name": root.name})
            return redirect("trust:roots")
    return render(request, "signing/trusted_roots.html", {"roots": listed, "form": form})


@login_required
def remove(request, pk):
    root = get_or_404(selectors.trusted_root, request.user, pk)
    if request.method == "POST":
        services.remove_trusted_root(request.user, root, request=request)
        messages.success(request, _("“%(name)s” is no longer trusted.") % {"name": root.name})
        return redirect("trust:roots")
    return render(request, "signing/trusted_root_remove.html", {"root": root})
