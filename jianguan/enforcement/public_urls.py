"""The portal's 行政处罚信息公示, mounted at /public/penalties/ (no login)."""

from django.urls import path

from jianguan.enforcement import public_views

app_name = "public_penalties"
urlpatterns = [path("", public_views.penalty_list, name="penalty_list")]
