from django.urls import path

from vanphong.pki import views

app_name = "pki"

urlpatterns = [
    path("ca/<slug:slug>.crt", views.ca_certificate, name="ca_certificate"),
    path("crl/<slug:slug>.crl", views.crl, name="crl"),
    path("ocsp", views.ocsp_post, name="ocsp"),
    path("ocsp/<path:encoded>", views.ocsp_get, name="ocsp_get"),
    path("tsa", views.timestamp, name="tsa"),
]
