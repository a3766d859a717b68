"""Documents on a person's record: letters written from the council's templates, and attachments (scanned forms).

A stored document never changes. A letter that needs changing is stored again as a new version (`previous` points
at the one it replaces), so what was sent can always be shown again. An attachment's file lives outside the database
(OPENASC_DOCUMENTS_DIR), under a random name (`file_name`); the name it was uploaded with is kept only to show and
to offer as the download's name, never used on disk.

Letter templates are reference data a council edits (not personal data): their words hold placeholders such as
{person_name}, filled from the one record the letter is written on (`letters.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from openasc.core import audit
from openasc.core.links import RECORD_LINKS, at_most_one
from openasc.core.models import WriteOnce
from openasc.core.sensitive import SensitiveManager


class DocumentKind(models.TextChoices):
    LETTER = "letter", "Letter"
    ATTACHMENT = "attachment", "Attachment"


# What a document may be about, in the person's record: the field on the document, and the noun the pages use.
LINK_FIELDS = RECORD_LINKS


class TemplateAbout(models.TextChoices):
    """What a letter template is filled from, besides the person: the record it is about."""

    PERSON = "person", "The person only"
    ASSESSMENT = "assessment", "An assessment"
    PLAN = "plan", "A care and support plan"
    REVIEW = "review", "A review"


class LetterTemplate(models.Model):
    """A council's standard letter: a title and words with placeholders ({person_name}, {plan_budget})."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(
        max_length=200, help_text="What workers choose from: 'Your care and support plan'"
    )
    about = models.CharField(max_length=20, choices=TemplateAbout.choices, default=TemplateAbout.PERSON)
    subject = models.CharField("letter title", max_length=200)
    body = models.TextField()
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class _Immutable(WriteOnce):
    changed_message = "A stored document never changes: store a new version instead."
    deleted_message = "A stored document is kept: store a new version instead."

    class Meta:
        abstract = True


@audit.sensitive
class Document(_Immutable):
    """A letter (its words, as stored) or an attachment (a file outside the database) on a person's record."""

    # CASCADE like case notes: the document is part of the record, which the product never deletes (a merge keeps
    # both); only erasing a person (a demo reset, a DBA's erasure) takes their documents with them.
    # db_index=False: the (person, created_at) index answers every lookup by person.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="documents", db_index=False
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    # SET_NULL: the document outlives what it was about.
    request = models.ForeignKey(
        "frontdoor.SupportRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey(
        "planning.Plan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "services.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review = models.ForeignKey(
        "planning.Review", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A letter: the template it was written from and its words as stored (plain text, escaped wherever shown).
    template = models.ForeignKey(
        LetterTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="later_versions"
    )
    # An attachment: where its file is (a random name under OPENASC_DOCUMENTS_DIR) and what it is.
    file_name = models.CharField(max_length=80, blank=True)
    original_name = models.CharField("name when uploaded", max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        indexes = [models.Index(fields=["person", "created_at"], name="document_person_when")]
        constraints = [
            models.CheckConstraint(condition=at_most_one(LINK_FIELDS), name="document_one_link"),
            models.UniqueConstraint(
                fields=["file_name"], condition=~Q(file_name=""), name="document_file_name_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Document {self.pk}"

    @property
    def link_field(self) -> str:
        return next((name for name in LINK_FIELDS if getattr(self, f"{name}_id")), "")

    @property
    def is_letter(self) -> bool:
        return self.kind == DocumentKind.LETTER
