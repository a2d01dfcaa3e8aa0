from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "jianguan.org"
    verbose_name = "组织与职责"

    def ready(self) -> None:
        # The working-day calendar reads the override table (imported notices, admin entries) through this provider,
        # and bypasses its cache while a transaction holds uncommitted calendar changes.
        from jianguan.lib import workdays
        from jianguan.org.selectors import calendar_cache_usable, workday_overrides_for_year

        workdays.set_override_provider(workday_overrides_for_year)
        workdays.set_cache_guard(calendar_cache_usable)
