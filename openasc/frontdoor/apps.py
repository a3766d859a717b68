from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    name = "openasc.frontdoor"
    label = "frontdoor"
    verbose_name = "Front door: contacts, requests, triage, waiting lists"

    def ready(self) -> None:
        from openasc.core import subjects

        subjects.register(
            "request_id", "frontdoor.SupportRequest"
        )  # a refusal of its pages is audited against its person

        from openasc.frontdoor import timeline  # noqa: F401  (registers the timeline provider)
