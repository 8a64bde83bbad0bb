from django.contrib import admin
from django.urls import include, path

from vanphong.api import api

urlpatterns = [
    path("", include("vanphong.core.urls")),
    path("accounts/", include("vanphong.accounts.urls")),
    path("org/", include("vanphong.org.urls")),
    path("documents/", include("vanphong.documents.urls")),
    path("workflow/", include("vanphong.workflow.urls")),
    path("pki/", include("vanphong.pki.urls")),
    path("signing/trusted-roots/", include("vanphong.signing.trust_urls")),
    path("notifications/", include("vanphong.notifications.urls")),
    path("consultation/", include("vanphong.consultation.urls")),
    path("exchange/", include("vanphong.exchange.urls")),
    path("signing/", include("vanphong.signing.urls")),
    path("hub/", include("vanphong.hub.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("operator/", admin.site.urls),
]

handler400 = "vanphong.core.views.bad_request"
