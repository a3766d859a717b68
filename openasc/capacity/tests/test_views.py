"""The capacity pages: the section, each record, the forms (every error at once, drafts), and the refusals, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.capacity.models import AdvocacyDuty, BestInterestsDecision, CapacityAssessment, ConsentToShare
from openasc.capacity.tests.factories import (
    PROVIDER,
    AdvocacyDutyFactory,
    BestInterestsDecisionFactory,
    CapacityAssessmentFactory,
    ConsentToShareFactory,
    ImcaReferralFactory,
    provider,
)
from openasc.core.models import AuditEvent, FormDraft, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory

TODAY = timezone.localdate()


@pytest.fixture
def person(staff):
    p = PersonFactory(first_name="Edith", last_name="Marlow")
    CareRelationshipFactory(person=p, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    return p


@pytest.fixture
def worker(client, staff):
    client.force_login(staff.social_worker)
    return client


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def lacks_form(**overrides) -> dict:
    data = {
        "decision": "Where to live on discharge from hospital",
        **_date("assessed_on", TODAY),
        "assessor": "Sam Worthing, social worker",
        "location": "Ward 7",
        "impairment": "yes",
        "impairment_detail": "Vascular dementia",
        "understand": "yes",
        "understand_evidence": "Repeated the options back",
        "retain": "yes",
        "retain_evidence": "Remembered them",
        "use_weigh": "no",
        "use_weigh_evidence": "Could not weigh the risk of falls",
        "communicate": "yes",
        "communicate_evidence": "Said what she wants",
        "nexus": "yes",
        "nexus_evidence": "Follows from the dementia",
        "support_steps": "Quiet room, hearing aid",
        "outcome": "lacks_capacity",
    }
    data.update(overrides)
    return data


def test_the_person_page_links_to_the_section(worker, person):
    page = worker.get(f"/people/{person.pk}").content.decode()
    assert f"/capacity/people/{person.pk}" in page and f"/capacity/people/{person.pk}/assessments/new" in page


def test_the_section_shows_the_presumption_every_record_and_a_refusal_of_consent(worker, person):
    c = CapacityAssessmentFactory(person=person, lacks=True)
    BestInterestsDecisionFactory(capacity_assessment=c)
    AdvocacyDutyFactory(person=person, with_duty=True)
    ImcaReferralFactory(capacity_assessment=c)
    ConsentToShareFactory(person=person, refused=True, agencies="Northshire Housing")
    response = worker.get(f"/capacity/people/{person.pk}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "must be assumed to have capacity unless it is established that they lack it" in page
    assert "Edith refused consent on" in page and "Northshire Housing" in page
    for text in (
        "Lacks capacity for this decision",
        "Home with four calls a day",
        "Duty to arrange an independent",
        "A change of accommodation",
        "Consent refused",
    ):
        assert text in page
    event = AuditEvent.objects.filter(action="view", person_id=person.pk).latest("pk")
    assert event.details["purpose"] == "mental capacity and advocacy"


def test_a_worker_records_an_assessment_then_the_best_interests_decision(worker, person, staff):
    response = worker.post(f"/capacity/people/{person.pk}/assessments/new", lacks_form())
    c = CapacityAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/capacity/assessments/{c.pk}"
    page = worker.get(response["Location"]).content.decode()
    assert "Mental capacity assessment recorded" in page and "Record a best-interests decision" in page
    assert "What rests on this assessment" not in page
    form = {
        "consulted": "Ann Marlow, daughter",
        "wishes": "Wants to go home",
        "option_1_option": "Home with care",
        "option_1_benefits": "Her home",
        "option_1_risks": "Falls",
        "option_2_option": "Care home",
        "option_2_benefits": "Help at night",
        "option_2_risks": "Distress",
        "least_restrictive": "Home with care",
        "decision": "Home with four calls a day",
        "decision_maker": "Sam Worthing, social worker",
        **_date("decided_on", TODAY),
    }
    response = worker.post(f"/capacity/assessments/{c.pk}/best-interests/new", form)
    b = BestInterestsDecision.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/capacity/best-interests/{b.pk}"
    page = worker.get(response["Location"]).content.decode()
    assert "Best-interests decision recorded" in page and "Help at night" in page
    timeline = worker.get(f"/people/{person.pk}").content.decode()
    assert "Mental capacity assessment: Where to live on discharge from hospital" in timeline
    assert "Best-interests decision" in timeline


def test_an_inconsistent_assessment_is_shown_again_with_every_error_linked_to_its_field(worker, person):
    response = worker.post(
        f"/capacity/people/{person.pk}/assessments/new",
        lacks_form(impairment="no", **{"assessed_on-day": "31", "assessed_on-month": "2"}, support_steps=""),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#outcome"' in page and 'href="#impairment"' in page and 'href="#support_steps"' in page
    assert 'href="#assessed_on-day"' in page and "must be a real date" in page
    assert "stage 1 is answered no" in page
    assert not CapacityAssessment.objects.exists()


def test_a_future_date_on_the_form_is_refused(worker, person):
    tomorrow = TODAY + dt.timedelta(days=1)
    response = worker.post(
        f"/capacity/people/{person.pk}/assessments/new", lacks_form(**_date("assessed_on", tomorrow))
    )
    assert response.status_code == 400 and "must be today or in the past" in response.content.decode()


def test_a_draft_is_restored_on_the_form(worker, person, staff):
    path = f"/capacity/people/{person.pk}/assessments/new"
    FormDraft.objects.create(
        user=staff.social_worker, path=path, data={"decision": "Whether to have the operation"}
    )
    page = worker.get(path).content.decode()
    assert "Whether to have the operation" in page and "We have filled in what you typed" in page


def test_no_best_interests_page_for_an_assessment_that_found_capacity(worker, person):
    c = CapacityAssessmentFactory(person=person)
    response = worker.get(f"/capacity/assessments/{c.pk}/best-interests/new")
    assert response.status_code == 403 and "the decision is theirs to make" in response.content.decode()
    assert (
        "Record a best-interests decision" not in worker.get(f"/capacity/assessments/{c.pk}").content.decode()
    )


def test_a_role_that_does_not_assess_is_refused_the_forms_but_may_read(client, staff, person):
    CareRelationshipFactory(
        person=person,
        user=staff.broker,
        kind=RelationshipKind.GRANT,
        ends_at=timezone.now() + dt.timedelta(days=1),
    )
    client.force_login(staff.broker)
    assert client.get(f"/capacity/people/{person.pk}/assessments/new").status_code == 403
    refusal = AuditEvent.objects.filter(action="access_refused", actor=staff.broker).latest("pk")
    assert refusal.details["path"] == f"/capacity/people/{person.pk}/assessments/new"
    assert client.post(f"/capacity/people/{person.pk}/consent/new", {"what": "x"}).status_code == 403
    assert not ConsentToShare.objects.exists()
    page = client.get(f"/capacity/people/{person.pk}").content.decode()
    assert "Mental capacity assessments" in page and "Record a mental capacity assessment" not in page


def test_someone_without_access_is_refused_each_page_and_the_refusal_audited(client, staff, person):
    c = CapacityAssessmentFactory(person=person, lacks=True)
    stranger = staff.occupational_therapist  # assesses, but has no relationship with Edith
    client.force_login(stranger)
    response = client.get(f"/capacity/people/{person.pk}")
    assert (
        response.status_code == 302 and "break-glass" in response["Location"]
    )  # offered, with a reason, reviewed
    for url in (f"/capacity/assessments/{c.pk}", f"/capacity/assessments/{c.pk}/best-interests/new"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert c.decision not in response.content.decode()
    refusals = AuditEvent.objects.filter(action="access_refused", actor=stranger, person_id=person.pk)
    assert refusals.count() == 3


def test_advocacy_imca_and_consent_forms(worker, person):
    provider()
    response = worker.post(
        f"/capacity/people/{person.pk}/advocacy/new",
        {
            "involvement_in": "planning",
            **_date("considered_on", TODAY),
            "difficulty_understand": "no",
            "difficulty_retain": "no",
            "difficulty_use_weigh": "yes",
            "difficulty_communicate": "no",
            "difficulty_evidence": "Finds it hard to weigh options",
            "appropriate_individual": "no",
            "referral_made": "yes",
            "provider": PROVIDER,
            **_date("referred_on", TODAY),
        },
    )
    assert response.status_code == 302
    assert AdvocacyDuty.objects.get().duty is True
    c = CapacityAssessmentFactory(person=person, lacks=True)
    form = worker.get(f"/capacity/people/{person.pk}/imca/new").content.decode()
    assert c.decision in form and PROVIDER in form
    response = worker.post(
        f"/capacity/people/{person.pk}/consent/new",
        {
            "what": "Her plan",
            "agencies": "Her GP practice",
            "basis": "consent_refused",
            **_date("recorded_on", TODAY),
        },
    )
    assert response.status_code == 302 and ConsentToShare.objects.get().refused
    response = worker.post(f"/capacity/people/{person.pk}/consent/new", {"basis": "overriding_interest"})
    assert response.status_code == 400
    page = response.content.decode()
    for anchor in ("#what", "#agencies", "#reason", "#recorded_on-day"):
        assert f'href="{anchor}"' in page


def test_a_record_of_another_person_is_not_found_by_a_wrong_id(worker):
    assert worker.get("/capacity/assessments/999999").status_code == 404
    assert worker.get("/capacity/consent/999999").status_code == 404


def test_the_imca_form_says_to_assess_first_when_no_assessment_found_a_lack_of_capacity(worker, person):
    CapacityAssessmentFactory(person=person)  # has capacity
    page = worker.get(f"/capacity/people/{person.pk}/imca/new").content.decode()
    assert "No mental capacity assessment has found that Edith Marlow lacks capacity" in page
    assert f"/capacity/people/{person.pk}/assessments/new" in page and '<form method="post"' not in page


def test_a_link_from_an_assessment_page_chooses_what_the_record_is_about(worker, person):
    from openasc.assessments.tests.factories import AssessmentFactory

    own = AssessmentFactory(person=person)
    other = AssessmentFactory(person=PersonFactory())
    page = worker.get(
        f"/capacity/people/{person.pk}/assessments/new?link=assessment:{own.pk}"
    ).content.decode()
    assert f'value="assessment:{own.pk}" selected' in page
    page = worker.get(
        f"/capacity/people/{person.pk}/assessments/new?link=assessment:{other.pk}"
    ).content.decode()
    assert f"assessment:{other.pk}" not in page


def test_the_assessment_page_links_to_what_rests_on_it(worker, person):
    c = CapacityAssessmentFactory(person=person, lacks=True)
    i = ImcaReferralFactory(capacity_assessment=c)
    s = ConsentToShareFactory(person=person, basis="best_interests", capacity_assessment=c)
    page = worker.get(f"/capacity/assessments/{c.pk}").content.decode()
    assert "What rests on this assessment" in page
    assert f"/capacity/imca/{i.pk}" in page and f"/capacity/consent/{s.pk}" in page


def test_a_second_best_interests_decision_is_refused_on_the_page(worker, person):
    b = BestInterestsDecisionFactory(capacity_assessment=CapacityAssessmentFactory(person=person, lacks=True))
    response = worker.get(f"/capacity/assessments/{b.capacity_assessment_id}/best-interests/new")
    assert response.status_code == 403 and "already been recorded" in response.content.decode()
    page = worker.get(f"/capacity/assessments/{b.capacity_assessment_id}").content.decode()
    assert f"/capacity/best-interests/{b.pk}" in page and "Record a best-interests decision" not in page
