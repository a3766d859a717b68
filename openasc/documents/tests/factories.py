"""Factories for letter templates and documents (letters, and attachments with their file on disk)."""

import hashlib

import factory
from django.utils import timezone

from openasc.core.models import Role
from openasc.core.tests.factories import AuditExemptFactory, UserFactory
from openasc.documents import files
from openasc.documents.models import Document, DocumentKind, LetterTemplate, TemplateAbout
from openasc.people.tests.factories import PersonFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class LetterTemplateFactory(AuditExemptFactory):
    class Meta:
        model = LetterTemplate
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"letter-{n}")
    name = factory.Sequence(lambda n: f"Letter {n}")
    about = TemplateAbout.PERSON
    subject = "A letter for {first_name}"
    body = "Dear {first_name}\n\nYour reference is {person_number}.\n\nYours sincerely\n\n{worker_name}"


class DocumentFactory(AuditExemptFactory):
    """A letter by default; `attachment=True` stores a small PDF file under a random name."""

    class Meta:
        model = Document

    class Params:
        attachment = factory.Trait(
            kind=DocumentKind.ATTACHMENT,
            title="Signed consent form",
            body="",
            template=None,
            original_name="consent.pdf",
            content_type=files.PDF.content_type,
            content=PDF_BYTES,
        )

    person = factory.SubFactory(PersonFactory)
    kind = DocumentKind.LETTER
    title = "Your care and support plan"
    template = factory.SubFactory(LetterTemplateFactory)
    body = "Dear Edith\n\nThis is your letter."
    created_by = factory.SubFactory(UserFactory, username="letter-writer", role=Role.SOCIAL_WORKER)
    created_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, content=None, **kwargs):
        if content is not None:
            name = files.new_name()
            files.write(name, content)
            kwargs.update(file_name=name, size=len(content), sha256=hashlib.sha256(content).hexdigest())
        return super()._create(model_class, *args, **kwargs)
