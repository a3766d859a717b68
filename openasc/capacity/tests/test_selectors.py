"""Reads: the lists other contexts reuse (by decision, lacking capacity, refusals of consent), one record opened with
the view audited, and a refusal audited."""

from __future__ import annotations

import datetime as dt

import pytest

from openasc.capacity import selectors
from openasc.capacity.tests.factories import CapacityAssessmentFactory, ConsentToShareFactory
from openasc.core.errors import AccessDenied
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.people.tests.factories import PersonFactory


@pytest.fixture
def person(staff):
    p = PersonFactory()
    CareRelationshipFactory(person=p, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    return p


def test_assessments_by_decision_and_outcome_for_reuse_by_other_contexts(staff, person):
    home = CapacityAssessmentFactory(person=person, lacks=True, decision="Where to live on discharge")
    money = CapacityAssessmentFactory(
        person=person, decision="Managing her money", assessed_on=home.assessed_on - dt.timedelta(days=30)
    )
    CapacityAssessmentFactory(lacks=True, decision="Where to live")  # someone else's
    record = opened(staff.social_worker, person)
    assert selectors.capacity_assessments_for(record) == [home, money]  # latest first
    assert selectors.capacity_assessments_for(record, decision="WHERE TO LIVE") == [home]
    assert selectors.lacking_capacity_for(record) == [home]
    assert selectors.capacity_assessments_for(record, outcome="has_capacity") == [money]
    assert selectors.capacity_choices(record=record) == [
        (str(home.pk), f"Where to live on discharge (assessed {home.assessed_on:%-d %B %Y})")
    ]


def test_refusals_of_consent_are_listed_apart(staff, person):
    no = ConsentToShareFactory(person=person, refused=True)
    ConsentToShareFactory(person=person)
    record = opened(staff.social_worker, person)
    assert selectors.consent_refusals_for(record) == [no]
    assert selectors.records_for(record).refusals == [no]


def test_the_lists_take_an_opened_record_only(person):
    with pytest.raises(TypeError):
        selectors.capacity_assessments_for(person)


def test_one_assessment_is_opened_with_the_view_audited_and_a_stranger_refused(staff, person):
    c = CapacityAssessmentFactory(person=person)
    got, record = selectors.capacity_assessment_get(user=staff.social_worker, capacity_assessment_id=c.pk)
    assert got == c and record.person == person
    view = AuditEvent.objects.get(action="view", object_type="capacity.capacityassessment")
    assert view.person_id == person.pk and view.details["purpose"] == "view mental capacity assessment"
    with pytest.raises(AccessDenied):
        selectors.capacity_assessment_get(user=staff.occupational_therapist, capacity_assessment_id=c.pk)
    refusal = AuditEvent.objects.get(action="access_refused", actor=staff.occupational_therapist)
    assert refusal.person_id == person.pk


def test_the_timeline_has_each_kind_in_one_query_each(staff, person, django_assert_max_num_queries):
    from openasc.capacity import timeline as capacity_timeline
    from openasc.capacity.tests.factories import (
        AdvocacyDutyFactory,
        BestInterestsDecisionFactory,
        ImcaReferralFactory,
    )

    for _ in range(3):
        c = CapacityAssessmentFactory(person=person, lacks=True)
        BestInterestsDecisionFactory(capacity_assessment=c)
        ImcaReferralFactory(capacity_assessment=c)
        AdvocacyDutyFactory(person=person, with_duty=True)
        ConsentToShareFactory(person=person, refused=True)
    providers = (
        capacity_timeline.capacity_assessment_events,
        capacity_timeline.best_interests_events,
        capacity_timeline.advocacy_events,
        capacity_timeline.imca_events,
        capacity_timeline.consent_events,
    )
    entries = []
    for provider in providers:
        with django_assert_max_num_queries(1):
            entries.extend(provider(person))
    titles = [e.title for e in entries]
    assert titles.count("Mental capacity assessment: Where to live on discharge from hospital") == 3
    assert titles.count("Best-interests decision") == 3 and titles.count("Referral to an IMCA") == 3
    assert {e.detail for e in entries if e.title == "Consent to share information"} == {"Consent refused"}
    assert all(e.href.startswith("/capacity/") and e.who for e in entries)


def test_the_timeline_asks_once_which_kinds_a_person_has_and_reads_only_those(
    staff, person, django_assert_max_num_queries
):
    from openasc.capacity import timeline as capacity_timeline

    with django_assert_max_num_queries(1):  # most people have no capacity records: one query, nothing shown
        assert list(capacity_timeline.capacity_events(person)) == []
    ConsentToShareFactory(person=person, refused=True)
    with django_assert_max_num_queries(2):  # which kinds, then the consents only
        entries = list(capacity_timeline.capacity_events(person))
    assert [e.title for e in entries] == ["Consent to share information"]
