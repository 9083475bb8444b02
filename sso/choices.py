from django.db import models


class UserKind(models.TextChoices):
    OPERATOR = "operator", "Platform operator"  # public schema only
    STAFF = "staff", "Supplier staff"  # tenant schemas
    BUYER = "buyer", "Buyer"  # tenant schemas


class StaffRole(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    ACCOUNT_MANAGER = "account_manager", "Account manager"
    VALIDATOR = "validator", "Validator"
    DISPATCHER = "dispatcher", "Dispatcher"
    FINANCE = "finance", "Finance"
