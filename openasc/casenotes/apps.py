from django.apps import AppConfig


class CaseNotesConfig(AppConfig):
    name = "openasc.casenotes"
    label = "casenotes"
    verbose_name = "Case notes"

    def ready(self) -> None:
        from openasc.casenotes import timeline  # noqa: F401  (registers the timeline provider)
