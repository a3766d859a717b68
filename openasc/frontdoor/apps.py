from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    name = "openasc.frontdoor"
    label = "frontdoor"
    verbose_name = "Front door: contacts, requests, triage, waiting lists"

    def ready(self) -> None:
        from openasc.frontdoor import timeline  # noqa: F401  (registers the timeline provider)
