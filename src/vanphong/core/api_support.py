"""Pieces every app's REST API shares: authentication, error bodies in the user's language,
bounded input types and pagination.

Error bodies have one shape: {"detail": "message"} for 400, 401, 403 and 404, and
{"detail": [{"field": "name", "message": "..."}]} for 422. Messages are translated with the
language the LocaleMiddleware activated (Accept-Language or the language cookie)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import AfterValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from vanphong.accounts.services import person_for_token, session_is_complete
from vanphong.core.errors import NotFound

# Primary keys are BigAutoFields.
MAX_ID = 2**63 - 1
# Offsets past this are not a page anyone reads; the bound keeps the SQL integer in range.
MAX_OFFSET = 2**31 - 1
MAX_PAGE = 500
DEFAULT_PAGE = 50

# ---- authentication --------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """`Authorization: Bearer vp_…`: a token made by accounts.services.create_api_token."""

    def authenticate(self, request, token):
        person = person_for_token(token)
        if person is not None:
            request.user = person
        return person


class CompleteSessionAuth(APIKeyCookie):
    """The browser's session, once the sign-in is complete (temporary password changed and, where
    the roles require it, the second factor given). Unsafe methods must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # CSRF is checked in authenticate(), only for a session that would be accepted: a caller
        # without a session gets 401, not a CSRF error.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        if not key or request.headers.get("Authorization"):
            # A caller that sent credentials of its own does not fall back to a session.
            return None
        if not session_is_complete(request):
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise DjangoPermissionDenied(_("CSRF verification failed. Request aborted."))
        return request.user


# ---- error bodies ---------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str | None = Field(description="The input field at fault (dotted for nested values); null for the request as a whole.")
    message: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


def error_responses(*codes: int) -> dict[int, type[Schema]]:
    return {code: ValidationErrorOut if code == 422 else ErrorOut for code in codes}


# Service errors name model fields; the API names a foreign key by its id field.
_FIELD_NAMES = {"parent": "parent_id", "unit": "unit_id", "agency": "agency_id", NON_FIELD_ERRORS: None}


def _api_field(name: str | None) -> str | None:
    return _FIELD_NAMES.get(name, name) if name is not None else None


def service_error_detail(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [{"field": _api_field(field), "message": message} for field, messages in exc.message_dict.items() for message in messages]
    return [{"field": None, "message": message} for message in exc.messages]


def _input_message(error: dict) -> str:
    """A pydantic error in words the user reads. Django's own messages are reused where they fit:
    they are translated already."""
    kind, ctx, value = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    if ctx.get("message"):
        return str(ctx["message"])  # our own validators put a translated message here
    if kind == "missing":
        return _("This field is required.")
    if value is None and kind.endswith("_type"):
        return _("This field cannot be null.")
    if kind == "string_too_long":
        limit = ctx.get("max_length", 0)
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": len(value) if isinstance(value, str) else limit + 1}
    if kind == "string_too_short":
        limit = ctx.get("min_length", 1)
        if limit == 1:
            return _("This field cannot be blank.")
        return ngettext(
            "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": len(value) if isinstance(value, str) else 0}
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return _("Enter a whole number.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": ctx.get("le", ctx.get("lt"))}
    if kind in ("literal_error", "enum"):
        return _("Select a valid choice. %(value)s is not one of the available choices.") % {"value": _short(value)}
    if kind in ("bool_parsing", "bool_type"):
        return _("“%(value)s” value must be either True or False.") % {"value": _short(value)}
    if kind == "list_type":
        return _("Enter a list of values.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("Expected an object with named fields.")
    if kind == "string_type":
        return _("Expected text.")
    return _("Enter a valid value.")


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _input_field(loc) -> str | None:
    # ("body", "payload", "first_admin", "username") → "first_admin.username"; ("query", "limit") → "limit"
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and parts:
        parts = parts[1:]
    return ".".join(parts) or None


class VanPhongAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # vanphong.org.api.list_units → org_list_units
        return f"{operation.view_func.__module__.split('.')[1]}_{operation.view_func.__name__}"

    def validation_error_from_error_contexts(self, error_contexts):
        # Ninja drops the input before handlers see the errors; messages are made here, while it
        # is still known (a length, the refused choice).
        errors = []
        for context in error_contexts:
            model = context.model
            for e in context.pydantic_validation_error.errors(include_url=False):
                loc = (model.__ninja_param_source__,) + model.__ninja_flatten_map_reverse__.get(e["loc"], e["loc"])
                errors.append({"field": _input_field(loc), "message": _input_message(e)})
        return NinjaValidationError(errors)


def install_error_handlers(api) -> None:
    def respond(request, status: int, detail):
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request, exc):
        return respond(request, 422, exc.errors)

    @api.exception_handler(DjangoValidationError)
    def invalid_for_service(request, exc):
        return respond(request, 422, service_error_detail(exc))

    @api.exception_handler(NotFound)
    def not_found(request, exc):
        return respond(request, 404, _("Not found, or you may not see it."))

    @api.exception_handler(Http404)
    def http_not_found(request, exc):
        return respond(request, 404, _("Not found, or you may not see it."))

    @api.exception_handler(DjangoPermissionDenied)
    def denied(request, exc):
        return respond(request, 403, str(exc) or _("You may not do this."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = respond(request, 401, _("Sign in or send a valid API token: Authorization: Bearer vp_…"))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if exc.status_code == 400:
            return respond(request, 400, _("The request body is not valid JSON."))
        return respond(request, exc.status_code, str(exc))


# ---- bounded input types ----------------------------------------------------------------------------

_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def invalid(message: str) -> PydanticCustomError:
    """An input error whose message is already in the user's language."""
    return PydanticCustomError("value_error", "{message}", {"message": message})


def _no_control_characters(value: str) -> str:
    # NUL cannot be stored by PostgreSQL, lone surrogates by any UTF-8 database; the rest of Cc is
    # never meant in a name or an address.
    for ch in value:
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs"):
            raise invalid(_("The text contains control characters."))
    return value


def Text(max_length: int, min_length: int = 0, pattern: str | None = None) -> Any:  # noqa: N802  (a type factory)
    """A string bounded like the model field it goes to, without control characters."""
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length, pattern=pattern), AfterValidator(_no_control_characters)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _drop_default(schema: dict) -> None:
    schema.pop("default", None)


def Absent() -> Any:  # noqa: N802  (reads as a default value)
    """Default of a PATCH field: it may be left out, but not sent as null (unless its type says so).
    The handler reads the fields that were sent with model_dump(exclude_unset=True)."""
    return Field(default=None, json_schema_extra=_drop_default)


class InputSchema(Schema):
    """Request bodies: unknown fields are refused, so a typo is an error and not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(Schema):
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="Items per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


def page(queryset, query: PageQuery) -> dict:
    """{"count": total, "items": one page}; the order must be total (end with the primary key)."""
    return {"count": queryset.count(), "items": list(queryset[query.offset : query.offset + query.limit])}


def capped_page(queryset, query: PageQuery, *, count_limit: int = 1000) -> dict:
    """page() for lists that grow to millions (a person's or a unit's tasks): counts at most `count_limit` rows,
    as the pages do (core.paging.CappedPaginator); "count_exact": false says there are more."""
    counted = queryset.order_by()[: count_limit + 1].count()
    return {"count": min(counted, count_limit), "count_exact": counted <= count_limit,
            "items": list(queryset[query.offset : query.offset + query.limit])}
