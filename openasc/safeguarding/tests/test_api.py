"""The safeguarding API: an NHS partner raises a concern and reads back only their own; the lead decides (every
invalid field at once); someone who may open the record but not the detail is refused and the refusal audited; the
enquiry never names the person alleged to cause harm; the SAC for those who may see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.core.models import AuditAction, AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding.models import Concern
from openasc.safeguarding.tests.factories import AllegationFactory, ConcernFactory, EnquiryFactory

TODAY = timezone.localdate()


def token_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def adult(db):
    return PersonFactory(first_name="Ivy", last_name="Pennant")


@pytest.fixture
def lead(staff, teams):
    staff.safeguarding_lead.teams.set([teams.safeguarding])
    return staff.safeguarding_lead


CONCERN = {
    "referrer_kind": "health",
    "referrer_name": "Dr Amara Osei",
    "referrer_organisation": "Riverside Surgery",
    "what_happened": "Bruising on both arms; says her grandson takes her pension",
    "consent": "given",
    "harm_person_known": "yes",
}


def test_an_nhs_partner_raises_a_concern_and_sees_only_their_own(client, staff, adult, lead):
    CareRelationshipFactory(person=adult, user=staff.nhs_partner, kind=RelationshipKind.ALLOCATED_WORKER)
    someone_elses = ConcernFactory(person=adult)
    client.force_login(staff.nhs_partner)
    r = client.post(f"/api/safeguarding/people/{adult.pk}/concerns", CONCERN, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "awaiting_decision" and body["decision_due_on"] > TODAY.isoformat()
    listed = client.get(f"/api/safeguarding/people/{adult.pk}/concerns").json()
    assert [c["id"] for c in listed["concerns"]] == [body["id"]] and listed["hidden_open"] == 1
    assert client.get(f"/api/safeguarding/concerns/{someone_elses.pk}").status_code == 403
    assert AuditEvent.objects.filter(
        actor=staff.nhs_partner, action=AuditAction.ACCESS_REFUSED, person_id=adult.pk
    ).exists()


def test_an_invalid_concern_names_every_field_and_saves_nothing(client, staff, adult):
    CareRelationshipFactory(person=adult, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    client.force_login(staff.social_worker)
    r = client.post(
        f"/api/safeguarding/people/{adult.pk}/concerns",
        {"referrer_kind": "martian", "consent": "", "what_happened": ""},
        content_type="application/json",
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"referrer_kind", "consent", "what_happened", "harm_person_known"} <= fields
    assert not Concern.objects.exists()


def test_the_lead_decides_and_a_decision_that_does_not_follow_is_refused(client, lead, adult, teams):
    CareRelationshipFactory(
        person=adult, user=None, team=teams.safeguarding, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
    )
    concern = ConcernFactory(person=adult, team=teams.safeguarding)
    client.force_login(lead)
    url = f"/api/safeguarding/concerns/{concern.pk}/decision"
    wrong = {
        "care_and_support_needs": True,
        "abuse_or_neglect": True,
        "unable_to_protect": False,
        "decision": "s42",
    }
    assert client.post(url, wrong, content_type="application/json").status_code == 422
    right = {**wrong, "unable_to_protect": True}
    r = client.post(url, right, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "enquiry" and r.json()["enquiry_id"]


def test_the_enquiry_never_names_the_person_alleged_to_cause_harm(client, lead, adult, teams):
    CareRelationshipFactory(
        person=adult, user=None, team=teams.safeguarding, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
    )
    alleged = PersonFactory(first_name="Darren", last_name="Pennant-Smith")
    enquiry = EnquiryFactory(concern=ConcernFactory(decided=True, person=adult, team=teams.safeguarding))
    AllegationFactory(enquiry=enquiry, source_person=alleged, source_description="Grandson")
    client.force_login(lead)
    r = client.get(f"/api/safeguarding/enquiries/{enquiry.pk}")
    assert r.status_code == 200
    text = r.content.decode()
    assert "Darren" not in text and str(alleged.pk) not in [str(v) for v in r.json().values()]
    assert r.json()["allegations"][0]["source_description"] == "Grandson"
    assert not AuditEvent.objects.filter(person_id=alleged.pk).exists()


def test_the_sac_is_for_those_who_may_see_it(client, staff):
    ConcernFactory(received_on=dt.date(2025, 6, 1))
    client.force_login(staff.performance_analyst)
    r = client.get("/api/safeguarding/sac?year=2025-26")
    assert (
        r.status_code == 200 and r.json()["tables"]["SG1f"]["rows"]["Total Number of Safeguarding Concerns"]
    )
    assert client.get("/api/safeguarding/sac?year=2025").status_code == 422
    client.force_login(staff.social_worker)
    assert client.get("/api/safeguarding/sac?year=2025-26").status_code == 403
