from django.urls import path

from jianguan.reports import views

app_name = "open_data"
urlpatterns = [
    path("", views.open_data_page, name="page"),
    path("download/", views.open_data_download, name="download"),
]
