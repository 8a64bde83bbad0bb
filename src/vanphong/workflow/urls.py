from django.urls import path

from vanphong.workflow import handling_views, views

app_name = "workflow"
urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/days/<int:pk>/remove/", views.calendar_day_remove, name="calendar_day_remove"),
    path("calendar/deadlines/", views.deadlines_page, name="deadlines"),
    path("calendar/deadlines/<int:pk>/remove/", views.deadline_rule_remove, name="deadline_rule_remove"),
    path("work/", handling_views.my_work, name="work"),
    path("documents/<int:pk>/assign/", handling_views.assign, name="assign"),
    path("tasks/<int:pk>/pass-down/", handling_views.pass_down, name="task_pass_down"),
    path("tasks/<int:pk>/note/", handling_views.add_note, name="task_note"),
    path("tasks/<int:pk>/return/", handling_views.return_task, name="task_return"),
    path("tasks/<int:pk>/more-time/", handling_views.request_extension, name="task_extension"),
    path("tasks/<int:pk>/complete/", handling_views.complete, name="task_complete"),
    path("tasks/<int:pk>/read/", handling_views.acknowledge, name="task_read"),
    path("more-time/<int:pk>/decide/", handling_views.decide_extension, name="extension_decide"),
]
