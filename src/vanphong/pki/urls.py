from django.urls import path

from vanphong.pki import holder_views, operator_views, views

app_name = "pki"

urlpatterns = [
    # Public status services.
    path("ca/<slug:slug>.crt", views.ca_certificate, name="ca_certificate"),
    path("crl/<slug:slug>.crl", views.crl, name="crl"),
    path("ocsp", views.ocsp_post, name="ocsp"),
    path("ocsp/<path:encoded>", views.ocsp_get, name="ocsp_get"),
    path("tsa", views.timestamp, name="tsa"),
    # The CA operator's pages.
    path("manage/", operator_views.authorities, name="authorities"),
    path("manage/certificates/", operator_views.certificate_list, name="certificates"),
    path("manage/certificates/new/", operator_views.issue, name="issue"),
    path("manage/certificates/batch/", operator_views.issue_batch, name="issue_batch"),  # before <serial>
    path("manage/certificates/<str:serial>/", operator_views.certificate_detail, name="certificate"),
    path("manage/certificates/<str:serial>/download.<str:kind>", operator_views.certificate_download, name="certificate_download"),
    path("manage/certificates/<str:serial>/revoke/", operator_views.revoke, name="revoke"),
    path("manage/certificates/<str:serial>/renew/", operator_views.renew, name="renew"),
    path("manage/operations/", operator_views.operations, name="operations"),
    # Everyone's own.
    path("mine/", holder_views.my_certificates, name="mine"),
]
