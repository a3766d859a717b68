"""Who learns what of a safeguarding concern: a user with no relationship is refused and the refusal is audited
against the adult; someone who may open the record but not the safeguarding detail learns only that an open one
exists; the people who see the detail have each view audited against the adult; the alleged person's record shows
nothing and no event names them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.core.errors import AccessDenied
from openasc.core.models import AuditAction, AuditEvent, RelationshipKind, Role
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory, opened
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding import selectors
from openasc.safeguarding.tests.factories import AllegationFactory, ConcernFactory

TOMORROW = timezone.now() + dt.timedelta(days=1)


@pytest.fixture
def adult(db):
    return PersonFactory(first_name="Ivy", last_name="Pennant")


@pytest.fixture
def concern(adult, staff, teams):
    return ConcernFactory(person=adult, raised_by=staff.front_door, team=teams.safeguarding)


def _refusals(person):
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, person_id=person.pk)


def test_no_relationship_is_refused_and_audited_against_the_adult(staff, concern, adult):
    with pytest.raises(AccessDenied):
        selectors.concern_get(user=staff.social_worker, concern_id=concern.pk)
    assert _refusals(adult).filter(actor=staff.social_worker).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, person_id=adult.pk).exists()


def test_record_but_not_detail_learns_only_that_one_is_open(staff, concern, adult):
    broker = staff.broker
    CareRelationshipFactory(person=adult, user=broker, kind=RelationshipKind.GRANT, ends_at=TOMORROW)
    with pytest.raises(AccessDenied) as exc:
        selectors.concern_get(user=broker, concern_id=concern.pk)
    assert "safeguarding team" in exc.value.access.explanation
    assert _refusals(adult).filter(actor=broker).count() == 1
    shown = selectors.on_record(opened(broker, adult))
    assert (shown.concerns, shown.hidden_open, shown.sees_all) == ([], 1, False)


def test_decided_with_no_enquiry_is_not_counted_as_open(staff, adult, teams):
    ConcernFactory(person=adult, raised_by=staff.front_door, team=teams.safeguarding, no_enquiry=True)
    broker = staff.broker
    CareRelationshipFactory(person=adult, user=broker, kind=RelationshipKind.GRANT, ends_at=TOMORROW)
    assert selectors.on_record(opened(broker, adult)).hidden_open == 0


def test_the_lead_sees_it_and_the_view_is_audited_against_the_adult(staff, concern, adult):
    lead = staff.safeguarding_lead
    CareRelationshipFactory(
        person=adult, user=None, team=concern.team, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
    )
    lead.teams.add(concern.team)
    got, record = selectors.concern_get(user=lead, concern_id=concern.pk)
    assert got == concern and record.person_id == adult.pk
    view = AuditEvent.objects.get(action=AuditAction.VIEW, actor=lead)
    assert (view.person_id, view.object_type, view.object_id) == (
        adult.pk,
        "safeguarding.concern",
        str(concern.pk),
    )


def test_an_nhs_partner_sees_only_the_concerns_they_raised(staff, adult, teams):
    partner = staff.nhs_partner
    CareRelationshipFactory(
        person=adult, user=partner, kind=RelationshipKind.NHS_SHARING, basis="Direct care (community nursing)"
    )
    theirs = ConcernFactory(person=adult, raised_by=partner, team=teams.safeguarding)
    other = ConcernFactory(person=adult, raised_by=staff.front_door, team=teams.safeguarding)
    assert selectors.concern_get(user=partner, concern_id=theirs.pk)[0] == theirs
    with pytest.raises(AccessDenied):
        selectors.concern_get(user=partner, concern_id=other.pk)
    shown = selectors.on_record(opened(partner, adult))
    assert ([c.pk for c in shown.concerns], shown.hidden_open) == ([theirs.pk], 1)


def test_the_alleged_persons_record_shows_nothing(staff, concern, adult):
    grandson = PersonFactory(first_name="Kyle", last_name="Pennant")
    AllegationFactory(enquiry__concern=concern, source_person=grandson)
    manager = UserFactory(username="mgr2", role=Role.TEAM_MANAGER)
    shown = selectors.on_record(opened(manager, grandson))
    assert (shown.concerns, shown.hidden_open) == ([], 0)
    assert not AuditEvent.objects.filter(person_id=grandson.pk).exclude(action=AuditAction.VIEW).exists()
