"""Labels of model choices in the active language, translated once per language.

Django's get_FOO_display() hashes every lazily translated choice on each call, which forces each
translation: a list of fifty documents spent a quarter of its time there, and a bulk import of a
million documents cannot afford it at all."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Choices
from django.utils import translation


def choice_label(choices: type[Choices], value) -> str:
    """The label of `value` among `choices`, in the active language; the value itself if unknown."""
    return _labels(choices, translation.get_language()).get(value, value)


@lru_cache(maxsize=128)
def _labels(choices: type[Choices], language: str | None) -> dict:
    return {value: str(label) for value, label in choices.choices}
