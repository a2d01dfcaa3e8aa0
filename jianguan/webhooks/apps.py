from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "jianguan.webhooks"
    verbose_name = "事件推送"

    def ready(self) -> None:
        from jianguan.audit import hooks
        from jianguan.webhooks.events import on_audit_events

        hooks.listen(on_audit_events)
