from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "openasc.planning"
    label = "planning"
    verbose_name = "Care and support plans, personal budgets, reviews"

    def ready(self) -> None:
        from openasc.core import subjects

        subjects.register("plan_id", "planning.Plan")  # a refusal of its pages is audited against its person
        subjects.register(
            "review_id", "planning.Review"
        )  # a refusal of its pages is audited against its person

        from openasc.planning import timeline  # noqa: F401  (registers the timeline providers)
