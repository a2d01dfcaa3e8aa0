from __future__ import annotations

from django.urls import path

from jianguan.fees import views

app_name = "fees"
urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("institution/<int:pk>/", views.institution_page, name="institution"),
    path("institution/<int:pk>/account/", views.account_edit, name="account_edit"),
    path("institution/<int:pk>/records/new/", views.record_new, name="record_new"),
    path("record/<int:pk>/", views.record_edit, name="record_edit"),
    path("record/<int:pk>/delete/", views.record_delete, name="record_delete"),
]
