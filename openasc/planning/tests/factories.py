"""Set-up data for plans, services and reviews: completed assessments with unmet outcomes, providers, services.

Exempt from the audit safety net like every factory; the code under test must audit its own writes.
"""

import datetime as dt

import factory

from openasc.assessments.models import Assessment, AssessmentStatus, OutcomeAssessment
from openasc.core.models import Role
from openasc.core.tests.factories import AuditExemptFactory, UserFactory
from openasc.people.tests.factories import PersonFactory
from openasc.planning.models import Plan, PlanNeed, PlanStatus, Review
from openasc.providers.models import Provider, ProviderLocation
from openasc.services.models import Service, ServiceCost


class AssessmentFactory(AuditExemptFactory):
    class Meta:
        model = Assessment

    person = factory.SubFactory(PersonFactory)
    started_on = dt.date(2026, 9, 1)
    completed_on = dt.date(2026, 9, 20)
    status = AssessmentStatus.COMPLETED
    assessor = factory.SubFactory(UserFactory, username="assessor", role=Role.SOCIAL_WORKER)
    condition_met = True
    wellbeing_impact = True
    computed_eligible = True
    eligible = True
    outcome = "Progress to support planning or services"


def completed_assessment(person, unmet: dict[str, list[str]], met: tuple[str, ...] = ("clothing",), **kwargs):
    """A completed, eligible assessment; `unmet` maps outcome code -> limbs."""
    assessment = AssessmentFactory(person=person, **kwargs)
    with_audit_exempt(lambda: [
        OutcomeAssessment.objects.create(assessment=assessment, code=code, can_achieve=False, limbs=limbs,
                                         notes=f"Needs help with {code}") for code, limbs in unmet.items()
    ] + [OutcomeAssessment.objects.create(assessment=assessment, code=code, can_achieve=True) for code in met])
    return assessment


def with_audit_exempt(fn):
    from openasc.core import audit

    with audit.exempt_from_safety_net():
        return fn()


class PlanFactory(AuditExemptFactory):
    class Meta:
        model = Plan

    person = factory.SubFactory(PersonFactory)
    goals = "To stay in my own home and see my grandchildren."
    status = PlanStatus.AGREED
    agreed_weekly_pence = 25000
    agreed_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=10))
    starts_on = factory.LazyAttribute(lambda o: o.agreed_on)
    delivery_mechanism = "CASSR commissioned support"
    created_by = factory.SubFactory(UserFactory, username="planner", role=Role.SOCIAL_WORKER)


class PlanNeedFactory(AuditExemptFactory):
    class Meta:
        model = PlanNeed

    plan = factory.SubFactory(PlanFactory)
    outcome_code = "hygiene"
    meet_by = "service"
    description = "Home care twice a day"


class ProviderFactory(AuditExemptFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Homecare Provider {n} Ltd")


class ProviderLocationFactory(AuditExemptFactory):
    class Meta:
        model = ProviderLocation

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Branch {n}")
    cqc_location_id = factory.Sequence(lambda n: f"1-{100000000 + n}")
    kind = "Home care agency"


class ServiceFactory(AuditExemptFactory):
    class Meta:
        model = Service

    person = factory.SubFactory(PersonFactory)
    service_type = "Long term support: Community"
    service_component = "Home support or domiciliary care"
    start_on = dt.date(2026, 1, 5)
    delivery_mechanism = "CASSR commissioned support"
    created_by = factory.SubFactory(UserFactory, username="broker-factory", role=Role.BROKER)


class ServiceCostFactory(AuditExemptFactory):
    class Meta:
        model = ServiceCost

    service = factory.SubFactory(ServiceFactory)
    effective_from = factory.LazyAttribute(lambda o: o.service.start_on)
    unit_cost_pence = 2200
    cost_frequency = "Hourly"
    planned_units_per_week = 10
    created_by = factory.LazyAttribute(lambda o: o.service.created_by)


class ReviewFactory(AuditExemptFactory):
    class Meta:
        model = Review

    person = factory.SubFactory(PersonFactory)
    due_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=3))
