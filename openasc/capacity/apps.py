from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "openasc.capacity"
    label = "capacity"
    verbose_name = "Mental capacity, best interests, advocacy and consent"

    def ready(self) -> None:
        from openasc.capacity import timeline  # noqa: F401  (registers the timeline provider)
