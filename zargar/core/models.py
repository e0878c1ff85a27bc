"""Core models shared by every module."""

from __future__ import annotations

from django.db import models

from zargar.tenancy.models import TenantModel


class DocumentSequence(TenantModel):
    """A shop's numbering sequence for one kind of document (`key`, e.g. `"pos.sale"`).

    `last_value` is the last number handed out. Use `zargar.core.sequences.next_value`, never
    this model directly: it takes a number atomically inside the caller's transaction.
    """

    key = models.CharField(max_length=60)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "key"], name="zargar_core_documentsequence_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"
