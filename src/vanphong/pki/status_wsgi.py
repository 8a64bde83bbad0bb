"""The OCSP responder mounted straight on WSGI, ahead of Django.

Relying parties ask about every certificate of every signature they check, thousands of times a
second across a network. Django's middleware (sessions, CSRF, language, security headers) does
nothing for these anonymous binary requests but costs as much as the answer itself, so
vanphong.wsgi sends the responder's paths here and everything else to Django. The answers are
pki.ocsp's, the same that pki.views give Django's test client and development server.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection, connections
from django.urls import reverse

from vanphong.pki import ocsp

logger = logging.getLogger("django.request")


def _reply(start_response, status: str, body: bytes = b"", content_type: str = "application/ocsp-response") -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _answer(environ) -> tuple[str, bytes | None]:
    method = environ.get("REQUEST_METHOD", "GET")
    tail = environ.get("PATH_INFO", "")[len(ocsp_path()) :]
    if method == "POST" and not tail:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return "400 Bad Request", None
        if length > ocsp.MAX_REQUEST_BYTES:
            return "413 Request Entity Too Large", None
        return "200 OK", _retrying(ocsp.respond, environ["wsgi.input"].read(length) if length > 0 else b"")
    if method == "GET" and tail.startswith("/") and len(tail) > 1:
        # PATH_INFO is already URL-decoded by the server, as Django's <path:encoded> sees it.
        return "200 OK", _retrying(ocsp.respond_to_get, tail[1:])
    return "405 Method Not Allowed", None


def _close_old_connections(*, check_health: bool) -> None:
    """What Django's request signals do for a request that uses the database and nothing else (close_old_connections:
    a connection past its age or broken by an error is closed), without their dispatch and their other receivers
    (query log, caches, URLconf), which together cost as much as a kept answer. Before the answer, no `SELECT 1`
    ahead of its one status query (CONN_HEALTH_CHECKS): a connection that broke since the last request fails that
    query instead, and _retrying asks once more on a new connection."""
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()
        if not check_health:
            conn.health_check_done = True


def _retrying(answer, request):
    try:
        return answer(request)
    except DatabaseError:
        logger.warning("OCSP: the database connection failed; answering again on a new one", exc_info=True)
        connection.close()
        return answer(request)


_path: str | None = None


def ocsp_path() -> str:
    global _path
    if _path is None:
        _path = reverse("pki:ocsp")
    return _path


def mount(django_application):
    """A WSGI application: the OCSP responder's paths answered here, all others by `django_application`."""

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        prefix = ocsp_path()
        if path != prefix and not path.startswith(prefix + "/"):
            return django_application(environ, start_response)
        _close_old_connections(check_health=False)
        ocsp.listen_for_status_changes()  # once per process, after the server forked it
        try:
            status, body = _answer(environ)
        except Exception:
            logger.exception("OCSP request failed: %s %s", environ.get("REQUEST_METHOD"), path)
            return _reply(start_response, "500 Internal Server Error", b"", "text/plain")
        finally:
            _close_old_connections(check_health=True)
        if body is None:
            return _reply(start_response, status, b"", "text/plain")
        return _reply(start_response, status, body)

    return application
