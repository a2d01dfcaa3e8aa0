from django.urls import path

from jianguan.reports import views

app_name = "reports"
urlpatterns = [
    path("campaigns/<int:pk>/", views.campaign_statistics_page, name="campaign_statistics"),
    path("campaigns/<int:pk>/briefing.<str:fmt>", views.campaign_briefing, name="campaign_briefing"),
]
