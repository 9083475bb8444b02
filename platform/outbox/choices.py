from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead-lettered"


OUTBOX_STATUS_TRANSITIONS: dict[str, set[str]] = {
    OutboxStatus.PENDING: {OutboxStatus.DELIVERED, OutboxStatus.RETRYING, OutboxStatus.DEAD},
    OutboxStatus.RETRYING: {OutboxStatus.DELIVERED, OutboxStatus.RETRYING, OutboxStatus.DEAD},
    OutboxStatus.DEAD: {OutboxStatus.PENDING},  # replay
    OutboxStatus.DELIVERED: set(),
}
