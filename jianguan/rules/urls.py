from django.urls import path

from jianguan.rules import views

app_name = "rules"

urlpatterns = [
    path("", views.violation_list, name="violation_list"),
    path("<int:pk>/", views.violation_detail, name="violation_detail"),
    path("run/", views.run, name="run"),
]
