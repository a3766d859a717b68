from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "openasc.capacity"
    label = "capacity"
    verbose_name = "Mental capacity, best interests, advocacy and consent"

    def ready(self) -> None:
        from openasc.capacity import timeline  # noqa: F401  (registers the timeline providers)
        from openasc.capacity.services import capacity_records_move
        from openasc.people import merging

        merging.register("capacity", capacity_records_move)  # a merge moves the duplicate's capacity records
