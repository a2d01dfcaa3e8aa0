from django.urls import path

from jianguan.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.search, name="search"),
    path("institutions/<int:pk>/", views.institution, name="institution"),
    path("lists/", views.mark_list, name="mark_list"),
    path("lists/<int:pk>/withdraw/", views.mark_withdraw, name="mark_withdraw"),
]
