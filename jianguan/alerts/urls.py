from django.urls import path

from jianguan.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="alert_list"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
]
