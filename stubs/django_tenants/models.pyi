# Minimal typing for the parts of django-tenants Portico uses (the package ships no types).
from typing import Any, ClassVar

from django.db import models

class TenantMixin(models.Model):
    schema_name = models.CharField(max_length=63)
    auto_create_schema: ClassVar[bool]
    auto_drop_schema: ClassVar[bool]
    domain_url: str
    def create_schema(
        self, check_if_exists: bool = ..., sync_schema: bool = ..., verbosity: int = ...
    ) -> bool: ...

class DomainMixin(models.Model):
    domain = models.CharField(max_length=253)
    tenant: models.ForeignKey[Any, Any]
    is_primary = models.BooleanField()
