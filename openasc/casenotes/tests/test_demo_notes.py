"""The demo's case notes: believable in number and kind, and consistent with the rules notes written in the product
follow (first version kept, authors who may write notes, nothing in the future, sensitive notes kept with a team)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from openasc.casenotes.models import CaseNote, CaseNoteAddendum, CaseNoteVersion
from openasc.core import access
from openasc.core.models import AuditEvent, CareRelationship


@pytest.mark.no_audit_safety_net
def test_the_demo_has_notes_on_the_people_it_works_with(transactional_db):
    call_command(
        "demo", "--people", "400", "--seed", "5", "--no-history", stdout=StringIO(), stderr=StringIO()
    )
    notes = CaseNote.objects.all()
    open_people = set(
        CareRelationship.objects.filter(ends_at__isnull=True, kind="allocated_team").values_list(
            "person_id", flat=True
        )
    )
    with_notes = set(notes.values_list("person_id", flat=True))
    assert with_notes == open_people and len(open_people) > 100
    per_person = notes.values("person_id").annotate(n=Count("pk")).values_list("n", flat=True)
    assert min(per_person) >= 1 and max(per_person) <= 5
    assert 0.03 < notes.filter(sensitive=True).count() / notes.count() < 0.15
    assert len(set(notes.values_list("kind", flat=True))) == 6
    assert not notes.filter(occurred_at__gt=timezone.now()).exists()
    assert not notes.filter(created_at__lt=F("occurred_at")).exists()
    writers = access.roles_with(access.Capability.WRITE_NOTES)
    assert set(notes.values_list("author__role", flat=True)) <= writers
    assert CaseNoteVersion.objects.count() == sum(notes.values_list("version", flat=True))
    assert notes.filter(version=2).exists() and CaseNoteAddendum.objects.exists()
    assert not notes.filter(sensitive=True, teams__isnull=True).exists()
    assert AuditEvent.objects.filter(reason="Demo: synthetic case notes").count() >= 1


def test_reset_notes_removes_every_note_and_its_rows(db, staff):
    from openasc.casenotes.tests.factories import CaseNoteAddendumFactory, CaseNoteFactory
    from openasc.demo.notes import reset_notes
    from openasc.frontdoor.tests.factories import SupportRequestFactory

    req = SupportRequestFactory()
    note = CaseNoteFactory(person=req.person, request=req, author=staff.social_worker, edited=True)
    CaseNoteAddendumFactory(note=note)
    reset_notes()
    assert not CaseNote.objects.exists() and not CaseNoteVersion.objects.exists()
    assert not CaseNoteAddendum.objects.exists() and not CaseNote.teams.through.objects.exists()
