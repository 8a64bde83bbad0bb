from django.urls import path

from vanphong.org import import_views, views

app_name = "org"
urlpatterns = [
    path("agencies/", views.directory, name="directory"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reset-password/", views.person_reset_password, name="person_reset_password"),
    path("people/<int:pk>/reset-second-factor/", views.person_reset_second_factor, name="person_reset_second_factor"),
    path("people/<int:pk>/unlock/", views.person_unlock, name="person_unlock"),
    path("import/", import_views.import_page, name="import"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
]
