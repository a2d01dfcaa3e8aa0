from django.urls import path

from jianguan.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_create, name="inspection_create"),
    path("sites/new/", views.site_report, name="site_report"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/start/", views.inspection_start, name="inspection_start"),
    path("<int:pk>/items/<int:item_pk>/", views.result_save, name="result_save"),
    path("<int:pk>/photos/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/findings/", views.finding_create, name="finding_create"),
    path("<int:pk>/complete/", views.inspection_complete, name="inspection_complete"),
    path("<int:pk>/notice/", views.notice_issue, name="notice_issue"),
    path("<int:pk>/cancel/", views.inspection_cancel, name="inspection_cancel"),
    path("<int:pk>/amend/", views.inspection_amend, name="inspection_amend"),
    path("photos/<int:pk>/<str:size>/", views.evidence_file, name="evidence_file"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/status/", views.campaign_status, name="campaign_status"),
    path("campaigns/<int:pk>/copy/", views.campaign_copy, name="campaign_copy"),
    path("campaigns/<int:pk>/targets/", views.campaign_target_add, name="campaign_target_add"),
    path(
        "campaigns/<int:pk>/targets/<int:institution_pk>/remove/",
        views.campaign_target_remove,
        name="campaign_target_remove",
    ),
]
