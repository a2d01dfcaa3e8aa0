from django.urls import path

from jianguan.articles import views

app_name = "articles"
urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("new/", views.article_edit, name="article_create"),
    path("<int:pk>/", views.article_edit, name="article_edit"),
    path("<int:pk>/publish/", views.article_publish, name="article_publish"),
    path("<int:pk>/unpublish/", views.article_unpublish, name="article_unpublish"),
]
