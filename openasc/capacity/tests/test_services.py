"""Recording capacity assessments, best-interests decisions, advocacy, IMCA referrals and consent: both sides of every
rule, every field's error at once, nothing written when refused, and what the audit trail says (never the words)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from openasc.capacity import services
from openasc.capacity.models import (
    AdvocacyDuty,
    BestInterestsDecision,
    CapacityAssessment,
    ConsentToShare,
    ImcaReferral,
    Outcome,
)
from openasc.capacity.tests.factories import (
    PROVIDER,
    BestInterestsDecisionFactory,
    CapacityAssessmentFactory,
    provider,
)
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import PlanFactory

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture
def person(staff):
    p = PersonFactory(first_name="Edith", last_name="Marlow", date_of_birth=dt.date(1938, 5, 2))
    CareRelationshipFactory(person=p, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    return p


@pytest.fixture
def record(staff, person):
    return opened(staff.social_worker, person)


def has_capacity(**overrides) -> dict:
    data = {
        "decision": "Where to live on discharge from hospital",
        "assessed_on": YESTERDAY,
        "assessor": "Sam Worthing, social worker",
        "location": "Ward 7, Northshire General Hospital",
        "present": "Ann Marlow (daughter)",
        "impairment": False,
        "understand": True,
        "understand_evidence": "Told me the options in her own words",
        "retain": True,
        "retain_evidence": "Remembered them the next day",
        "use_weigh": True,
        "use_weigh_evidence": "Weighed the stairs against the help on offer",
        "communicate": True,
        "communicate_evidence": "Said clearly she wants to go home",
        "support_steps": "Quiet room, hearing aid in, her daughter there",
        "outcome": Outcome.HAS_CAPACITY,
    }
    data.update(overrides)
    return data


def lacks(**overrides) -> dict:
    data = has_capacity(
        impairment=True,
        impairment_detail="Vascular dementia (memory clinic, 2024)",
        use_weigh=False,
        use_weigh_evidence="Could not weigh the risk of falls at night",
        nexus=True,
        nexus_evidence="The difficulty weighing follows from the dementia",
        outcome=Outcome.LACKS_CAPACITY,
    )
    data.update(overrides)
    return data


def refused(call, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as exc:
        call(**kwargs)
    return exc.value.errors


# --- the capacity assessment ---------------------------------------------------------------------------------------


def test_a_person_with_capacity_is_recorded_and_audited_without_the_words(record, person, staff):
    c = services.capacity_assessment_record(record=record, **has_capacity())
    assert c.outcome == Outcome.HAS_CAPACITY and c.person == person and c.recorded_by == staff.social_worker
    event = AuditEvent.objects.get(object_type="capacity.capacityassessment", action="create")
    assert event.person_id == person.pk and event.details["outcome"] == "has_capacity"
    assert "Ward 7" not in json.dumps(event.details) and "stairs" not in json.dumps(event.details)


def test_lacks_capacity_when_impairment_an_inability_and_the_nexus(record):
    c = services.capacity_assessment_record(record=record, **lacks())
    assert c.lacks_capacity and c.use_weigh is False and c.nexus is True


def test_lacks_capacity_refused_when_stage_1_is_no(record):
    errors = refused(services.capacity_assessment_record, record=record, **lacks(impairment=False))
    assert "stage 1 is answered no" in errors["outcome"]
    assert "impairment" in errors
    assert not CapacityAssessment.objects.exists()


def test_lacks_capacity_refused_when_all_four_abilities_are_yes(record):
    errors = refused(
        services.capacity_assessment_record,
        record=record,
        **lacks(use_weigh=True, nexus=None, nexus_evidence=""),
    )
    assert "All four are answered yes" in errors["outcome"]


def test_lacks_capacity_refused_when_the_inability_is_not_because_of_the_impairment(record):
    errors = refused(services.capacity_assessment_record, record=record, **lacks(nexus=False))
    assert "causative nexus is answered no" in errors["outcome"] and "nexus" in errors


def test_has_capacity_refused_when_the_answers_show_they_lack_it(record):
    errors = refused(
        services.capacity_assessment_record, record=record, **lacks(outcome=Outcome.HAS_CAPACITY)
    )
    assert "The answers show the person lacks capacity" in errors["outcome"]
    assert "use or weigh it" in errors["outcome"]


def test_has_capacity_with_an_impairment_when_all_four_abilities_are_yes(record):
    c = services.capacity_assessment_record(
        record=record, **has_capacity(impairment=True, impairment_detail="Mild learning disability")
    )
    assert c.outcome == Outcome.HAS_CAPACITY


def test_has_capacity_when_an_inability_is_not_because_of_the_impairment(record):
    """s.2(1): "because of" an impairment; otherwise the presumption of capacity stands."""
    c = services.capacity_assessment_record(
        record=record,
        **lacks(
            outcome=Outcome.HAS_CAPACITY,
            nexus=False,
            nexus_evidence="She was upset by the ward move that day",
        ),
    )
    assert c.outcome == Outcome.HAS_CAPACITY and c.nexus is False


def test_the_nexus_is_required_when_there_is_an_impairment_and_an_inability(record):
    errors = refused(services.capacity_assessment_record, record=record, **lacks(nexus=None))
    assert "causative" in errors["nexus"]


def test_an_assessment_today_is_allowed_and_tomorrow_refused(record):
    assert services.capacity_assessment_record(record=record, **has_capacity(assessed_on=TODAY)).pk
    errors = refused(services.capacity_assessment_record, record=record, **has_capacity(assessed_on=TOMORROW))
    assert errors == {"assessed_on": "The date of the assessment must be today or in the past"}


def test_an_assessment_before_the_person_was_born_is_refused(record):
    errors = refused(
        services.capacity_assessment_record, record=record, **has_capacity(assessed_on=dt.date(1938, 5, 1))
    )
    assert "date of birth" in errors["assessed_on"]
    assert services.capacity_assessment_record(record=record, **has_capacity(assessed_on=dt.date(1938, 5, 2)))


def test_every_missing_field_is_reported_at_once(record):
    errors = refused(
        services.capacity_assessment_record,
        record=record,
        decision="",
        assessed_on=None,
        assessor="",
        location="",
    )
    assert set(errors) >= {
        "decision",
        "assessed_on",
        "assessor",
        "location",
        "impairment",
        "understand",
        "understand_evidence",
        "retain",
        "use_weigh",
        "communicate",
        "communicate_evidence",
        "support_steps",
        "outcome",
    }
    assert not CapacityAssessment.objects.exists()


def test_evidence_is_required_for_each_ability_and_the_impairment_described(record):
    errors = refused(
        services.capacity_assessment_record,
        record=record,
        **lacks(impairment_detail="", retain_evidence="  ", nexus_evidence=""),
    )
    assert set(errors) == {"impairment_detail", "retain_evidence", "nexus_evidence"}


def test_bad_types_are_reported_not_raised(record):
    errors = refused(
        services.capacity_assessment_record,
        record=record,
        **has_capacity(
            decision=["x"], assessed_on="2026-02-30", understand="maybe", outcome="unsure", link=5
        ),
    )
    assert set(errors) == {"decision", "assessed_on", "understand", "outcome", "link"}


def test_a_link_to_the_persons_own_plan_is_kept_and_another_persons_refused(record, person):
    own = PlanFactory(person=person)
    c = services.capacity_assessment_record(record=record, **has_capacity(link=f"plan:{own.pk}"))
    assert c.plan == own and c.assessment is None
    other = PlanFactory(person=PersonFactory())
    errors = refused(
        services.capacity_assessment_record, record=record, **has_capacity(link=f"plan:{other.pk}")
    )
    assert "belongs to another person's record" in errors["link"]
    errors = refused(services.capacity_assessment_record, record=record, **has_capacity(link="plan:999999"))
    assert "There is no care and support plan with id 999999" in errors["link"]


def test_a_role_that_does_not_assess_is_refused(staff, person):
    record = opened(staff.broker, person)
    with pytest.raises(PermissionError):
        services.capacity_assessment_record(record=record, **has_capacity())
    assert not CapacityAssessment.objects.exists()


def test_the_service_takes_an_opened_record_not_a_person(person):
    with pytest.raises(TypeError):
        services.capacity_assessment_record(record=person, **has_capacity())


# --- best interests ------------------------------------------------------------------------------------------------


def best(**overrides) -> dict:
    data = {
        "consulted": "Ann Marlow, daughter and attorney (health and welfare)\nJo Bright, IMCA",
        "wishes": "Has always said she would rather die at home than go into a home",
        "options": [
            {
                "option": "Home with four calls a day",
                "benefits": "Her home, her cat",
                "risks": "Falls at night",
            },
            {"option": "Residential care", "benefits": "Help at night", "risks": "Distress, loss of home"},
        ],
        "least_restrictive": "Home with four calls a day: chosen",
        "decision": "Home with four calls a day and a falls sensor, reviewed in six weeks",
        "decision_maker": "Sam Worthing, social worker",
        "decided_on": TODAY,
    }
    data.update(overrides)
    return data


def test_a_best_interests_decision_on_an_assessment_that_found_she_lacks_capacity(record, person):
    c = CapacityAssessmentFactory(person=person, lacks=True, assessed_on=YESTERDAY)
    b = services.best_interests_record(record=record, capacity_assessment=c, **best())
    assert b.consulted == [
        {"name": "Ann Marlow", "role": "daughter and attorney (health and welfare)"},
        {"name": "Jo Bright", "role": "IMCA"},
    ]
    assert len(b.options) == 2 and b.capacity_assessment == c
    event = AuditEvent.objects.get(object_type="capacity.bestinterestsdecision")
    assert event.details["consulted"] == 2 and "cat" not in json.dumps(event.details)


def test_a_best_interests_decision_is_refused_when_the_person_has_capacity(record, person):
    c = CapacityAssessmentFactory(person=person)
    errors = refused(services.best_interests_record, record=record, capacity_assessment=c, **best())
    assert "the decision is theirs" in errors["capacity_assessment"]
    assert not BestInterestsDecision.objects.exists()


def test_a_second_best_interests_decision_on_one_assessment_is_refused(record, person):
    first = BestInterestsDecisionFactory(
        capacity_assessment=CapacityAssessmentFactory(person=person, lacks=True)
    )
    errors = refused(
        services.best_interests_record, record=record, capacity_assessment=first.capacity_assessment, **best()
    )
    assert "already been recorded" in errors["capacity_assessment"]


def test_another_persons_assessment_is_refused_for_a_best_interests_decision(record):
    c = CapacityAssessmentFactory(lacks=True)  # someone else
    errors = refused(services.best_interests_record, record=record, capacity_assessment=c, **best())
    assert "another person's record" in errors["capacity_assessment"]


def test_best_interests_needs_two_options_each_with_benefits_and_risks(record, person):
    c = CapacityAssessmentFactory(person=person, lacks=True)
    one = [{"option": "Home", "benefits": "Her home", "risks": "Falls"}]
    assert (
        "at least two options"
        in refused(services.best_interests_record, record=record, capacity_assessment=c, **best(options=one))[
            "options"
        ]
    )
    half = [*one, {"option": "Care home", "benefits": "", "risks": "Loss of home"}]
    errors = refused(
        services.best_interests_record, record=record, capacity_assessment=c, **best(options=half)
    )
    assert set(errors) == {"option_2_benefits"}


def test_best_interests_every_error_at_once_and_the_date_rules(record, person):
    c = CapacityAssessmentFactory(person=person, lacks=True, assessed_on=YESTERDAY)
    errors = refused(
        services.best_interests_record,
        record=record,
        capacity_assessment=c,
        consulted="Ann Marlow",
        wishes="",
        options=None,
        least_restrictive="",
        decision="",
        decision_maker="",
        decided_on=TOMORROW,
    )
    assert set(errors) == {
        "consulted",
        "wishes",
        "options",
        "least_restrictive",
        "decision",
        "decision_maker",
        "decided_on",
    }
    assert "name and their relationship or role" in errors["consulted"]
    before = YESTERDAY - dt.timedelta(days=1)
    errors = refused(
        services.best_interests_record, record=record, capacity_assessment=c, **best(decided_on=before)
    )
    assert "on or after the capacity assessment" in errors["decided_on"]
    assert services.best_interests_record(record=record, capacity_assessment=c, **best(decided_on=YESTERDAY))


# --- advocacy (Care Act s.67) -------------------------------------------------------------------------------------


def advocacy(**overrides) -> dict:
    data = {
        "involvement_in": "needs_assessment",
        "considered_on": YESTERDAY,
        "difficulty_understand": False,
        "difficulty_retain": False,
        "difficulty_use_weigh": True,
        "difficulty_communicate": False,
        "difficulty_evidence": "Finds it very hard to weigh up choices about care",
        "appropriate_individual": False,
        "referral_made": True,
        "provider": PROVIDER,
        "referred_on": TODAY,
    }
    data.update(overrides)
    return data


@pytest.fixture
def providers(db):
    return provider()


def test_substantial_difficulty_and_no_appropriate_individual_is_a_duty(record, providers):
    a = services.advocacy_record(record=record, **advocacy())
    assert a.duty is True and a.substantial_difficulty and a.provider == PROVIDER
    assert AuditEvent.objects.get(object_type="capacity.advocacyduty").details["duty"] is True


def test_substantial_difficulty_with_an_appropriate_individual_is_no_duty(record, providers):
    a = services.advocacy_record(
        record=record,
        **advocacy(
            appropriate_individual=True,
            appropriate_individual_name="Ann Marlow, daughter",
            referral_made=False,
        ),
    )
    assert a.duty is False and a.substantial_difficulty


def test_no_substantial_difficulty_is_no_duty_even_without_an_appropriate_individual(record, providers):
    a = services.advocacy_record(
        record=record, **advocacy(difficulty_use_weigh=False, difficulty_evidence="", referral_made=False)
    )
    assert a.duty is False and not a.substantial_difficulty


def test_the_duty_without_a_referral_needs_the_reason(record, providers):
    errors = refused(services.advocacy_record, record=record, **advocacy(referral_made=False))
    assert "must arrange an independent advocate" in errors["no_referral_reason"]
    a = services.advocacy_record(
        record=record,
        **advocacy(referral_made=False, no_referral_reason="She declined an advocate, with capacity"),
    )
    assert a.duty is True and not a.referral_made


def test_the_duty_is_derived_not_typed(staff, person, providers):
    assert services.s67_duty(difficulties=[False, False, False, True], appropriate_individual=False) is True
    assert services.s67_duty(difficulties=[False, False, False, True], appropriate_individual=True) is False
    assert services.s67_duty(difficulties=[False] * 4, appropriate_individual=False) is False


def test_advocacy_every_error_at_once(record, providers):
    errors = refused(
        services.advocacy_record,
        record=record,
        involvement_in="lunch",
        considered_on=TOMORROW,
        difficulty_understand=None,
        difficulty_retain="perhaps",
        difficulty_use_weigh=True,
        difficulty_communicate=False,
        appropriate_individual=True,
        referral_made=True,
        provider="Someone not on the list",
        referred_on=None,
        outcome_on=YESTERDAY,
    )
    assert set(errors) == {
        "involvement_in",
        "considered_on",
        "difficulty_understand",
        "difficulty_retain",
        "difficulty_evidence",
        "appropriate_individual_name",
        "provider",
        "referred_on",
        "outcome",
    }
    assert not AdvocacyDuty.objects.exists()


def test_a_referral_when_the_council_has_no_providers_says_what_to_do(record):
    errors = refused(services.advocacy_record, record=record, **advocacy())
    assert "openasc capacity providers add" in errors["provider"]


# --- IMCA ----------------------------------------------------------------------------------------------------------


def imca(c, **overrides) -> dict:
    data = {
        "capacity_assessment": c.pk,
        "reason": "accommodation",
        "reason_detail": "A move to a nursing home for more than eight weeks",
        "no_one_appropriate": True,
        "provider": PROVIDER,
        "referred_on": TODAY,
    }
    data.update(overrides)
    return data


def test_an_imca_referral_for_a_person_who_lacks_capacity_with_no_one_to_consult(record, person, providers):
    c = CapacityAssessmentFactory(person=person, lacks=True)
    i = services.imca_referral_record(record=record, **imca(c))
    assert i.capacity_assessment == c and i.reason == "accommodation"


def test_an_imca_is_refused_when_there_is_someone_appropriate_to_consult_but_not_in_safeguarding(
    record, person, providers
):
    c = CapacityAssessmentFactory(person=person, lacks=True)
    errors = refused(services.imca_referral_record, record=record, **imca(c, no_one_appropriate=False))
    assert "no one appropriate to consult" in errors["no_one_appropriate"]
    i = services.imca_referral_record(
        record=record, **imca(c, reason="safeguarding", no_one_appropriate=False)
    )
    assert i.reason == "safeguarding"


def test_an_imca_is_refused_for_an_assessment_that_found_capacity_or_of_someone_else(
    record, person, providers
):
    mine = CapacityAssessmentFactory(person=person)
    assert (
        "has capacity for that decision"
        in refused(services.imca_referral_record, record=record, **imca(mine))["capacity_assessment"]
    )
    theirs = CapacityAssessmentFactory(lacks=True)
    assert (
        "another person's record"
        in refused(services.imca_referral_record, record=record, **imca(theirs))["capacity_assessment"]
    )
    assert not ImcaReferral.objects.exists()


def test_an_imca_referral_before_the_assessment_or_in_the_future_is_refused(record, person, providers):
    c = CapacityAssessmentFactory(person=person, lacks=True, assessed_on=YESTERDAY)
    errors = refused(
        services.imca_referral_record, record=record, **imca(c, referred_on=YESTERDAY - dt.timedelta(days=1))
    )
    assert "on or after the capacity assessment" in errors["referred_on"]
    assert (
        "today or in the past"
        in refused(services.imca_referral_record, record=record, **imca(c, referred_on=TOMORROW))[
            "referred_on"
        ]
    )
    assert services.imca_referral_record(record=record, **imca(c, referred_on=YESTERDAY))


# --- consent to share ----------------------------------------------------------------------------------------------


def consent(**overrides) -> dict:
    data = {
        "what": "Her care and support plan and the falls history",
        "agencies": ["Northshire Community Health", "Her GP practice"],
        "basis": "consent_given",
        "recorded_on": TODAY,
        "review_on": TODAY + dt.timedelta(days=365),
    }
    data.update(overrides)
    return data


def test_consent_given_and_refused_are_both_kept(record):
    given = services.consent_record(record=record, **consent())
    assert given.agency_list == ["Northshire Community Health", "Her GP practice"] and not given.refused
    no = services.consent_record(record=record, **consent(basis="consent_refused", review_on=None))
    assert no.refused
    assert AuditEvent.objects.filter(object_type="capacity.consenttoshare").count() == 2


def test_sharing_in_best_interests_needs_an_assessment_that_found_she_lacks_capacity(record, person):
    errors = refused(services.consent_record, record=record, **consent(basis="best_interests"))
    assert "Choose the mental capacity assessment" in errors["capacity_assessment"]
    has = CapacityAssessmentFactory(person=person, decision="Sharing her records with the GP")
    errors = refused(
        services.consent_record, record=record, **consent(basis="best_interests", capacity_assessment=has.pk)
    )
    assert "has capacity" in errors["capacity_assessment"]
    lacking = CapacityAssessmentFactory(person=person, lacks=True, decision="Sharing her records with the GP")
    s = services.consent_record(
        record=record, **consent(basis="best_interests", capacity_assessment=str(lacking.pk))
    )
    assert s.capacity_assessment == lacking


def test_an_overriding_interest_needs_its_reason(record):
    errors = refused(services.consent_record, record=record, **consent(basis="overriding_interest"))
    assert "overriding public interest" in errors["reason"]
    s = services.consent_record(
        record=record, **consent(basis="overriding_interest", reason="Risk to her life from the lodger")
    )
    assert s.reason


def test_consent_every_error_at_once_and_the_dates(record):
    errors = refused(
        services.consent_record,
        record=record,
        what="",
        agencies=[],
        basis="maybe",
        recorded_on=TOMORROW,
        review_on="soon",
    )
    assert set(errors) == {"what", "agencies", "basis", "recorded_on", "review_on"}
    errors = refused(services.consent_record, record=record, **consent(review_on=TODAY))
    assert errors == {"review_on": "The review date must be after the date recorded"}
    assert not ConsentToShare.objects.exists()


def test_a_link_to_another_persons_assessment_is_refused_and_the_own_kept(record, person):
    from openasc.assessments.tests.factories import AssessmentFactory

    theirs = AssessmentFactory(person=PersonFactory())
    errors = refused(
        services.capacity_assessment_record, record=record, **lacks(link=f"assessment:{theirs.pk}")
    )
    assert errors == {
        "link": f"That assessment belongs to another person's record, not {person.la_person_id}'s: link only to "
        "this person's own assessments and plans"
    }
    own = AssessmentFactory(person=person)
    c = services.capacity_assessment_record(record=record, **lacks(link=f"assessment:{own.pk}"))
    assert c.assessment == own
    from openasc.capacity import selectors

    linked = selectors.linked_to(record, assessment_id=own.pk)
    assert linked.assessments == [c] and not linked.consents


def test_has_capacity_when_stage_1_is_no_even_if_an_ability_is_no(record):
    """No impairment: whatever the difficulty, the person is not shown to lack capacity under the Act."""
    c = services.capacity_assessment_record(
        record=record, **has_capacity(use_weigh=False, use_weigh_evidence="Undecided, and anxious about it")
    )
    assert c.outcome == Outcome.HAS_CAPACITY and c.impairment is False and c.use_weigh is False


def test_who_was_consulted_as_a_list_must_be_names_and_roles_as_text(record, person):
    c = CapacityAssessmentFactory(person=person, lacks=True)
    errors = refused(
        services.best_interests_record,
        record=record,
        capacity_assessment=c,
        **best(consulted=[{"name": {"x": 1}, "role": "son"}]),
    )
    assert errors == {"consulted": "Enter each person consulted with their name and role as text"}
    errors = refused(
        services.best_interests_record,
        record=record,
        capacity_assessment=c,
        **best(consulted=[{"name": "Tom"}]),
    )
    assert "needs a name and their relationship or role" in errors["consulted"]
    b = services.best_interests_record(
        record=record, capacity_assessment=c, **best(consulted=[{"name": " Tom Reid ", "role": "son"}])
    )
    assert b.consulted == [{"name": "Tom Reid", "role": "son"}]


def test_a_merge_moves_the_duplicates_capacity_records_to_the_kept_one(staff):
    from openasc.capacity.tests.factories import (
        AdvocacyDutyFactory,
        ConsentToShareFactory,
        ImcaReferralFactory,
    )
    from openasc.people import services as people_services

    keep = PersonFactory(nhs_number="")
    dup = PersonFactory(nhs_number="9434765919")
    c = CapacityAssessmentFactory(person=dup, lacks=True)
    BestInterestsDecisionFactory(capacity_assessment=c)
    ImcaReferralFactory(capacity_assessment=c)
    AdvocacyDutyFactory(person=dup)
    ConsentToShareFactory(person=dup)
    CapacityAssessmentFactory(person=keep)
    people_services.person_merge(actor=staff.team_manager, keep=keep, duplicate=dup, reason="Same person")
    for model in (CapacityAssessment, BestInterestsDecision, AdvocacyDuty, ImcaReferral, ConsentToShare):
        assert not model.objects.filter(person=dup).exists(), model
    assert CapacityAssessment.objects.filter(person=keep).count() == 2
    event = AuditEvent.objects.filter(action="merge", person_id=keep.pk, object_type="people.person").get()
    assert event.details["moved"]["capacity"] == 5
