"""The portal's article pages, mounted at /public/articles/ (no login)."""

from django.urls import path

from jianguan.articles import views

app_name = "public_articles"
urlpatterns = [
    path("", views.public_list, name="article_list"),
    path("<int:pk>/", views.public_detail, name="article_detail"),
]
