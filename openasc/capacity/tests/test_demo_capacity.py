"""The demo's capacity records: believable in number, and each one a record the services would have accepted."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from openasc.capacity import selectors, services
from openasc.capacity.models import (
    ABILITIES,
    AdvocacyDuty,
    BestInterestsDecision,
    CapacityAssessment,
    ConsentToShare,
    ImcaReferral,
    Outcome,
)
from openasc.core import access
from openasc.core.models import AuditEvent
from openasc.demo.build import TODAY


@pytest.mark.no_audit_safety_net
def test_the_demo_has_consistent_capacity_records(transactional_db):
    call_command(
        "demo", "--people", "1500", "--seed", "5", "--no-history", stdout=StringIO(), stderr=StringIO()
    )
    assessments = list(CapacityAssessment.objects.all())
    lacking = [c for c in assessments if c.outcome == Outcome.LACKS_CAPACITY]
    assert len(assessments) > 20 and 0.2 < len(lacking) / len(assessments) < 0.8
    for c in assessments:
        answers = {name: getattr(c, name) for name, _ in ABILITIES}
        assert not services.outcome_errors(
            outcome=c.outcome, impairment=c.impairment, abilities=answers, nexus=c.nexus
        )
        assert (
            c.assessed_on <= TODAY and c.support_steps and all(getattr(c, f"{n}_evidence") for n in answers)
        )
    decisions = BestInterestsDecision.objects.select_related("capacity_assessment")
    assert decisions.count() >= len(lacking) // 2
    assert all(b.capacity_assessment.outcome == Outcome.LACKS_CAPACITY for b in decisions)
    assert not decisions.filter(decided_on__lt=F("capacity_assessment__assessed_on")).exists()
    assert all(len(b.options) >= 2 and b.consulted for b in decisions)
    assert not ImcaReferral.objects.exclude(capacity_assessment__outcome=Outcome.LACKS_CAPACITY).exists()
    providers = set(selectors.advocacy_providers())
    assert len(providers) == 3
    assert set(ImcaReferral.objects.values_list("provider", flat=True)) <= providers
    duties = list(AdvocacyDuty.objects.all())
    assert duties and any(a.duty for a in duties) and not all(a.duty for a in duties)
    for a in duties:
        difficulties = [
            a.difficulty_understand,
            a.difficulty_retain,
            a.difficulty_use_weigh,
            a.difficulty_communicate,
        ]
        assert a.duty == services.s67_duty(
            difficulties=difficulties, appropriate_individual=a.appropriate_individual
        )
        assert a.provider in providers if a.referral_made else not a.provider
    consents = ConsentToShare.objects.all()
    assert (
        consents.filter(basis="consent_refused").exists() and consents.filter(basis="consent_given").exists()
    )
    assessors = access.roles_with(access.Capability.ASSESS)
    for model in (CapacityAssessment, AdvocacyDuty, ConsentToShare):
        assert set(model.objects.values_list("recorded_by__role", flat=True)) <= assessors
    assert AuditEvent.objects.filter(
        reason="Demo: synthetic capacity assessments, advocacy and consent"
    ).exists()
