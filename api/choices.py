from django.db import models


class ApiScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    INTEGRATION = "integration", "Integration (catalogue, prices, companies)"
