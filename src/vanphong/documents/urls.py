from django.urls import path

from vanphong.documents import attachment_views, search_views, views

app_name = "documents"
urlpatterns = [
    path("incoming/", views.incoming, name="incoming"),
    path("incoming/new/", views.incoming_new, name="incoming_new"),
    path("outgoing/", views.outgoing, name="outgoing"),
    path("outgoing/new/", views.outgoing_new, name="outgoing_new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("search/", search_views.search, name="search"),
    path("registers/", views.registers, name="registers"),
    path("attachments/<int:pk>/", attachment_views.download, name="attachment_download"),
    path("attachments/<int:pk>/preview/", attachment_views.preview, name="attachment_preview"),
]
