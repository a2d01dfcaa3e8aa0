from __future__ import annotations

from django.urls import path

from jianguan.transfers import views

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="transfer_list"),
    path("new/", views.transfer_new, name="transfer_new"),
    path("feed/", views.feed, name="feed"),
    path("subscriptions/", views.subscription_list, name="subscription_list"),
    path("subscriptions/<int:pk>/", views.subscription_edit, name="subscription_edit"),
    path("subscriptions/<int:pk>/delete/", views.subscription_delete, name="subscription_delete"),
    path("<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("<int:pk>/<str:action>/", views.transfer_action, name="transfer_action"),
]
