from django.urls import path

from jianguan.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.search, name="search"),
    path("institutions/<int:pk>/", views.institution, name="institution"),
]
