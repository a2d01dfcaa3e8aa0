from django.urls import path

from jianguan.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="staff_list"),
    path("mine/", views.mine, name="mine"),
    path("export.xlsx", views.staff_export, {"fmt": "xlsx"}, name="staff_export_xlsx"),
    path("export.csv", views.staff_export, {"fmt": "csv"}, name="staff_export_csv"),
    path("institution/<int:pk>/", views.institution_staff_page, name="institution_staff"),
    path("institution/<int:pk>/new/", views.staff_create, name="staff_create"),
    path("<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("<int:pk>/leave/", views.staff_leave, name="staff_leave"),
    path("<int:pk>/check/", views.staff_check, name="staff_check"),
    path("<int:pk>/health/", views.staff_health, name="staff_health"),
    path("barred/", views.barred_list, name="barred_list"),
    path("barred/new/", views.barred_create, name="barred_create"),
    path("barred/<int:pk>/lift/", views.barred_lift, name="barred_lift"),
]
