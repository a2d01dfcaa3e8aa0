from django.urls import path

from jianguan.risk import views

app_name = "risk"
urlpatterns = [
    path("", views.rating_list, name="rating_list"),
]
