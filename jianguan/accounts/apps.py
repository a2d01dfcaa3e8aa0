from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jianguan.accounts"
    verbose_name = "账户"

    def ready(self) -> None:
        # last_login is written by accounts.services.login_attempt_record, audited, not by Django's signal.
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
