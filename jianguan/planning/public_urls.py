"""The portal's 双随机一公开 and year plans, mounted at /public/plans/ (no login)."""

from django.urls import path

from jianguan.planning import public_views

app_name = "public_plans"
urlpatterns = [
    path("", public_views.plan_list, name="plan_list"),
    path("<int:year>/", public_views.plan_detail, name="plan_detail"),
    path("draws/<int:pk>/", public_views.draw_detail, name="draw_detail"),
]
