"""Helpers shared by the server-rendered views."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from vanphong.core.errors import NotFound


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors by field, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def message_refusal(request, exc: Exception) -> None:
    """Show a service's refusal (ValidationError or PermissionDenied) as the page's error message,
    for actions that redirect instead of showing a form."""
    messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


REFUSED = object()  # what carry_out returns when the service refused


def carry_out(request, action, success=None, *, refusals=(ValidationError,)):
    """Call a service for an action whose view redirects afterwards. A refusal becomes the page's error message and
    REFUSED is returned; otherwise `success` (a text, or a function of the service's result that gives one) becomes
    the page's success message and the service's result is returned, for the view to choose where to go."""
    try:
        result = action()
    except refusals as exc:
        message_refusal(request, exc)
        return REFUSED
    if success is not None:
        messages.success(request, success(result) if callable(success) else success)
    return result


REFUSALS = (ValidationError, PermissionDenied)  # for actions whose service also refuses people, not only input


def message_form_errors(request, form, *, labelled: bool = False) -> None:
    """Show an invalid form's errors as the page's error message, for forms posted from a panel of another page
    that the view redirects back to. `labelled` names each field ("Date of issue: …") where its errors alone would
    not say which field they are about."""
    messages.error(request, " ".join(
        f"{form.fields[name].label}: {error}" if labelled and name in form.fields and form.fields[name].label else str(error)
        for name, errors in form.errors.items() for error in errors))


def get_or_404(selector, *args, **kwargs):
    try:
        return selector(*args, **kwargs)
    except NotFound:
        raise Http404 from None


from django import forms  # noqa: E402


class InputModelForm(forms.ModelForm):
    """A ModelForm that only parses and checks the input fields. The model itself is validated
    by the service the view calls, so that its messages (and only its) are the ones shown."""

    def _post_clean(self):
        pass
