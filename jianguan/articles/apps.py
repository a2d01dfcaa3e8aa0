from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "jianguan.articles"
    verbose_name = "政策与公告"
