"""Errors that services raise; views and the API turn them into messages in the user's language."""

from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401  (re-exported)


class NotFound(Exception):
    """The object does not exist, or the user may not know that it does: both look the same."""
