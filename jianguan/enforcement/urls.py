from django.urls import path

from jianguan.enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/<int:institution>/", views.case_new, name="case_new"),
    path("from-complaint/<int:complaint>/", views.case_from_complaint, name="case_from_complaint"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/<str:action>/", views.case_action, name="case_action"),
]
