"""Explicit workflow state: each transition writes an immutable, attributed status row."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StatusChange(models.Model):
    """Abstract base: a concrete subclass adds a foreign key to the thing whose status changed."""

    status = models.CharField(max_length=40)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["changed_at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Status rows are immutable: record a new transition instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Status rows are immutable.")
