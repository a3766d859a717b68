"""Explicit workflow state: each transition writes an immutable, attributed status row."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openasc.core import access
from openasc.core.errors import ValidationFailed


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


# --- The opened record a write acts on -----------------------------------------------------------------------------

def require_record(record) -> access.OpenedRecord:
    """A write service is handed the record opened by access.open_record, never a bare person or a basis."""
    if not isinstance(record, access.OpenedRecord):
        raise TypeError("Pass the record opened by openasc.core.access.open_record, not "
                        f"{type(record).__name__}")
    return record


def require_belongs(record: access.OpenedRecord, obj, *, field: str, what: str) -> None:
    """Refuse to change something (a request, an assessment, a plan...) that is not in the record that was opened:
    the access decision and its audit event were about that person, not this one."""
    require_record(record)
    if obj is not None and getattr(obj, "person_id", None) != record.person_id:
        raise ValidationFailed({field: f"This {what} belongs to another person's record, not the record opened "
                                       f"({record.person.la_person_id}): open that person's record to change it"})
