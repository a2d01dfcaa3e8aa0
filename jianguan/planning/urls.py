from __future__ import annotations

from django.urls import path

from jianguan.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/<str:action>/", views.plan_action, name="plan_action"),
    path("lists/<str:which>/", views.directory, name="directory"),
    path("campaigns/<int:campaign>/draw/", views.draw_page, name="draw"),
    path("draw-members/<int:member>/recuse/", views.draw_recuse, name="draw_recuse"),
    path("conflicts/", views.conflict_list, name="conflict_list"),
    path("conflicts/<int:pk>/end/", views.conflict_end, name="conflict_end"),
]
