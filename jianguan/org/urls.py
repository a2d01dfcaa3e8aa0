from django.urls import path

from jianguan.org import views

app_name = "org"
urlpatterns = [
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_edit, name="department_create"),
    path("departments/<int:pk>/", views.department_edit, name="department_edit"),
    path("regions/", views.region_list, name="region_list"),
    path("regions/new/", views.region_edit, name="region_create"),
    path("regions/<int:pk>/", views.region_edit, name="region_edit"),
    path("responsibilities/", views.responsibility_list, name="responsibility_list"),
    path("responsibilities/export/", views.responsibility_export, name="responsibility_export"),
    path("responsibilities/import/", views.responsibility_import, name="responsibility_import"),
    path("responsibilities/<str:category>/", views.responsibility_edit, name="responsibility_edit"),
    path("calendar/", views.workday_list, name="workday_list"),
    path("calendar/<int:pk>/delete/", views.workday_delete, name="workday_delete"),
    path("calendar/notice/", views.holiday_notice, name="holiday_notice"),
]
