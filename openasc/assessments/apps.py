from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "openasc.assessments"
    label = "assessments"
    verbose_name = "Care Act assessments and eligibility"

    def ready(self) -> None:
        from openasc.assessments import timeline  # noqa: F401  (registers the timeline provider)
