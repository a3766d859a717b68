"""The manager of every model holding personal data (``@audit.sensitive``): no unaudited bulk writes.

``QuerySet.update()``, ``delete()``, ``bulk_create()`` and ``bulk_update()`` write rows without sending
``post_save``/``post_delete`` for each (update and the bulk methods never do; delete does only while someone
listens), so neither the audit trail nor the test suite's safety net would see them. On a sensitive model they
raise ``audit.UnauditedBulkWrite`` unless the thread is inside ``audit.bulk(...)`` (which audits them) or
``audit.exempt_from_safety_net()`` (test factories and the demo build). Related managers (``plan.needs``) are made
from this manager's class, so ``plan.needs.all().delete()`` and ``clear()``/``remove()``/``set()`` of nullable
foreign keys are guarded too.

Allowed without a block, because they go through ``Model.save()`` (one post_save, checked by the safety net):
``create()``, ``get_or_create()``, ``update_or_create()``. Not caught here: raw SQL and COPY (the CLD import's set
load and fast inserts, which audit every person they create or change), Django's cascade deletes and
``RelatedManager.add()``, which go through the plain base manager; the architecture test limits raw SQL to a short
list of modules.
"""

from __future__ import annotations

from django.db import models


def _allow(model, operation: str):
    from openasc.core import audit  # (audit imports core.models, which uses this module)

    return audit.allow_bulk_write(model, operation)


class SensitiveQuerySet(models.QuerySet):
    def update(self, **kwargs):
        block = _allow(self.model, "update")
        rows = super().update(**kwargs)
        if block is not None:
            block.note(self.model, "update", rows)
        return rows

    update.alters_data = True

    def delete(self):
        block = _allow(self.model, "delete")
        total, per_model = super().delete()
        if block is not None:
            for label, rows in per_model.items():
                ops = block.writes.setdefault(label.lower(), {})
                ops["delete"] = ops.get("delete", 0) + rows
        return total, per_model

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        block = _allow(self.model, "bulk_create")
        made = super().bulk_create(objs, *args, **kwargs)
        if block is not None:
            block.note(self.model, "bulk_create", len(made))
        return made

    def bulk_update(self, objs, fields, *args, **kwargs):
        block = _allow(self.model, "bulk_update")
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        if block is not None:
            block.note(self.model, "bulk_update", rows)
        return rows

    bulk_update.alters_data = True


class SensitiveManager(models.Manager.from_queryset(SensitiveQuerySet)):
    """``objects`` on every ``@audit.sensitive`` model (a model with its own queryset combines it with
    ``SensitiveQuerySet`` by subclassing it, or with ``SensitiveManager.from_queryset``)."""
