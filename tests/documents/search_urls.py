"""The project's URLs, plus documents:search and documents:detail while the project does not route them yet."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from vanphong.documents import search_views
from vanphong.urls import urlpatterns as project_urlpatterns


def _routed() -> bool:
    try:
        reverse("documents:search", urlconf="vanphong.urls")
        reverse("documents:detail", args=[1], urlconf="vanphong.urls")
    except NoReverseMatch:
        return False
    return True


def _detail(request, pk):
    return HttpResponse(str(pk))


urlpatterns = list(project_urlpatterns)
if not _routed():
    urlpatterns.append(path("", include(([
        path("documents/search/", search_views.search, name="search"),
        path("documents/<int:pk>/", _detail, name="detail"),
    ], "documents"))))
