"""The person alleged to cause harm, where they have a record of their own, is never told: their record page, its
timeline, the API about them, their access log and the worktray show nothing of the enquiry, and no audit event
about it is written against them. Their own worker sees their record as before."""

from __future__ import annotations

import pytest

from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding.tests.factories import (
    AllegationFactory,
    ConcernFactory,
    EnquiryFactory,
    ProtectionPlanFactory,
)
from openasc.worktray.models import Task
from openasc.worktray.services.refresh import refresh


@pytest.fixture
def case(staff, teams):
    adult = PersonFactory(first_name="Ivy", last_name="Pennant")
    alleged = PersonFactory(first_name="Darren", last_name="Cole")
    # The alleged person is known to adult social care in their own right, with their own worker
    CareRelationshipFactory(person=alleged, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    CareRelationshipFactory(
        person=adult, user=None, team=teams.safeguarding, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
    )
    enquiry = EnquiryFactory(
        in_progress=True,
        officer=staff.team_manager,
        concern=ConcernFactory(decided=True, person=adult, team=teams.safeguarding),
    )
    AllegationFactory(enquiry=enquiry, source_person=alleged, source_description="Grandson")
    ProtectionPlanFactory(enquiry=enquiry, person=adult)
    staff.safeguarding_lead.teams.set([teams.safeguarding])
    return adult, alleged, enquiry


def test_their_record_page_and_timeline_show_nothing_of_the_enquiry(client, staff, case):
    _, alleged, enquiry = case
    client.force_login(staff.social_worker)
    html = client.get(f"/people/{alleged.pk}").content.decode()
    assert "Darren Cole" in html  # their own record, as before
    assert "No safeguarding concern you can see" in html
    for leak in (
        "Ivy",
        "Pennant",
        "Grandson",
        "enquiry",
        f"/safeguarding/enquiries/{enquiry.pk}",
        "open safeguarding concern",
    ):
        assert leak not in html, leak


def test_even_the_safeguarding_lead_sees_nothing_on_their_record(client, staff, case, teams):
    adult, alleged, _ = case
    CareRelationshipFactory(
        person=alleged, user=staff.safeguarding_lead, kind=RelationshipKind.ALLOCATED_WORKER
    )
    client.force_login(staff.safeguarding_lead)
    html = client.get(f"/people/{alleged.pk}").content.decode()
    assert "Safeguarding concern received" not in html and "Pennant" not in html
    # while the adult's own record shows the concern to the lead
    assert "Safeguarding concern received" in client.get(f"/people/{adult.pk}").content.decode()


def test_the_api_about_them_shows_nothing(client, staff, case):
    _, alleged, _ = case
    client.force_login(staff.social_worker)
    body = client.get(f"/api/safeguarding/people/{alleged.pk}/concerns").json()
    assert body == {"person_id": alleged.pk, "concerns": [], "hidden_open": 0}


def test_no_event_is_written_against_them_and_no_task_is_about_them(client, staff, case):
    adult, alleged, _ = case
    client.force_login(staff.safeguarding_lead)
    for path in (
        "/safeguarding/",
        "/safeguarding/enquiries/",
        "/safeguarding/plan-reviews/",
        "/safeguarding/dashboard/",
        f"/people/{adult.pk}",
    ):
        assert client.get(path).status_code == 200, path
    refresh(actor=staff.system)
    assert Task.objects.filter(person_id=adult.pk).exists()
    assert not Task.objects.filter(person_id=alleged.pk).exists()
    # The only events against them are their own worker's (none here): nothing of the enquiry
    assert not AuditEvent.objects.filter(person_id=alleged.pk).exists()
    client.force_login(staff.information_governance)
    log = client.get(f"/people/{alleged.pk}/access-log")
    assert log.status_code == 200
    main = log.content.decode().split("<main", 1)[1]  # the page's own content, not the navigation
    assert "safeguarding" not in main.lower() and "Pennant" not in main
