from django.urls import path

from jianguan.documents import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/<str:fmt>/", views.document_download, name="download"),
]
