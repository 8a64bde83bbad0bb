from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from vanphong.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit"),
    path("health", views.health, name="health"),
    path("favicon.ico", RedirectView.as_view(url=static("vanphong/favicon.svg"), permanent=False), name="favicon"),
]
