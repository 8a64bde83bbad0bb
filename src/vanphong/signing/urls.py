from django.urls import path

from vanphong.signing import document_views, xml_policy_views

app_name = "signing"
urlpatterns = [
    path("documents/<int:pk>/sign/", document_views.sign, name="sign"),
    path("documents/<int:pk>/seal/", document_views.seal, name="seal"),
    path("documents/<int:pk>/paper/", document_views.paper, name="paper"),
    path("attachments/<int:pk>/verify/", document_views.verify_again, name="verify_again"),
    path("xml-signatures/", xml_policy_views.xml_policy, name="xml_policy"),
]
