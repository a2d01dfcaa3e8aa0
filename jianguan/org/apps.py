from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "jianguan.org"
    verbose_name = "组织与职责"

    def ready(self) -> None:
        # The working-day calendar reads the admin-editable override table through this provider.
        from jianguan.lib import workdays
        from jianguan.org.selectors import workday_overrides_for_year

        workdays.set_override_provider(workday_overrides_for_year)
