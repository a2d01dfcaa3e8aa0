from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "jianguan.portal"
    verbose_name = "公众查询"

    def ready(self) -> None:
        from jianguan.audit import hooks
        from jianguan.portal.cache import on_audit_events

        # A change recorded in the audit log makes the cached public pages it concerns stale when it commits.
        hooks.listen(on_audit_events)
