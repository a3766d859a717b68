from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "openasc.planning"
    label = "planning"
    verbose_name = "Care and support plans, personal budgets, reviews"

    def ready(self) -> None:
        from openasc.planning import timeline  # noqa: F401  (registers the timeline providers)
