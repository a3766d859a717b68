from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "openasc.services"
    label = "services"
    verbose_name = "Services delivered and their costs"

    def ready(self) -> None:
        from openasc.services import timeline  # noqa: F401  (registers the timeline providers)
