from django.urls import path

from jianguan.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.institution_list, name="institution_list"),
    path("export.xlsx", views.institution_export, {"fmt": "xlsx"}, name="institution_export_xlsx"),
    path("export.csv", views.institution_export, {"fmt": "csv"}, name="institution_export_csv"),
    path("new/", views.institution_create, name="institution_create"),
    path("lookup/", views.institution_lookup, name="institution_lookup"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("requirements/", views.requirement_list, name="requirement_list"),
    path("<int:pk>/", views.institution_detail, name="institution_detail"),
    path("<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("<int:pk>/status/", views.institution_status, name="institution_status"),
    path("<int:pk>/licences/new/", views.licence_edit, name="licence_create"),
    path("<int:pk>/licences/<int:licence_pk>/", views.licence_edit, name="licence_edit"),
    path("<int:pk>/licences/<int:licence_pk>/delete/", views.licence_delete, name="licence_delete"),
    path("<int:pk>/licences/<int:licence_pk>/scan/", views.licence_scan, name="licence_scan"),
]
