from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "openasc.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from openasc.people import timeline  # noqa: F401  (registers the timeline provider)
