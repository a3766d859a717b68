"""Requests for support in each state, and assessments to test the waiting lists. Exempt from the audit safety net."""

import datetime as dt

import factory
from django.utils import timezone

from openasc.assessments.models import Assessment, AssessmentStatus
from openasc.core.models import Role
from openasc.core.tests.factories import AuditExemptFactory, UserFactory
from openasc.frontdoor.models import TRIAGE_OUTCOME, RequestStatus, SupportRequest, TriageDecision
from openasc.people.tests.factories import PersonFactory


class SupportRequestFactory(AuditExemptFactory):
    """An open request (waiting for triage); use `routed(...)` or `concluded(...)` for the other states."""

    class Meta:
        model = SupportRequest

    person = factory.SubFactory(PersonFactory)
    received_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    route_of_access = "Community or other route"
    contact_by = "self"
    what_matters = "Staying in my own home"
    urgency = "routine"
    client_type = "Service user"
    created_by = factory.SubFactory(UserFactory, username="factory-front-door", role=Role.FRONT_DOOR)


def routed(team, decision=TriageDecision.ASSESSMENT, **kwargs) -> SupportRequest:
    """A request passed to a team, which (as triage does) allocates the person to that team."""
    from openasc.core.models import RelationshipKind
    from openasc.core.tests.factories import CareRelationshipFactory

    request = SupportRequestFactory(decision=decision, outcome=TRIAGE_OUTCOME[decision], team=team,
                                    status=RequestStatus.ROUTED, triaged_on=timezone.localdate(), **kwargs)
    CareRelationshipFactory(person=request.person, user=None, team=team, kind=RelationshipKind.ALLOCATED_TEAM)
    return request


def concluded(decision=TriageDecision.INFORMATION_AND_ADVICE, **kwargs) -> SupportRequest:
    today = timezone.localdate()
    return SupportRequestFactory(decision=decision, outcome=TRIAGE_OUTCOME[decision], status=RequestStatus.CONCLUDED,
                                 triaged_on=today, concluded_on=today, information_given="Leaflet", **kwargs)


class AssessmentFactory(AuditExemptFactory):
    class Meta:
        model = Assessment

    person = factory.SubFactory(PersonFactory)
    started_on = factory.LazyFunction(timezone.localdate)
    status = AssessmentStatus.IN_PROGRESS
    assessor = factory.SubFactory(UserFactory, username="factory-assessor", role=Role.SOCIAL_WORKER)


def opened(user, person, purpose: str = "test"):
    """The person's record opened by `user` through the access rules (access.open_record, audited), as the write
    services take it. A user with no working relationship is first given a time-limited grant (set-up data), so that
    a test of a service's own rules (role, state, input) is not refused at the door."""
    from openasc.core import access
    from openasc.core.models import RelationshipKind
    from openasc.core.tests.factories import CareRelationshipFactory

    if not access.explain(user, person).allowed:
        CareRelationshipFactory(person=person, user=user, kind=RelationshipKind.GRANT,
                                ends_at=timezone.now() + dt.timedelta(days=1))
    return access.open_record(user, person, purpose)
