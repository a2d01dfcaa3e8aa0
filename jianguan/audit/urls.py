from django.urls import path

from jianguan.audit import task_views, views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("<int:seq>/", views.event_detail, name="event_detail"),
    path("tasks/", task_views.task_list, name="task_list"),
]
