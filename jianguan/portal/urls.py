from django.urls import path

from jianguan.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.search, name="search"),
    path("institutions/<int:pk>/", views.institution, name="institution"),
    path("institutions/<int:pk>/qr.svg", views.institution_qr, name="institution_qr"),
    path("institutions/<int:pk>/plate.pdf", views.institution_plate, name="institution_plate"),
    path("lists/", views.mark_list, name="mark_list"),
    path("lists/<int:pk>/", views.mark_detail, name="mark_detail"),
    path("lists/<int:pk>/withdraw/", views.mark_withdraw, name="mark_withdraw"),
]
