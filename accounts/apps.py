from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.audit import admin_login_recorded

        # Session logins are the admin's (the API's own logins are audited by ``user_login``).
        user_logged_in.connect(admin_login_recorded, dispatch_uid="accounts.audit.admin_login")
