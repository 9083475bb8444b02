from django.apps import AppConfig


class BrandingConfig(AppConfig):
    name = "branding"
    verbose_name = "Branding"

    def ready(self) -> None:
        from branding.models import Theme
        from core.snapshots import watch

        watch(Theme)  # every page reads the theme from a snapshot
