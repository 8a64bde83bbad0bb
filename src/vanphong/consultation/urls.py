from django.urls import path

from vanphong.consultation import consolidation_views, exchange_views, synthesis_views, views

app_name = "consultation"
urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("new/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/report.<str:fmt>", synthesis_views.report, name="report"),
    path("<int:pk>/consolidation/", consolidation_views.page, name="consolidation"),
    path("<int:pk>/consolidation/run/", consolidation_views.run, name="consolidation_run"),
    path("<int:pk>/consolidation/progress/", consolidation_views.progress, name="consolidation_progress"),
    path("<int:pk>/consolidation/merge/", consolidation_views.merge, name="consolidation_merge"),
    path("groups/<int:pk>/members/", consolidation_views.members, name="group_members"),
    path("groups/<int:pk>/close/", consolidation_views.close, name="group_close"),
    path("groups/<int:pk>/respond/", consolidation_views.respond, name="group_respond"),
    path("<int:pk>/versions/new/", views.version_add, name="version_add"),
    path("<int:pk>/versions/<int:number>/", views.version, name="version"),
    path("<int:pk>/versions/<int:number>/file/", views.version_file, name="version_file"),
    path("invitations/<int:pk>/", views.answer, name="answer"),
    path("invitations/<int:pk>/file/", views.answer_file, name="answer_file"),
    path("invitations/<int:pk>/paper/", views.paper, name="paper"),
    path("comments/<int:pk>/place/", views.place, name="place"),
    path("comments/<int:pk>/exclude/", views.exclude, name="exclude"),
    path("<int:pk>/send-by-exchange/", exchange_views.send_by_exchange, name="send_by_exchange"),
    path("exchange-answers/<int:document_pk>/", exchange_views.enter_answer, name="exchange_answer"),
]
