"""Capacity records (set-up data, exempt from the audit safety net; the code under test audits its own writes).

`CapacityAssessmentFactory()` found the person has capacity (no impairment, all four abilities);
`CapacityAssessmentFactory(lacks=True)` found they lack it (an impairment, cannot weigh the information, because of
it). `BestInterestsDecisionFactory(capacity_assessment=...)` the decision made on one that lacks; `AdvocacyDutyFactory
(duty=True)` substantial difficulty and no appropriate individual, referred; `ImcaReferralFactory`,
`ConsentToShareFactory(refused=True)`. `provider()` puts an advocacy provider on the council's list.
"""

import datetime as dt

import factory
from django.utils import timezone

from openasc.capacity.models import (
    ADVOCACY_PROVIDER_LIST,
    AdvocacyDuty,
    BestInterestsDecision,
    CapacityAssessment,
    ConsentBasis,
    ConsentToShare,
    ImcaReason,
    ImcaReferral,
    InvolvementIn,
    Outcome,
)
from openasc.core import codes
from openasc.core.models import ReferenceCode, Role
from openasc.core.tests.factories import AuditExemptFactory, UserFactory
from openasc.people.tests.factories import PersonFactory

PROVIDER = "Northshire Advocacy Hub"


def provider(name: str = PROVIDER) -> str:
    ReferenceCode.objects.get_or_create(
        list_name=ADVOCACY_PROVIDER_LIST,
        release="local",
        value=name,
        defaults={"order": 1, "version": "local", "is_confirmed": False},
    )
    codes.clear_cache()
    return name


def _days_ago(n):
    return lambda: timezone.localdate() - dt.timedelta(days=n)


class _Recorded(AuditExemptFactory):
    class Meta:
        abstract = True

    person = factory.SubFactory(PersonFactory)
    recorded_by = factory.SubFactory(UserFactory, username="capacity-assessor", role=Role.SOCIAL_WORKER)
    recorded_at = factory.LazyFunction(timezone.now)


class CapacityAssessmentFactory(_Recorded):
    class Meta:
        model = CapacityAssessment

    class Params:
        lacks = factory.Trait(
            impairment=True,
            impairment_detail="Vascular dementia, diagnosed by the memory clinic in 2024",
            use_weigh=False,
            use_weigh_evidence="Could not weigh the risk of falls at home against the support on offer",
            nexus=True,
            nexus_evidence="The memory clinic's assessment explains the difficulty with weighing",
            outcome=Outcome.LACKS_CAPACITY,
        )

    decision = "Where to live on discharge from hospital"
    assessed_on = factory.LazyFunction(_days_ago(3))
    assessor = "Sam Worthing, social worker"
    location = "Ward 7, Northshire General Hospital"
    present = "Her daughter"
    impairment = False
    impairment_detail = ""
    understand = True
    understand_evidence = "Explained the options in plain words; she repeated them back"
    retain = True
    retain_evidence = "Remembered the options the next morning"
    use_weigh = True
    use_weigh_evidence = "Talked through the risks of each option"
    communicate = True
    communicate_evidence = "Said clearly what she wants"
    nexus = None
    nexus_evidence = ""
    support_steps = "Met in the quiet room, with her glasses and hearing aid, and her daughter there"
    outcome = Outcome.HAS_CAPACITY


class BestInterestsDecisionFactory(_Recorded):
    class Meta:
        model = BestInterestsDecision

    capacity_assessment = factory.SubFactory(CapacityAssessmentFactory, lacks=True)
    person = factory.LazyAttribute(lambda o: o.capacity_assessment.person)
    consulted = factory.LazyFunction(lambda: [{"name": "Ann Marlow", "role": "daughter"}])
    wishes = "She has always said she wants to stay in her own home"
    options = factory.LazyFunction(
        lambda: [
            {"option": "Home with four calls a day", "benefits": "Her own home", "risks": "Falls at night"},
            {"option": "A residential care home", "benefits": "Help at night", "risks": "Loss of her home"},
        ]
    )
    least_restrictive = "Home with four calls a day"
    decision = "Home with four calls a day and a falls sensor, reviewed in six weeks"
    decision_maker = "Sam Worthing, social worker"
    decided_on = factory.LazyFunction(_days_ago(1))


class AdvocacyDutyFactory(_Recorded):
    class Meta:
        model = AdvocacyDuty

    class Params:
        with_duty = factory.Trait(
            difficulty_use_weigh=True,
            difficulty_evidence="Finds it hard to weigh up the options",
            appropriate_individual=False,
            duty=True,
            referral_made=True,
            provider=PROVIDER,
            referred_on=factory.LazyFunction(_days_ago(1)),
        )

    involvement_in = InvolvementIn.NEEDS_ASSESSMENT
    considered_on = factory.LazyFunction(_days_ago(2))
    difficulty_understand = False
    difficulty_retain = False
    difficulty_use_weigh = False
    difficulty_communicate = False
    appropriate_individual = True
    appropriate_individual_name = "Ann Marlow, daughter"
    duty = False


class ImcaReferralFactory(_Recorded):
    class Meta:
        model = ImcaReferral

    capacity_assessment = factory.SubFactory(CapacityAssessmentFactory, lacks=True)
    person = factory.LazyAttribute(lambda o: o.capacity_assessment.person)
    reason = ImcaReason.ACCOMMODATION
    reason_detail = "A move to a care home for more than eight weeks"
    no_one_appropriate = True
    provider = PROVIDER
    referred_on = factory.LazyFunction(_days_ago(1))


class ConsentToShareFactory(_Recorded):
    class Meta:
        model = ConsentToShare

    class Params:
        refused = factory.Trait(basis=ConsentBasis.REFUSED)

    what = "Her care and support plan"
    agencies = "Northshire Community Health\nHer GP practice"
    basis = ConsentBasis.GIVEN
    recorded_on = factory.LazyFunction(_days_ago(1))
