from django.urls import path

from jianguan.checklists import views

app_name = "checklists"
urlpatterns = [
    path("", views.checklist_list, name="checklist_list"),
    path("new/", views.checklist_create, name="checklist_create"),
    path("<int:pk>/draft/", views.version_new_draft, name="version_new_draft"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("versions/<int:pk>/archive/", views.version_archive, name="version_archive"),
    path("versions/<int:pk>/items/new/", views.item_edit, name="item_create"),
    path("versions/<int:pk>/items/<int:item_pk>/", views.item_edit, name="item_edit"),
    path("versions/<int:pk>/items/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
]
