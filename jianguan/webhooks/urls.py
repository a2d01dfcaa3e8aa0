from django.urls import path

from jianguan.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscription_list, name="subscription_list"),
    path("new/", views.subscription_create, name="subscription_create"),
    path("<int:pk>/edit/", views.subscription_edit, name="subscription_edit"),
    path("<int:pk>/deactivate/", views.subscription_deactivate, name="subscription_deactivate"),
    path("<int:pk>/rotate/", views.subscription_rotate, name="subscription_rotate"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/redeliver/", views.delivery_redeliver, name="delivery_redeliver"),
]
