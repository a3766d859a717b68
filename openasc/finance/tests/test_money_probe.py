"""The attacker's probe for the money pages (the money part of core/tests/test_no_page_leaks.py, whose world these
routes' ids are not about one person): every /finance/ and /payments/ page, filled with the ids of a world in which
one named person has a care home placement and home care that have been budgeted, invoiced, paid and uplifted, is
visited by each role that may not see money, and by a team manager of another team. None may learn the person's
name or NHS number, and every refusal is on the audit trail."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from openasc.core.models import AuditAction, AuditEvent, RelationshipKind, Role
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory
from openasc.finance.models import CareCategory
from openasc.finance.tests.factories import BudgetFactory, CostCentreFactory, year
from openasc.people.tests.factories import PersonFactory

NAME = ("Zebedee", "Quorndon-Fitch")
NHS = "9434765919"
D = dt.date


def _routes(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


@pytest.fixture
def world(staff, teams):
    from openasc.finance.uplifts import services as uplifts
    from openasc.payments.services import invoices, run
    from openasc.payments.services.csvin import LineIn
    from openasc.payments.tests import factories as f

    person = PersonFactory(first_name=NAME[0], last_name=NAME[1], nhs_number=NHS, date_of_birth=D(1950, 1, 1))
    CareRelationshipFactory(person=person, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM)
    agency, home = f.location("Agency branch"), f.location("The Laurels", kind="Care home")
    care = f.home_care(person, agency)
    f.care_home(person, home)
    residential = CareCategory.objects.get(code="residential")
    centre = CostCentreFactory(code="RES-N", care_category=residential, team=teams.north)
    BudgetFactory(year=year(), cost_centre=centre, net_budget_pence=1_000_000)
    clerk, approver = f.finance_officer("probe-clerk"), f.finance_officer("probe-approver")
    invoice = invoices.invoice_enter(
        user=clerk,
        provider_id=agency.provider_id,
        schedule_id=f.schedule("home-care").pk,
        period_start=D(2026, 4, 6),
        number="INV-1",
        lines=[
            LineIn(1, person.la_person_id, care.pk, D(2026, 4, 6), D(2026, 5, 3), Decimal(40), 2200, 88000)
        ],
    )
    invoices.invoice_submit(user=clerk, invoice_id=invoice.pk)
    invoices.invoice_approve(user=approver, invoice_id=invoice.pk)
    paid = run.payment_run(user=approver, period_end=D(2026, 5, 3))
    payment = paid.paid[0]
    uplift = uplifts.uplift_create(
        actor=approver, name="Probe 2%", effective_from=D(2026, 10, 1), method="percent", percent="2"
    )
    uplifts.uplift_apply(actor=approver, uplift=uplift)
    from openasc.payments.models import Payment

    ids = {
        "year": "2026-27",
        "centre": str(centre.pk),
        "centre_id": centre.pk,
        "category_id": residential.pk,
        "uplift_id": uplift.pk,
        "invoice_id": invoice.pk,
        "payment_id": Payment.objects.get(reference=payment.reference).pk,
        "schedule_id": f.schedule("home-care").pk,
        "service_id": care.pk,
        "provider_id": agency.provider_id,
        "run_id": paid.run_id,
        "action": "approve",
        "fmt": "pdf",
    }
    return person, ids


def _money_pages(ids):
    pages = []
    for route in _routes():
        if not route.startswith(("finance/", "payments/")):
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        missing = [n for n in names if n not in ids]
        assert not missing, f"{route}: this test cannot fill {missing}; add one of those to the world above"
        pages.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), route))
    return pages


@pytest.mark.parametrize(
    "role", [Role.SOCIAL_WORKER, Role.BROKER, Role.NHS_PARTNER, Role.ADMINISTRATOR, Role.TEAM_MANAGER]
)
def test_no_money_page_tells_a_stranger_about_a_person(client, world, role):
    person, ids = world
    south = TeamFactory(code="locality-south-3", name="Locality team south 3")
    attacker = UserFactory(username=f"money-attacker-{role}", role=role, teams=[south])
    client.force_login(attacker)
    pages = _money_pages(ids)
    assert len(pages) > 25  # every money page, not a handful
    leaked, unaudited = [], []
    for url in pages:
        before = AuditEvent.objects.filter(actor=attacker, action=AuditAction.ACCESS_REFUSED).count()
        response = client.get(url)
        body = response.content.decode(errors="replace") if hasattr(response, "content") else ""
        if any(word in body for word in (*NAME, NHS, person.la_person_id)):
            leaked.append(f"{url} ({response.status_code})")
        refused = AuditEvent.objects.filter(actor=attacker, action=AuditAction.ACCESS_REFUSED).count()
        if response.status_code == 403 and refused == before:
            unaudited.append(url)
    assert leaked == [], "money pages that told a stranger about the person:\n" + "\n".join(leaked)
    assert unaudited == [], "refusals not audited:\n" + "\n".join(unaudited)


def test_an_analyst_sees_the_spend_but_never_the_payments(client, world):
    _person, ids = world
    client.force_login(UserFactory(username="money-analyst", role=Role.PERFORMANCE_ANALYST))
    assert client.get("/finance/spend/").status_code == 200
    for url in _money_pages(ids):
        if url.startswith("/payments/"):
            assert client.get(url).status_code in (403, 404, 405), url


def test_the_probe_would_see_a_leak_a_finance_officer_is_shown_the_person(client, world):
    """The world's pages do name the person to someone allowed to pay for their care: so the probe above can fail."""
    _person, ids = world
    client.force_login(UserFactory(username="money-finance", role=Role.FINANCE_OFFICER))
    named = [url for url in _money_pages(ids) if NAME[1] in client.get(url).content.decode(errors="replace")]
    assert f"/payments/invoices/{ids['invoice_id']}/" in named
    assert f"/finance/budgets/2026-27/{ids['centre']}/services/" in named
