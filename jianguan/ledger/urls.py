from django.urls import path

from jianguan.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("export.xlsx", views.item_export, name="item_export"),
    path("<int:pk>/", views.item_detail, name="item_detail"),
    path("<int:pk>/<str:action>/", views.item_action, name="item_action"),
    path("files/<int:pk>/", views.attachment_file, name="attachment_file"),
]
