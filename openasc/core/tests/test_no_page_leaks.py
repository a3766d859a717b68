"""Probed as an attacker would: every page of the product that names a thing by its id, asked for a person the user
has no relationship with, tells them nothing about that person, and each refusal is audited against the person.

The pages are found from the URL configuration itself, so a page added by a new context is probed the moment it
exists: its ids are filled from one of everything made for one person (a request, an assessment, a plan, a review,
a service, a case note, an alert, an allocation, capacity records, documents, a safeguarding concern and enquiry). A page whose parameters this test
cannot fill fails the test, so that no page escapes it by having a new kind of id.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from openasc.core.models import AuditAction, AuditEvent, RelationshipKind, Role
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory

NAME = ("Ottoline", "Quibell")
NHS = "9434765919"

# Pages that are not about one person's record, and the values their parameters take here.
NOT_ABOUT_A_PERSON = {
    "token_id",
    "user_id",
    "team_id",
    "provider_id",
    "run_id",
    "job_id",
    "template_id",
    "grant_id",
    "measure",
    "table",
    "which",
    "code",
    # money (finance and payments): years, cost centres, categories, uplifts, invoices, payments and schedules are
    # not about one person; those pages are probed by finance/tests/test_money_probe.py with a world of their own
    "year",
    "centre",
    "centre_id",
    "category_id",
    "uplift_id",
    "invoice_id",
    "payment_id",
    "schedule_id",
}


def _routes(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


@pytest.fixture
def world(staff, teams, settings, tmp_path):
    """One person with one of everything, allocated to the north team (where the attacker is not)."""
    from openasc.assessments.tests.factories import AssessmentFactory, completed_assessment
    from openasc.capacity.tests.factories import (
        AdvocacyDutyFactory,
        BestInterestsDecisionFactory,
        ConsentToShareFactory,
        ImcaReferralFactory,
    )
    from openasc.casenotes.tests.factories import CaseNoteFactory
    from openasc.documents.tests.factories import DocumentFactory
    from openasc.frontdoor.tests.factories import SupportRequestFactory
    from openasc.people.tests.factories import AlertFactory, PersonFactory
    from openasc.planning.tests.factories import PlanFactory, ReviewFactory
    from openasc.services.tests.factories import ServiceCostFactory, ServiceFactory

    settings.OPENASC_DOCUMENTS_DIR = str(tmp_path / "documents")
    person = PersonFactory(first_name=NAME[0], last_name=NAME[1], nhs_number=NHS)
    team = CareRelationshipFactory(
        person=person, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM
    )
    done = completed_assessment(person, {"nutrition": ["a"]})
    best = BestInterestsDecisionFactory(capacity_assessment__person=person)
    ids = {
        "person_id": person.pk,
        "request_id": SupportRequestFactory(person=person).pk,
        "assessment_id": AssessmentFactory(person=person).pk,
        "plan_id": PlanFactory(person=person, assessment=done, draft=True).pk,
        "review_id": ReviewFactory(person=person).pk,
        "service_id": ServiceCostFactory(service=ServiceFactory(person=person)).service_id,
        "note_id": CaseNoteFactory(person=person).pk,
        "alert_id": AlertFactory(person=person).pk,
        "relationship_id": team.pk,
        "allocation_id": team.pk,
        "capacity_assessment_id": best.capacity_assessment_id,
        "best_interests_id": best.pk,
        "advocacy_id": AdvocacyDutyFactory(person=person).pk,
        "imca_id": ImcaReferralFactory(capacity_assessment=best.capacity_assessment).pk,
        "consent_id": ConsentToShareFactory(person=person).pk,
        "document_id": DocumentFactory(person=person, attachment=True).pk,
        "section": "about",
        "kind": "plan",
        "object_id": None,  # with kind=plan: the plan
    }
    ids["object_id"] = ids["plan_id"]
    ids.update(_worktray(staff, teams, person, ids))
    ids.update(_safeguarding(staff, teams, person))
    return person, ids


def _worktray(staff, teams, person, ids) -> dict:
    """A task for the north team about the person, and a budget authorisation waiting for its managers."""
    import datetime as dt

    from django.utils import timezone

    from openasc.core import audit
    from openasc.planning.models import Plan
    from openasc.services.models import BudgetAuthorisation, Service
    from openasc.worktray.services import rules, task_open

    task = task_open(
        actor=staff.system,
        spec=rules.review_due(
            ids["review_id"], person.pk, dt.date.today(), user_id=None, team_id=teams.north.pk
        ),
        notify=False,
    )
    service = Service.objects.get(pk=ids["service_id"])
    with audit.exempt_from_safety_net():
        authorisation = BudgetAuthorisation.objects.create(
            person=person,
            plan=Plan.objects.get(pk=ids["plan_id"]),
            service=service,
            cost=service.costs.first(),
            committed_weekly_pence=30000,
            agreed_weekly_pence=20000,
            requested_by=staff.social_worker,
            requested_at=timezone.now(),
        )
    return {"task_id": task.pk, "authorisation_id": authorisation.pk}


def _safeguarding(staff, teams, person) -> dict:
    """A concern decided as a section 42 enquiry with an allegation line, as the hub records them."""
    from openasc.safeguarding.tests.factories import AllegationFactory, ConcernFactory, EnquiryFactory

    concern = ConcernFactory(person=person, team=teams.safeguarding, decided=True)
    enquiry = EnquiryFactory(concern=concern, in_progress=True)
    line = AllegationFactory(enquiry=enquiry)
    return {"concern_id": concern.pk, "enquiry_id": enquiry.pk, "allegation_id": line.pk}


def _fill(route: str, ids: dict) -> str | None:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if any(n in NOT_ABOUT_A_PERSON for n in names):
        return None
    missing = [n for n in names if n not in ids]
    assert not missing, f"{route}: this test cannot fill {missing}; add one of those to the world above"
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), route)


def _person_pages(ids):
    pages = []
    for route in _routes():
        if "<" not in route:
            continue
        url = _fill(route, ids)
        if url is not None:
            pages.append(url)
    return pages


@pytest.mark.parametrize(
    "role", [Role.SOCIAL_WORKER, Role.BROKER, Role.NHS_PARTNER, Role.PERFORMANCE_ANALYST, Role.ADMINISTRATOR]
)
def test_no_page_tells_a_stranger_anything_about_a_person(client, world, role):
    person, ids = world
    south = TeamFactory(code="locality-south-2", name="Locality team south 2")
    attacker = UserFactory(username=f"attacker-{role}", role=role, teams=[south])
    client.force_login(attacker)
    pages = _person_pages(ids)
    assert len(pages) > 60  # the whole product, not a handful of pages
    leaked, unaudited = [], []
    for url in pages:
        before = AuditEvent.objects.filter(person_id=person.pk, actor=attacker).count()
        response = client.get(url)
        body = response.content.decode(errors="replace") if hasattr(response, "content") else ""
        if any(word in body for word in (*NAME, NHS)) or (
            response.status_code == 200 and url.endswith(("/download", "/pdf"))
        ):
            leaked.append(f"{url} ({response.status_code})")
        if response.status_code in (302, 403):
            refused = AuditEvent.objects.filter(
                person_id=person.pk, actor=attacker, action=AuditAction.ACCESS_REFUSED
            ).count()
            seen = AuditEvent.objects.filter(person_id=person.pk, actor=attacker).count()
            if seen == before or refused == 0:
                unaudited.append(f"{url} ({response.status_code})")
    assert leaked == [], "pages that told a stranger about the person:\n" + "\n".join(leaked)
    assert unaudited == [], "refusals not audited against the person:\n" + "\n".join(unaudited)
