from django.urls import path

from jianguan.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("<int:seq>/", views.event_detail, name="event_detail"),
]
