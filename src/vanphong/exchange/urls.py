from django.urls import path

from vanphong.exchange import reply_views, views

app_name = "exchange"
urlpatterns = [
    path("received/", views.received_list, name="received"),
    path("received/<int:pk>/", views.received_detail, name="package"),
    path("received/<int:pk>/register/", views.register, name="register"),
    path("received/<int:pk>/reject/", views.reject, name="reject"),
    path("received/<int:pk>/attachments/<int:index>/", views.attachment, name="attachment"),
    path("sent/<int:pk>/resend/", views.resend, name="resend"),
    path("received/<int:pk>/accept-request/", views.accept_request, name="accept_request"),
    path("received/<int:pk>/refuse-request/", views.refuse_request, name="refuse_request"),
    path("documents/<int:pk>/recall/", views.recall, name="recall"),
    path("documents/<int:pk>/update/", views.update, name="update"),
    path("documents/<int:pk>/replace/", views.replace, name="replace"),
    path("documents/<int:pk>/reply/", reply_views.reply, name="reply"),
]
