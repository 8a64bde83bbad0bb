"""The helpers every server-rendered view shares to show a refusal."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory
from django.utils import translation

from vanphong.core.web import message_form_errors


class _Form(forms.Form):
    reason = forms.CharField(label="Reason", max_length=5)
    day = forms.DateField(label="Date of issue")


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_an_invalid_form_becomes_one_error_message_with_every_error():
    form = _Form({"reason": "too long a reason", "day": "not a date"})
    request = _request()
    with translation.override("en"):
        assert not form.is_valid()
        message_form_errors(request, form)
    [message] = list(get_messages(request))
    assert message.level_tag == "error"
    assert "at most 5 characters" in message.message and "Enter a valid date." in message.message
    assert "Date of issue" not in message.message


def test_labelled_errors_name_their_field():
    form = _Form({"reason": "ok", "day": "not a date"})
    request = _request()
    with translation.override("en"):
        assert not form.is_valid()
        message_form_errors(request, form, labelled=True)
    [message] = list(get_messages(request))
    assert message.message == "Date of issue: Enter a valid date."


def test_carry_out_shows_the_refusal_and_returns_refused():
    from django.core.exceptions import PermissionDenied, ValidationError

    from vanphong.core.web import REFUSALS, REFUSED, carry_out

    def refuse():
        raise ValidationError("Not now.")

    request = _request()
    assert carry_out(request, refuse, "Done.") is REFUSED
    [message] = list(get_messages(request))
    assert (message.level_tag, message.message) == ("error", "Not now.")

    def deny():
        raise PermissionDenied("Not yours.")

    request = _request()
    assert carry_out(request, deny, "Done.", refusals=REFUSALS) is REFUSED
    assert [m.message for m in get_messages(request)] == ["Not yours."]
    try:  # by default only input is refused politely: a permission refusal stays a 403
        carry_out(_request(), deny, "Done.")
    except PermissionDenied:
        pass
    else:
        raise AssertionError("PermissionDenied was swallowed")


def test_carry_out_returns_the_result_with_its_success_message():
    from vanphong.core.web import carry_out

    request = _request()
    assert carry_out(request, lambda: 3, lambda n: f"{n} sent.") == 3
    [message] = list(get_messages(request))
    assert (message.level_tag, message.message) == ("success", "3 sent.")
    request = _request()
    assert carry_out(request, lambda: None, "Saved.") is None
    assert [m.message for m in get_messages(request)] == ["Saved."]
