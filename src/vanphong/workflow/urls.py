from django.urls import path

from vanphong.workflow import approval_views, dashboard_views, handling_views, views

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
    path("units/", dashboard_views.dashboard, name="dashboard"),
    path("units/report.<str:fmt>", dashboard_views.report, name="dashboard_report"),
    path("units/work/", dashboard_views.unit_work, name="unit_work"),
    path("drafts/<int:pk>/submit/", approval_views.submit, name="approval_submit"),
    path("drafts/<int:pk>/approve/", approval_views.approve, name="approval_approve"),
    path("drafts/<int:pk>/return/", approval_views.return_draft, name="approval_return"),
    path("drafts/<int:pk>/edit/", approval_views.edit, name="approval_edit"),
    path("drafts/<int:pk>/versions/", approval_views.versions, name="approval_versions"),
    path("approval-chains/", approval_views.chains, name="approval_chains"),
    path("approval-chains/edit/", approval_views.chain_edit, name="approval_chain_edit"),
    path("approval-chains/remove/", approval_views.chain_remove, name="approval_chain_remove"),
]
