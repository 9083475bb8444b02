from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "commerce.ordering"
    label = "ordering"
    verbose_name = "Ordering"
    default_auto_field = "django.db.models.BigAutoField"
