from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "openasc.documents"
    label = "documents"
    verbose_name = "Documents, letters and attachments"

    def ready(self) -> None:
        from openasc.core import subjects

        subjects.register(
            "document_id", "documents.Document"
        )  # a refusal of its pages is audited against its person

        from openasc.documents import timeline  # noqa: F401  (registers the documents on the person's timeline)
        from openasc.documents.services import documents_move
        from openasc.people import merging

        merging.register("documents", documents_move)  # a merge moves the duplicate's letters and attachments
