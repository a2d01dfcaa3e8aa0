from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "jianguan.notifications"
    verbose_name = "站内通知"
