from django.apps import AppConfig


class SamlConfig(AppConfig):
    name = "sso.saml"
    label = "saml"
    verbose_name = "SAML single sign-on"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sso.saml import selfcheck

        selfcheck.register_check()
        # At start-up, before anything is served: sign and verify a SAML response with the
        # installed lxml/xmlsec (~0.1 s; on failure SAML answers 503 and the cause is logged).
        selfcheck.result()
