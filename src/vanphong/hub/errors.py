"""The hub's refusals, each with the national hub's reply shape: an ErrorCode ("0" is success), a
message for people (ErrorDesc) and the HTTP status that tells a client whether to try again."""

from __future__ import annotations


class Code:
    MALFORMED = "1"
    NOT_AUTHENTICATED = "2"
    FORBIDDEN = "3"
    UNKNOWN_AGENCY = "4"
    TOO_LARGE = "5"
    NOT_FOUND = "6"
    LENGTH_REQUIRED = "7"
    UNAVAILABLE = "9"


class HubError(Exception):
    def __init__(self, code: str, message: str, http_status: int):
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status


def malformed(message: str) -> HubError:
    return HubError(Code.MALFORMED, message, 400)


def forbidden(message: str) -> HubError:
    return HubError(Code.FORBIDDEN, message, 403)


def unknown_agency(message: str) -> HubError:
    return HubError(Code.UNKNOWN_AGENCY, message, 422)


def not_found(message: str) -> HubError:
    return HubError(Code.NOT_FOUND, message, 404)
