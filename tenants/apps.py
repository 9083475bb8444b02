from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        # django-tenants listens to post_delete for *every* model to catch a deleted tenant.
        # A global listener stops Django from deleting rows in one statement (it must load
        # them first to send the signal), so every delete in the portal cost a SELECT too.
        # The same callback, for the tenant model only.
        from django.db.models.signals import post_delete
        from django_tenants.signals import tenant_delete_callback

        from tenants.models import Tenant

        post_delete.disconnect(tenant_delete_callback)
        post_delete.connect(tenant_delete_callback, sender=Tenant)
