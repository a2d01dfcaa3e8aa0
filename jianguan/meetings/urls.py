from __future__ import annotations

from django.urls import path

from jianguan.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_edit, name="meeting_new"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/materials/", views.session_materials, name="session_materials"),
    path("sessions/<int:pk>/materials.<str:fmt>", views.session_materials_download, name="session_materials_download"),
    path("sessions/<int:pk>/minutes/", views.session_minutes, name="session_minutes"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/progress/", views.task_progress, name="task_progress"),
    path("tasks/<int:pk>/close/", views.task_close, name="task_close"),
]
