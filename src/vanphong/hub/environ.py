# The WSGI environ key where hub.wsgi puts the DER of the verified TLS client certificate. Request
# headers reach Django as HTTP_*, so no client can set this key. (No imports: the WSGI wrapper
# reads it before Django is set up.)
ENVIRON_KEY = "vanphong.tls_client_certificate"
