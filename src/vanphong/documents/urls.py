from django.urls import path

from vanphong.documents import attachment_views, book_views, scan_views, search_views, views

app_name = "documents"
urlpatterns = [
    path("incoming/", views.incoming, name="incoming"),
    path("incoming/new/", views.incoming_new, name="incoming_new"),
    path("incoming/scan/", scan_views.new, name="scan_new"),
    path("scans/<int:pk>/", scan_views.status, name="scan_status"),
    path("scans/<int:pk>/page.png", scan_views.page_image, name="scan_page"),
    path("outgoing/", views.outgoing, name="outgoing"),
    path("outgoing/new/", views.outgoing_new, name="outgoing_new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("search/", search_views.search, name="search"),
    path("registers/", views.registers, name="registers"),
    path("registers/book/", book_views.book, name="register_book"),
    path("attachments/<int:pk>/", attachment_views.download, name="attachment_download"),
    path("attachments/<int:pk>/preview/", attachment_views.preview, name="attachment_preview"),
    path("attachments/<int:pk>/pages/<int:number>.png", attachment_views.page, name="attachment_page"),
]
