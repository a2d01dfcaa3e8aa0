from django.urls import path

from jianguan.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="complaint_list"),
    path("export/", views.complaint_export, name="complaint_export"),
    path("<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("<int:pk>/<str:action>/", views.complaint_action, name="complaint_action"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
