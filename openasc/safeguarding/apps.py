from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "openasc.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding adults"

    def ready(self) -> None:
        from openasc.core import subjects

        # a refusal of these pages is audited against the adult at risk
        subjects.register("concern_id", "safeguarding.Concern")
        subjects.register("enquiry_id", "safeguarding.Enquiry")

        from openasc.people import merging
        from openasc.safeguarding.services import safeguarding_records_move

        merging.register(
            "safeguarding", safeguarding_records_move
        )  # a merge moves the duplicate's safeguarding
        from openasc.safeguarding import timeline  # noqa: F401  (registers the timeline provider)
