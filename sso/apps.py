from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "Identity"

    def ready(self) -> None:
        from core.snapshots import watch
        from sso.models import User

        watch(User, ignore_fields={"last_login"})  # request.user is a snapshot
