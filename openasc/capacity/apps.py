from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "openasc.capacity"
    label = "capacity"
    verbose_name = "Mental capacity, best interests, advocacy and consent"

    def ready(self) -> None:
        from openasc.core import subjects

        subjects.register(
            "capacity_assessment_id", "capacity.CapacityAssessment"
        )  # a refusal of its pages is audited against its person
        subjects.register(
            "best_interests_id", "capacity.BestInterestsDecision"
        )  # a refusal of its pages is audited against its person
        subjects.register(
            "advocacy_id", "capacity.AdvocacyDuty"
        )  # a refusal of its pages is audited against its person
        subjects.register(
            "imca_id", "capacity.ImcaReferral"
        )  # a refusal of its pages is audited against its person
        subjects.register(
            "consent_id", "capacity.ConsentToShare"
        )  # a refusal of its pages is audited against its person

        from openasc.capacity import timeline  # noqa: F401  (registers the timeline providers)
        from openasc.capacity.services import capacity_records_move
        from openasc.people import merging

        merging.register("capacity", capacity_records_move)  # a merge moves the duplicate's capacity records
