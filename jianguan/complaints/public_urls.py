from django.urls import path

from jianguan.complaints import views

app_name = "public_complaints"
urlpatterns = [
    path("", views.complaint_new, name="new"),
    path("pick/", views.complaint_pick, name="pick"),
    path("done/", views.complaint_done, name="done"),
    path("track/", views.complaint_track, name="track"),
]
