"""Plans, their needs and reviews (set-up data, exempt from the audit safety net; the code under test must audit its
own writes). Assessments, providers and services have their own apps' factories.

`PlanFactory()` is an agreed plan (the state most tests start from); the traits give the others:
`PlanFactory(draft=True)`, `PlanFactory(awaiting_sign_off=True)`, `PlanFactory(superseded=True)`.
`ReviewFactory()` is a scheduled review three days overdue; `ReviewFactory(completed=True)` one done today."""

import datetime as dt

import factory

from openasc.core.models import Role
from openasc.core.tests.factories import AuditExemptFactory, UserFactory
from openasc.people.tests.factories import PersonFactory
from openasc.planning.models import Plan, PlanNeed, PlanStatus, Review, ReviewStatus, WhatFollowed


class PlanFactory(AuditExemptFactory):
    class Meta:
        model = Plan

    class Params:
        agreed = factory.Trait(status=PlanStatus.AGREED)
        draft = factory.Trait(status=PlanStatus.DRAFT, agreed_on=None, starts_on=None)
        awaiting_sign_off = factory.Trait(status=PlanStatus.AWAITING_SIGN_OFF, agreed_on=None, starts_on=None)
        superseded = factory.Trait(status=PlanStatus.SUPERSEDED)

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


class ReviewFactory(AuditExemptFactory):
    class Meta:
        model = Review

    class Params:
        completed = factory.Trait(
            status=ReviewStatus.COMPLETED,
            completed_on=factory.LazyFunction(dt.date.today),
            method="Face to face",
            outcomes_achieved="Fully achieved",
            what_followed=WhatFollowed.NO_CHANGE,
            outcome="Continuation of support or services",
        )

    person = factory.SubFactory(PersonFactory)
    due_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=3))
