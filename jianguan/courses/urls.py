from __future__ import annotations

from django.urls import path

from jianguan.courses import views

app_name = "courses"
urlpatterns = [
    path("", views.class_list, name="class_list"),
    path("institution/<int:pk>/", views.institution_page, name="institution"),
    path("institution/<int:pk>/courses/new/", views.course_new, name="course_new"),
    path("institution/<int:pk>/classes/new/", views.class_new, name="class_new"),
    path("course/<int:pk>/", views.course_edit, name="course_edit"),
    path("course/<int:pk>/delete/", views.course_delete, name="course_delete"),
    path("class/<int:pk>/", views.class_edit, name="class_edit"),
    path("class/<int:pk>/end/", views.class_end, name="class_end"),
    path("class/<int:pk>/delete/", views.class_delete, name="class_delete"),
]
