from django.apps import AppConfig


class SamlConfig(AppConfig):
    name = "sso.saml"
    label = "saml"
    verbose_name = "SAML single sign-on"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sso.saml import selfcheck

        selfcheck.register_check()
