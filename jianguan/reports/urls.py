from django.urls import path

from jianguan.reports import views

app_name = "reports"
urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("institutions/<int:pk>/overview/", views.institution_overview_fragment, name="institution_overview"),
    path("dashboard/<slug:key>.xlsx", views.dashboard_export, name="dashboard_export"),
    path("campaigns/<int:pk>/", views.campaign_statistics_page, name="campaign_statistics"),
    path("campaigns/<int:pk>/briefing.<str:fmt>", views.campaign_briefing, name="campaign_briefing"),
]
