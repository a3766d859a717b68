"""Requests for support in each state (set-up data, exempt from the audit safety net).

`SupportRequestFactory()` is an open request waiting for triage; the traits give the other states without the side
effects: `triaged=True` (passed to a team for assessment: give `team`), `concluded=True` (information and advice),
`cancelled=True` (recorded in error). `routed(team)` also allocates the person to the team, as triage does."""

import datetime as dt

import factory
from django.utils import timezone

from openasc.core.models import Role
from openasc.core.tests.factories import AuditExemptFactory, UserFactory
from openasc.frontdoor.models import TRIAGE_OUTCOME, RequestStatus, SupportRequest, TriageDecision
from openasc.people.tests.factories import PersonFactory


class SupportRequestFactory(AuditExemptFactory):
    class Meta:
        model = SupportRequest

    class Params:
        triaged = factory.Trait(
            status=RequestStatus.ROUTED,
            decision=TriageDecision.ASSESSMENT,
            outcome=TRIAGE_OUTCOME[TriageDecision.ASSESSMENT],
            triaged_on=factory.LazyFunction(timezone.localdate),
        )
        concluded = factory.Trait(
            status=RequestStatus.CONCLUDED,
            decision=TriageDecision.INFORMATION_AND_ADVICE,
            outcome=TRIAGE_OUTCOME[TriageDecision.INFORMATION_AND_ADVICE],
            information_given="Leaflet",
            triaged_on=factory.LazyFunction(timezone.localdate),
            concluded_on=factory.LazyFunction(timezone.localdate),
        )
        cancelled = factory.Trait(status=RequestStatus.CANCELLED)

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

    request = SupportRequestFactory(
        triaged=True, decision=decision, outcome=TRIAGE_OUTCOME[decision], team=team, **kwargs
    )
    CareRelationshipFactory(person=request.person, user=None, team=team, kind=RelationshipKind.ALLOCATED_TEAM)
    return request


def concluded(decision=TriageDecision.INFORMATION_AND_ADVICE, **kwargs) -> SupportRequest:
    return SupportRequestFactory(
        concluded=True, decision=decision, outcome=TRIAGE_OUTCOME[decision], **kwargs
    )
