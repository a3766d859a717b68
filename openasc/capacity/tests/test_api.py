"""The capacity API: record and read under the pages' rules, every invalid field at once, refusals audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from openasc.capacity.models import BestInterestsDecision, CapacityAssessment
from openasc.capacity.tests.factories import (
    PROVIDER,
    AdvocacyDutyFactory,
    CapacityAssessmentFactory,
    ConsentToShareFactory,
    ImcaReferralFactory,
    provider,
)
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory

TODAY = timezone.localdate().isoformat()


@pytest.fixture
def person(staff):
    p = PersonFactory(first_name="Alma", last_name="Reid")
    CareRelationshipFactory(person=p, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    return p


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


LACKS = {
    "decision": "Whether to have the hip operation",
    "assessed_on": TODAY,
    "assessor": "Sam Worthing, social worker",
    "location": "Her home",
    "impairment": True,
    "impairment_detail": "Alzheimer's disease",
    "understand": False,
    "understand_evidence": "Could not say what the operation is for",
    "retain": False,
    "retain_evidence": "Forgot within minutes",
    "use_weigh": False,
    "use_weigh_evidence": "Could not weigh pain against the risks",
    "communicate": True,
    "communicate_evidence": "Talks clearly",
    "nexus": True,
    "nexus_evidence": "Consistent with the diagnosis",
    "support_steps": "Pictures of the hip, two visits, her son there",
    "outcome": "lacks_capacity",
}


def test_record_and_read_an_assessment_and_its_best_interests_decision(client, staff, person):
    client.force_login(staff.social_worker)
    made = post(client, f"/api/capacity/people/{person.pk}/assessments", LACKS)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["outcome"] == "lacks_capacity" and body["best_interests_id"] is None
    bi = post(
        client,
        f"/api/capacity/assessments/{body['id']}/best-interests",
        {
            "consulted": [{"name": "Tom Reid", "role": "son"}],
            "wishes": "Wants to walk to church again",
            "options": [
                {"option": "Operation", "benefits": "Less pain", "risks": "Anaesthetic"},
                {"option": "No operation", "benefits": "No surgery", "risks": "Pain, immobility"},
            ],
            "least_restrictive": "No operation, with pain relief",
            "decision": "Operation, as her wishes to walk again weigh most",
            "decision_maker": "Dr Okafor, consultant surgeon",
            "decided_on": TODAY,
        },
    )
    assert bi.status_code == 201, bi.content
    read = client.get(f"/api/capacity/assessments/{body['id']}").json()
    assert read["best_interests_id"] == bi.json()["id"]
    listed = client.get(f"/api/capacity/people/{person.pk}").json()
    assert [c["id"] for c in listed["capacity_assessments"]] == [body["id"]]
    assert listed["best_interests"][0]["consulted"] == [{"name": "Tom Reid", "role": "son"}]


def test_an_invalid_assessment_reports_every_field_at_once(client, staff, person):
    client.force_login(staff.social_worker)
    bad = {**LACKS, "impairment": False, "assessed_on": "2999-01-01", "support_steps": "", "link": "plan:x"}
    response = post(client, f"/api/capacity/people/{person.pk}/assessments", bad)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields >= {"outcome", "impairment", "assessed_on", "support_steps", "link"}
    assert not CapacityAssessment.objects.exists()


def test_best_interests_refused_over_the_api_when_the_person_has_capacity(client, staff, person):
    c = CapacityAssessmentFactory(person=person)
    client.force_login(staff.social_worker)
    response = post(client, f"/api/capacity/assessments/{c.pk}/best-interests", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "capacity_assessment"
    assert not BestInterestsDecision.objects.exists()


def test_advocacy_imca_and_consent_over_the_api(client, staff, person):
    provider()
    client.force_login(staff.social_worker)
    a = post(
        client,
        f"/api/capacity/people/{person.pk}/advocacy",
        {
            "involvement_in": "review",
            "considered_on": TODAY,
            "difficulty_understand": True,
            "difficulty_retain": False,
            "difficulty_use_weigh": False,
            "difficulty_communicate": True,
            "difficulty_evidence": "Uses a few signs only",
            "appropriate_individual": True,
            "appropriate_individual_name": "Tom Reid, son",
        },
    )
    assert a.status_code == 201, a.content
    assert a.json()["duty"] is False and a.json()["substantial_difficulty"] is True
    c = CapacityAssessmentFactory(person=person, lacks=True)
    i = post(
        client,
        f"/api/capacity/people/{person.pk}/imca",
        {
            "capacity_assessment": c.pk,
            "reason": "serious_medical_treatment",
            "reason_detail": "Hip replacement",
            "no_one_appropriate": True,
            "provider": PROVIDER,
            "referred_on": TODAY,
        },
    )
    assert i.status_code == 201, i.content
    s = post(
        client,
        f"/api/capacity/people/{person.pk}/consent",
        {"what": "Her plan", "agencies": ["GP"], "basis": "consent_refused", "recorded_on": TODAY},
    )
    assert s.status_code == 201 and s.json()["refused"] is True
    for path in (f"advocacy/{a.json()['id']}", f"imca/{i.json()['id']}", f"consent/{s.json()['id']}"):
        assert client.get(f"/api/capacity/{path}").status_code == 200


def test_someone_without_a_relationship_is_refused_and_audited(client, staff, person):
    c = CapacityAssessmentFactory(person=person, lacks=True)
    a = AdvocacyDutyFactory(person=person)
    i = ImcaReferralFactory(capacity_assessment=c)
    s = ConsentToShareFactory(person=person)
    client.force_login(staff.occupational_therapist)
    paths = [
        f"/api/capacity/people/{person.pk}",
        f"/api/capacity/assessments/{c.pk}",
        f"/api/capacity/advocacy/{a.pk}",
        f"/api/capacity/imca/{i.pk}",
        f"/api/capacity/consent/{s.pk}",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 403, path
        assert c.decision not in response.content.decode()
    assert post(client, f"/api/capacity/people/{person.pk}/assessments", LACKS).status_code == 403
    refused = AuditEvent.objects.filter(
        action="access_refused", actor=staff.occupational_therapist, person_id=person.pk
    )
    assert refused.count() == len(paths) + 1
    assert not CapacityAssessment.objects.exclude(pk=c.pk).exists()


def test_a_role_that_does_not_assess_may_read_but_not_record(client, staff, person):
    CareRelationshipFactory(
        person=person,
        user=staff.broker,
        kind=RelationshipKind.GRANT,
        ends_at=timezone.now() + dt.timedelta(days=1),
    )
    client.force_login(staff.broker)
    assert client.get(f"/api/capacity/people/{person.pk}").status_code == 200
    response = post(client, f"/api/capacity/people/{person.pk}/assessments", LACKS)
    assert response.status_code == 403 and "cannot record" in response.json()["detail"]


def test_another_persons_assessment_is_not_reachable_through_this_persons_imca(client, staff, person):
    provider()
    other = CapacityAssessmentFactory(person=PersonFactory(), lacks=True)
    client.force_login(staff.social_worker)
    response = post(
        client,
        f"/api/capacity/people/{person.pk}/imca",
        {
            "capacity_assessment": other.pk,
            "reason": "accommodation",
            "reason_detail": "Move",
            "no_one_appropriate": True,
            "provider": PROVIDER,
            "referred_on": TODAY,
        },
    )
    assert response.status_code == 422
    assert "another person's record" in response.json()["errors"][0]["message"]


def test_the_providers_are_listed_for_api_clients(client, staff):
    provider()
    client.force_login(staff.social_worker)
    assert client.get("/api/capacity/providers").json() == {"providers": [PROVIDER]}
