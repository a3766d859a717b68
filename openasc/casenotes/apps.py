from django.apps import AppConfig


class CaseNotesConfig(AppConfig):
    name = "openasc.casenotes"
    label = "casenotes"
    verbose_name = "Case notes"

    def ready(self) -> None:
        from openasc.core import subjects

        subjects.register(
            "note_id", "casenotes.CaseNote"
        )  # a refusal of its pages is audited against its person

        from openasc.casenotes import timeline  # noqa: F401  (registers the timeline provider)
        from openasc.casenotes.services import case_notes_move
        from openasc.people import merging

        merging.register("case_notes", case_notes_move)  # a merge moves the duplicate's notes
