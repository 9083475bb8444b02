from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "commerce.customers"
    label = "customers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from commerce.customers.models import Company, Membership
        from core.snapshots import watch

        # request.user's snapshot carries its membership and company
        watch(Membership)
        watch(Company)
