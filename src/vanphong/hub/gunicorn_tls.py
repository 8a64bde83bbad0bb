"""gunicorn settings for `vanphong hub serve` (loaded as python:vanphong.hub.gunicorn_tls): TLS 1.2 at
least, and the client certificate asked for but optional, so that one port serves the nodes (with
their certificates, checked against our CA in the handshake) and the IT staff's browsers (without)."""

import ssl

cert_reqs = ssl.CERT_OPTIONAL


def ssl_context(conf, default_ssl_context_factory):
    context = default_ssl_context_factory()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # A client that offers a certificate must prove it was issued by our CA: no partial chains.
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    return context
