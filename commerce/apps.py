from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    verbose_name = "Commerce"

    def ready(self) -> None:
        from commerce.models import PortalSettings
        from core.snapshots import watch

        watch(PortalSettings)  # read from a snapshot (commerce.selectors.portal_settings)
