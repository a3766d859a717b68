from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "openasc.services"
    label = "services"
    verbose_name = "Services delivered and their costs"

    def ready(self) -> None:
        from openasc.core import subjects

        subjects.register(
            "service_id", "services.Service"
        )  # a refusal of its pages is audited against its person
        subjects.register(
            "authorisation_id", "services.BudgetAuthorisation"
        )  # a refusal of its pages is audited against its person

        from openasc.services import timeline  # noqa: F401  (registers the timeline providers)
