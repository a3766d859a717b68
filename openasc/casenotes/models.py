"""Case notes: dated, typed notes of contact and decisions on a person's record, with every version kept.

A note is written once, may be corrected by its author for a short while (OPENASC_CASE_NOTE_EDIT_MINUTES), and after
that only added to (an addendum). Each save of a note writes an immutable `CaseNoteVersion` (version 1 is the note as
first written), so what any earlier reader saw can always be shown again.

The kinds are TextChoices, not reference codes (ADR 0005): ADR 0005 is about the national (CLD) lists the returns are
built from, loaded into `core.ReferenceCode` from `core/reference/codes.csv`. No return or national definition uses a
case note's kind; it is the product's own small, fixed vocabulary that the pages, the API and the demo name, so it
lives with the model. A council that needs another kind uses "Other" and says so in the subject.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openasc.core import audit
from openasc.core.links import RECORD_LINKS, at_most_one
from openasc.core.models import WriteOnce
from openasc.core.sensitive import SensitiveManager


class NoteKind(models.TextChoices):
    VISIT = "visit", "Visit"
    PHONE_CALL = "phone_call", "Phone call"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    MANAGEMENT_DECISION = "management_decision", "Management decision"
    OTHER = "other", "Other"


# What a note may be about, in the person's record: the field on the note, and the noun the pages use.
LINK_FIELDS = RECORD_LINKS


class _Immutable(WriteOnce):
    changed_message = "Versions and addenda of case notes are immutable: add a new one instead."
    deleted_message = "Versions and addenda of case notes are immutable."

    class Meta:
        abstract = True


@audit.sensitive
class CaseNote(models.Model):
    """One note: what happened (kind, when, who was there, subject, body), optionally about one thing in the record."""

    # CASCADE like the person's contacts and alerts: the note is part of the record, which the product never deletes
    # (a merge keeps both); only erasing a person (a demo reset, a DBA's erasure) takes their notes with them.
    # db_index=False: the (person, occurred_at) index answers every lookup by person.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="case_notes", db_index=False
    )
    kind = models.CharField(max_length=30, choices=NoteKind.choices)
    occurred_at = models.DateTimeField("when it happened")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    present = models.TextField("who was present", blank=True, help_text="One name a line")
    contacts = models.ManyToManyField("people.Contact", blank=True, related_name="+")
    sensitive = models.BooleanField(default=False)
    # The author's teams when the note was written: a sensitive note stays with them if the author moves on.
    teams = models.ManyToManyField("core.Team", blank=True, related_name="+")
    # SET_NULL: the note outlives what it was about.
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
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)  # > 1: edited; the versions hold every earlier text
    updated_at = models.DateTimeField()
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        indexes = [models.Index(fields=["person", "occurred_at"], name="casenote_person_when")]
        constraints = [models.CheckConstraint(condition=at_most_one(LINK_FIELDS), name="casenote_one_link")]

    def __str__(self) -> str:
        return f"Case note {self.pk}"

    @property
    def link_field(self) -> str:
        return next((name for name in LINK_FIELDS if getattr(self, f"{name}_id")), "")

    @property
    def edited(self) -> bool:
        return self.version > 1


@audit.sensitive
class CaseNoteVersion(_Immutable):
    """The note as it was saved at one time: version 1 as first written, then one row for each correction."""

    note = models.ForeignKey(CaseNote, on_delete=models.CASCADE, related_name="versions", db_index=False)
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=NoteKind.choices)
    occurred_at = models.DateTimeField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    present = models.TextField(blank=True)
    contact_ids = models.JSONField(default=list)
    sensitive = models.BooleanField(default=False)
    link_field = models.CharField(max_length=20, blank=True)
    link_id = models.PositiveIntegerField(null=True, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()
    reason = models.CharField("why it was changed", max_length=300, blank=True)
    objects = SensitiveManager()

    class Meta:
        ordering = ["note", "version"]
        constraints = [models.UniqueConstraint(fields=["note", "version"], name="casenote_version_once")]


@audit.sensitive
class CaseNoteAddendum(_Immutable):
    """A dated addition to a note, by anyone who may write notes on the person; never changed."""

    note = models.ForeignKey(CaseNote, on_delete=models.CASCADE, related_name="addenda", db_index=False)
    body = models.TextField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    objects = SensitiveManager()

    class Meta:
        ordering = ["note", "written_at", "pk"]
        indexes = [models.Index(fields=["note", "written_at"], name="casenote_addendum_note")]
