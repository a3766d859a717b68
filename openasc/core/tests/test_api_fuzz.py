"""Fuzz every API operation from its own OpenAPI document: no request may make the server fail (5xx).

Schemathesis reads the document from the app (`/api/openapi.json`) and generates requests for every operation
(path and query parameters, JSON bodies) from its schemas, valid and invalid. They are sent in-process through
Django's test handler, inside the test's transaction, as a system account with a bearer token. The examples are
few and derandomised, so the run is reproducible and short; a failure prints the request as a curl command.
A second pass puts a NUL character in every string, which random generation seldom does and PostgreSQL refuses.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from openasc.core import services as core_services
from openasc.core.models import Role
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory

FUZZ_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


class DjangoTestWSGI:
    """A WSGI app over Django's test handler: the requests run in this thread's (the test's) transaction.

    Django's own WSGIHandler would close the connection at the end of each request, test transaction and all."""

    def __init__(self):
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", c.output(header="").strip()) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [b"".join(response) if response.streaming else response.content]


@pytest.fixture
def world(db):
    """A system account with a token, and one of everything the API reads or changes, for one person it works
    with, so that generated requests reach the services instead of stopping at "not found"."""
    from openasc.assessments.tests.factories import AssessmentFactory, completed_assessment
    from openasc.casenotes.tests.factories import CaseNoteFactory
    from openasc.core.models import RelationshipKind
    from openasc.core.tests.factories import TeamFactory
    from openasc.frontdoor.tests.factories import SupportRequestFactory
    from openasc.people.tests.factories import AlertFactory, PersonFactory
    from openasc.planning.tests.factories import PlanFactory, ReviewFactory
    from openasc.services.tests.factories import ServiceCostFactory, ServiceFactory

    admin = UserFactory(username="fuzz-admin", role=Role.ADMINISTRATOR)
    system = UserFactory(username="fuzz-system", role=Role.SYSTEM)
    person = PersonFactory()
    CareRelationshipFactory(person=person, user=system)
    done = completed_assessment(person, {"nutrition": ["a"]})
    ids = {
        "person_id": person.pk,
        "request_id": SupportRequestFactory(person=person).pk,
        "assessment_id": AssessmentFactory(person=person).pk,
        "plan_id": PlanFactory(person=person, assessment=done, draft=True).pk,
        "service_id": ServiceCostFactory(service=ServiceFactory(person=person)).service_id,
        "review_id": ReviewFactory(person=person).pk,
        "note_id": CaseNoteFactory(person=person).pk,
        **_capacity_and_documents(person),
        "alert_id": AlertFactory(person=person).pk,
        "allocation_id": CareRelationshipFactory(
            person=person, user=None, team=TeamFactory(), kind=RelationshipKind.ALLOCATED_TEAM
        ).pk,
    }
    token = core_services.api_token_create(actor=admin, user=system, name="API fuzz test")
    return token, ids


def _capacity_and_documents(person) -> dict[str, int]:
    """The capacity records and a stored letter, so that their routes reach the services too."""
    from openasc.capacity.tests.factories import (
        AdvocacyDutyFactory,
        BestInterestsDecisionFactory,
        ConsentToShareFactory,
        ImcaReferralFactory,
    )
    from openasc.documents.tests.factories import DocumentFactory

    best = BestInterestsDecisionFactory(capacity_assessment__person=person)
    return {
        "capacity_assessment_id": best.capacity_assessment_id,
        "best_interests_id": best.pk,
        "advocacy_id": AdvocacyDutyFactory(person=person).pk,
        "imca_id": ImcaReferralFactory(capacity_assessment=best.capacity_assessment).pk,
        "consent_id": ConsentToShareFactory(person=person).pk,
        "document_id": DocumentFactory(person=person).pk,
    }


def aim_at_the_world(case, ids: dict[str, int]) -> None:
    """Point most generated ids (in the path and at the top of a JSON body) at the objects made above; the rest
    stay as generated, so unknown ids are tried too. Derived from the generated value: reproducible."""
    for params in (case.path_parameters or {}), (case.body if isinstance(case.body, dict) else {}):
        for name, value in list(params.items()):
            if name in ids and isinstance(value, int) and not isinstance(value, bool) and value % 4 != 3:
                params[name] = ids[name]


# Loaded when the module is collected (schemathesis's lazy `from_fixture` does not work with pytest 9: it sets
# a private attribute of the test node). Reading the document touches no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", DjangoTestWSGI())


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_api_operation_fails_with_a_server_error(case, world):
    token, ids = world
    aim_at_the_world(case, ids)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])


def with_nul(value):
    """Every string in a generated value with a NUL character in it (PostgreSQL refuses to store one)."""
    if isinstance(value, str):
        return value[:1] + "\x00" + value[1:]
    if isinstance(value, list):
        return [with_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: with_nul(v) for k, v in value.items()}
    return value


@schema.parametrize()
@settings(FUZZ_SETTINGS, max_examples=5)
def test_no_api_operation_fails_on_a_nul_character(case, world):
    """Random strings seldom hold a NUL; these requests all do, in every string of the query, path and body."""
    token, ids = world
    aim_at_the_world(case, ids)
    if case.query:
        case.query = with_nul(case.query)
    if case.path_parameters:
        case.path_parameters = {k: with_nul(v) for k, v in case.path_parameters.items()}
    if isinstance(case.body, dict | list):
        case.body = with_nul(case.body)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
