from django.urls import path

from vanphong.workflow import views

app_name = "workflow"
urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/days/<int:pk>/remove/", views.calendar_day_remove, name="calendar_day_remove"),
    path("calendar/deadlines/", views.deadlines_page, name="deadlines"),
    path("calendar/deadlines/<int:pk>/remove/", views.deadline_rule_remove, name="deadline_rule_remove"),
]
