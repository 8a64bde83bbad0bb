"""The WSGI application for a hub or node that terminates TLS itself (`vanphong hub serve`).

gunicorn verifies the client certificate against our CA during the handshake and hands the
application the TLS socket as environ["gunicorn.socket"]; this wrapper copies the verified
certificate's DER to identity.ENVIRON_KEY, where the node API reads it. A value already in that
key (there cannot be one from a client: headers arrive as HTTP_*) is dropped first.
"""

from __future__ import annotations

import ssl

from vanphong.hub.environ import ENVIRON_KEY


def with_client_certificate(app):
    def application(environ, start_response):
        environ.pop(ENVIRON_KEY, None)
        sock = environ.get("gunicorn.socket")
        if isinstance(sock, ssl.SSLSocket):
            der = sock.getpeercert(binary_form=True)
            if der:
                environ[ENVIRON_KEY] = der
        return app(environ, start_response)

    return application


def _django_application():
    from vanphong.wsgi import application as django_application

    return django_application


application = with_client_certificate(_django_application())
