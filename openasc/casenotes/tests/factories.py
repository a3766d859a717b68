"""Case notes (set-up data, exempt from the audit safety net; the code under test audits its own writes).

`CaseNoteFactory()` is a visit note written a week ago by a social worker, with its first version;
`CaseNoteFactory(sensitive=True)` one only the author's teams and named roles may read; `CaseNoteFactory(edited=True)`
one corrected once (version 2, both versions kept); `CaseNoteAddendumFactory(note=...)` an addendum to it."""

import datetime as dt

import factory
from django.utils import timezone

from openasc.casenotes.models import CaseNote, CaseNoteAddendum, CaseNoteVersion, NoteKind
from openasc.core.models import Role
from openasc.core.tests.factories import AuditExemptFactory, UserFactory
from openasc.people.tests.factories import PersonFactory


def _week_ago():
    return timezone.now() - dt.timedelta(days=7)


class CaseNoteFactory(AuditExemptFactory):
    class Meta:
        model = CaseNote
        skip_postgeneration_save = True

    class Params:
        edited = factory.Trait(version=2)

    person = factory.SubFactory(PersonFactory)
    kind = NoteKind.VISIT
    occurred_at = factory.LazyFunction(_week_ago)
    subject = factory.Sequence(lambda n: f"Home visit {n}")
    body = "Visited at home. Discussed how the mornings are going and what help is wanted."
    present = ""
    sensitive = False
    author = factory.SubFactory(UserFactory, username="note-author", role=Role.SOCIAL_WORKER)
    created_at = factory.LazyAttribute(lambda o: o.occurred_at)
    updated_at = factory.LazyAttribute(lambda o: o.created_at)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        """The author's teams unless given, as the service records them."""
        if not create:
            return
        from openasc.core import audit

        with audit.exempt_from_safety_net():
            self.teams.set(extracted if extracted is not None else list(self.author.teams.all()))
            for v in range(1, self.version + 1):
                CaseNoteVersion.objects.create(
                    note=self,
                    version=v,
                    kind=self.kind,
                    occurred_at=self.occurred_at,
                    subject=self.subject if v == self.version else f"{self.subject} (first wording)",
                    body=self.body,
                    present=self.present,
                    sensitive=self.sensitive,
                    saved_by=self.author,
                    saved_at=self.created_at + dt.timedelta(minutes=10 * (v - 1)),
                    reason="" if v == 1 else "Typo",
                )


class CaseNoteAddendumFactory(AuditExemptFactory):
    class Meta:
        model = CaseNoteAddendum

    note = factory.SubFactory(CaseNoteFactory)
    body = "Daughter rang back: she can be there on Thursdays."
    written_by = factory.LazyAttribute(lambda o: o.note.author)
    written_at = factory.LazyFunction(timezone.now)
