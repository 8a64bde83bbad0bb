from django.urls import path

from vanphong.signing import trust_views

app_name = "trust"

urlpatterns = [
    path("", trust_views.roots, name="roots"),
    path("<int:pk>/remove/", trust_views.remove, name="remove"),
]
