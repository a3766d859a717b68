from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "openasc.assessments"
    label = "assessments"
    verbose_name = "Care Act assessments and eligibility"

    def ready(self) -> None:
        from openasc.core import subjects

        subjects.register(
            "assessment_id", "assessments.Assessment"
        )  # a refusal of its pages is audited against its person

        from openasc.assessments import timeline  # noqa: F401  (registers the timeline provider)
