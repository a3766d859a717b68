from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openasc.core"
    label = "core"
    verbose_name = "Core: audit, access, reference data"

    def ready(self) -> None:
        from openasc.core import audit
        from openasc.core.models import BreakGlassAccess, CareRelationship, Restriction

        audit.SENSITIVE_MODELS.update({CareRelationship, Restriction, BreakGlassAccess})
