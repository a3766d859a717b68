"""Factories for safeguarding concerns, enquiries and their lines (set-up data, exempt from the audit safety net).

`ConcernFactory()` is waiting for a decision; `EnquiryFactory()` is a section 42 enquiry in planning with the concern
it came from; the `concluded` trait concludes it with the SAC's outcomes (add an AllegationFactory for SG2)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from openasc.core.models import Role
from openasc.core.tests.factories import AuditExemptFactory, TeamFactory, UserFactory
from openasc.safeguarding.codes import (
    ConcernDecision,
    Consent,
    EnquiryKind,
    HarmPersonKnown,
    LackedCapacity,
    LocationOfRisk,
    MspAchieved,
    MspAsked,
    ReferrerKind,
    RiskAssessmentOutcome,
    RiskOutcome,
    SourceOfRisk,
    TypeOfRisk,
)
from openasc.safeguarding.models import (
    Allegation,
    Concern,
    ConcernStatus,
    Enquiry,
    EnquiryStatus,
    ProtectionPlan,
)


def _today():
    return timezone.localdate()


def safeguarding_team():
    return TeamFactory(code="safeguarding", name="Safeguarding adults hub")


class ConcernFactory(AuditExemptFactory):
    class Meta:
        model = Concern

    person = factory.SubFactory("openasc.people.tests.factories.PersonFactory")
    received_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=1))
    raised_by = factory.SubFactory(UserFactory, username="front_door_factory", role=Role.FRONT_DOOR)
    raised_at = factory.LazyFunction(timezone.now)
    referrer_kind = ReferrerKind.FAMILY
    referrer_name = "A neighbour"
    what_happened = "Neighbour reports bruising on her arms and that her grandson takes her pension."
    consent = Consent.GIVEN
    harm_person_known = HarmPersonKnown.YES
    team = factory.LazyFunction(safeguarding_team)
    decision_due_on = factory.LazyAttribute(lambda o: o.received_on + dt.timedelta(days=2))
    status = ConcernStatus.AWAITING_DECISION

    class Params:
        decided = factory.Trait(
            status=ConcernStatus.ENQUIRY,
            care_and_support_needs=True,
            abuse_or_neglect=True,
            unable_to_protect=True,
            decision=ConcernDecision.SECTION_42,
            decided_on=factory.LazyAttribute(lambda o: o.received_on),
        )
        no_enquiry = factory.Trait(
            status=ConcernStatus.NO_ENQUIRY,
            care_and_support_needs=True,
            abuse_or_neglect=False,
            unable_to_protect=False,
            decision=ConcernDecision.NO_ENQUIRY,
            no_enquiry_outcome="information_and_advice",
            decision_reason="No abuse or neglect found; advice given",
            decided_on=factory.LazyAttribute(lambda o: o.received_on),
        )


class EnquiryFactory(AuditExemptFactory):
    class Meta:
        model = Enquiry

    concern = factory.SubFactory(ConcernFactory, decided=True)
    person = factory.LazyAttribute(lambda o: o.concern.person)
    kind = EnquiryKind.SECTION_42
    started_on = factory.LazyAttribute(lambda o: o.concern.decided_on or o.concern.received_on)
    status = EnquiryStatus.PLANNING
    team = factory.LazyAttribute(lambda o: o.concern.team)
    created_by = factory.LazyAttribute(lambda o: o.concern.raised_by)
    created_at = factory.LazyFunction(timezone.now)

    class Params:
        other = factory.Trait(kind=EnquiryKind.OTHER, other_reason="Carer at risk; proportionate to enquire")
        in_progress = factory.Trait(status=EnquiryStatus.IN_PROGRESS)
        concluded = factory.Trait(
            status=EnquiryStatus.CONCLUDED,
            concluded_on=factory.LazyAttribute(lambda o: o.started_on + dt.timedelta(days=20)),
            risk_assessment_outcome=RiskAssessmentOutcome.IDENTIFIED_ACTION,
            risk_outcome=RiskOutcome.REDUCED,
            lacked_capacity=LackedCapacity.NO,
            msp_asked=MspAsked.EXPRESSED,
            msp_desired_outcomes="To feel safe at home and to keep seeing her grandson",
            msp_achieved=MspAchieved.PARTIALLY,
        )


class AllegationFactory(AuditExemptFactory):
    class Meta:
        model = Allegation

    enquiry = factory.SubFactory(EnquiryFactory)
    person = factory.LazyAttribute(lambda o: o.enquiry.person)
    type_of_risk = TypeOfRisk.FINANCIAL
    location_of_risk = LocationOfRisk.OWN_HOME
    source_of_risk = SourceOfRisk.KNOWN
    source_description = "Grandson"
    recorded_by = factory.LazyAttribute(lambda o: o.enquiry.created_by)
    recorded_at = factory.LazyFunction(timezone.now)


class ProtectionPlanFactory(AuditExemptFactory):
    class Meta:
        model = ProtectionPlan

    enquiry = factory.SubFactory(EnquiryFactory, in_progress=True)
    person = factory.LazyAttribute(lambda o: o.enquiry.person)
    agreed_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=30))
    summary = "Daily calls from the home care provider; bank to stop third-party withdrawals."
    review_due_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=2))
    recorded_by = factory.LazyAttribute(lambda o: o.enquiry.created_by)
    recorded_at = factory.LazyFunction(timezone.now)
