import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanphong.settings")
django_application = get_wsgi_application()

from vanphong.pki import status_wsgi  # noqa: E402 (needs the settings and apps that get_wsgi_application sets up)

application = status_wsgi.mount(django_application)
