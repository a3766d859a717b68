"""Budget monitoring in the browser: a team manager sees only the cost centres their team holds, every figure opens
the services behind it (one audit event per person on the page shown), the CSV is audited as an export, outsiders
and other teams' cost centres are refused and audited; a finance officer sets budgets, bad input keeps what was saved,
a closed year refuses; the cached forecast moves when a cost changes."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from openasc.core.models import AuditAction, AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.finance.models import Budget, CareCategory, CostCentre
from openasc.finance.tests.factories import BudgetFactory, CostCentreFactory, service_with_costs, year
from openasc.people.tests.factories import PersonFactory
from openasc.services.tests.factories import ServiceCostFactory

D = dt.date
RES = "Long term support: Residential care"
AS_AT = "2026-09-30"


@pytest.fixture
def world(staff, teams):
    residential = CareCategory.objects.get(code="residential")
    north = CostCentreFactory(
        code="RES-N", name="Residential north", care_category=residential, team=teams.north
    )
    south = CostCentreFactory(
        code="RES-S", name="Residential south", care_category=residential, team=teams.south
    )
    ivy = PersonFactory(first_name="Ivy", last_name="Northam")
    sam = PersonFactory(first_name="Sam", last_name="Southey")
    CareRelationshipFactory(person=ivy, kind=RelationshipKind.ALLOCATED_TEAM, team=teams.north, user=None)
    CareRelationshipFactory(person=sam, kind=RelationshipKind.ALLOCATED_TEAM, team=teams.south, user=None)
    # £700 a week all year: spent 183 days = 1830000, committed 182 days = 1820000
    ivy_home = service_with_costs(
        ivy, service_type=RES, start_on=D(2026, 1, 1), costs=[(D(2026, 1, 1), 70000, "Weekly", None)]
    )
    sam_home = service_with_costs(
        sam, service_type=RES, start_on=D(2026, 1, 1), costs=[(D(2026, 1, 1), 140000, "Weekly", None)]
    )
    BudgetFactory(year=year(), cost_centre=north, net_budget_pence=3_000_000, budgeted_people=1)
    return north, south, ivy, sam, ivy_home, sam_home


def page(client, user, path="/finance/budgets/", **params):
    client.force_login(user)
    return client.get(path, {"year": "2026-27", "as_at": AS_AT, **params})


def test_a_manager_sees_only_their_cost_centres_with_the_forecast(client, staff, world):
    _north, _south, *_ = world
    html = page(client, staff.team_manager).content.decode()
    assert "RES-N Residential north" in html and "RES-S" not in html
    assert "£36,500.00" in html  # forecast 1830000 + 1820000
    assert "£6,500.00" in html and "Overspend" in html  # variance against £30,000
    assert "Not in a cost centre" not in html
    assert "&lt;a" not in html
    assert AuditEvent.objects.filter(
        actor=staff.team_manager, action=AuditAction.VIEW, person_id=None
    ).exists()


def test_finance_sees_every_cost_centre_and_the_total(client, staff, world):
    html = page(client, staff.finance_officer).content.decode()
    assert "RES-N" in html and "RES-S" in html
    # total forecast: 36500 + 73000
    assert "£109,500.00" in html


def test_the_services_behind_a_figure_name_each_person_and_audit_them(client, staff, world):
    north, _south, ivy, sam, _ivy_home, _ = world
    response = page(
        client, staff.team_manager, f"/finance/budgets/2026-27/{north.pk}/services/", figure="all"
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert ivy.la_person_id in text and "Ivy Northam" in text and "Southey" not in text
    assert "£36,500.00" in text  # its cost in the year
    assert (
        AuditEvent.objects.filter(
            actor=staff.team_manager, action=AuditAction.VIEW, person_id=ivy.pk, basis="budget monitoring"
        ).count()
        == 1
    )
    assert not AuditEvent.objects.filter(actor=staff.team_manager, person_id=sam.pk).exists()


def test_the_csv_of_the_services_is_audited_as_an_export(client, staff, world):
    north, _, ivy, *_ = world
    response = page(
        client, staff.team_manager, f"/finance/budgets/2026-27/{north.pk}/services/", format="csv"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "la_person_id" and rows[1][0] == ivy.la_person_id and rows[1][-1] == "3650000"
    assert AuditEvent.objects.filter(
        actor=staff.team_manager, action=AuditAction.EXPORT, person_id=ivy.pk
    ).exists()


def test_another_teams_cost_centre_is_refused_and_audited(client, staff, world):
    _, south, _, sam, *_ = world
    response = page(client, staff.team_manager, f"/finance/budgets/2026-27/{south.pk}/services/")
    assert response.status_code == 403
    assert "Southey" not in response.content.decode()
    assert AuditEvent.objects.filter(actor=staff.team_manager, action=AuditAction.ACCESS_REFUSED).exists()
    assert not AuditEvent.objects.filter(
        actor=staff.team_manager, action=AuditAction.VIEW, person_id=sam.pk
    ).exists()
    # not in a cost centre is for finance only
    refused = page(client, staff.team_manager, "/finance/budgets/2026-27/none/services/")
    assert refused.status_code == 403


def test_a_named_holder_sees_the_cost_centre_without_being_in_its_team(client, staff, world, teams):
    _, south, *_ = world
    south.holder = staff.team_manager
    south.save()
    assert (
        page(client, staff.team_manager, f"/finance/budgets/2026-27/{south.pk}/services/").status_code == 200
    )


def test_an_outsider_is_refused_and_audited(client, staff, world):
    for path in ("/finance/budgets/", f"/finance/budgets/2026-27/{world[0].pk}/services/"):
        response = page(client, staff.social_worker, path)
        assert response.status_code == 403
    assert (
        AuditEvent.objects.filter(actor=staff.social_worker, action=AuditAction.ACCESS_REFUSED).count() == 2
    )
    client.force_login(staff.team_manager)
    assert client.get("/finance/cost-centres/").status_code == 403


def test_the_list_behind_a_figure_is_paged_and_audits_only_the_page_shown(client, staff, world, teams):
    north = world[0]
    people = []
    for _ in range(27):
        p = PersonFactory()
        CareRelationshipFactory(person=p, kind=RelationshipKind.ALLOCATED_TEAM, team=teams.north, user=None)
        service_with_costs(
            p, service_type=RES, start_on=D(2026, 2, 1), costs=[(D(2026, 2, 1), 50000, "Weekly", None)]
        )
        people.append(p)
    first = page(client, staff.finance_officer, f"/finance/budgets/2026-27/{north.pk}/services/")
    assert "28" in first.content.decode()
    views = AuditEvent.objects.filter(
        actor=staff.finance_officer, action=AuditAction.VIEW, person_id__isnull=False
    )
    assert views.count() == 25
    page(client, staff.finance_officer, f"/finance/budgets/2026-27/{north.pk}/services/", page="2")
    assert views.count() == 28


def test_the_cached_forecast_moves_when_a_cost_changes(client, staff, world):
    _, _, _, _, ivy_home, _ = world
    assert "£36,500.00" in page(client, staff.team_manager).content.decode()
    # from 1 January 2027 £770: 90 days at +£70 = 90000 more
    ServiceCostFactory(
        service=ivy_home,
        effective_from=D(2027, 1, 1),
        unit_cost_pence=77000,
        cost_frequency="Weekly",
        planned_units_per_week=None,
    )
    assert "£37,400.00" in page(client, staff.team_manager).content.decode()


# ---------------------------------------------------------------------------------------------------------------------
# Setting budgets


def post_budget(client, user, centre, **data):
    client.force_login(user)
    return client.post(
        f"/finance/budgets/2026-27/{centre.pk}/budget/",
        {"net_budget": "40000", "budgeted_people": "2", "budgeted_unit_cost": "725.50", "note": "", **data},
    )


def test_a_finance_officer_sets_a_budget_audited_with_before_and_after(client, staff, world):
    north = world[0]
    response = post_budget(client, staff.finance_officer, north)
    assert response.status_code == 302
    b = Budget.objects.get(cost_centre=north, year=year())
    assert (b.net_budget_pence, b.budgeted_people, b.budgeted_unit_cost_pence) == (4_000_000, 2, 72550)
    event = AuditEvent.objects.filter(actor=staff.finance_officer, action=AuditAction.UPDATE).latest("pk")
    assert event.details["before"]["net_budget_pence"] == 3_000_000
    assert event.details["after"]["net_budget_pence"] == 4_000_000


def test_bad_budget_input_names_the_field_and_keeps_what_was_saved(client, staff, world):
    north = world[0]
    response = post_budget(client, staff.finance_officer, north, net_budget="lots", budgeted_people="-3")
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text and 'href="#net_budget"' in text and 'href="#budgeted_people"' in text
    assert Budget.objects.get(cost_centre=north).net_budget_pence == 3_000_000


def test_a_closed_year_refuses_changes(client, staff, world):
    north = world[0]
    fy = year()
    fy.closed = True
    fy.save()
    response = post_budget(client, staff.finance_officer, north)
    assert response.status_code == 400 and "is closed" in response.content.decode()
    assert Budget.objects.get(cost_centre=north).net_budget_pence == 3_000_000


def test_a_manager_cannot_set_budgets(client, staff, world):
    response = post_budget(client, staff.team_manager, world[0])
    assert response.status_code == 403
    assert Budget.objects.get(cost_centre=world[0]).net_budget_pence == 3_000_000


def test_cost_centres_are_added_edited_and_deactivated(client, staff, teams):
    client.force_login(staff.finance_officer)
    nursing = CareCategory.objects.get(code="nursing")
    bad = client.post("/finance/cost-centres/new/", {"code": "", "name": "", "active": "yes"})
    assert bad.status_code == 400 and 'href="#code"' in bad.content.decode()
    ok = client.post(
        "/finance/cost-centres/new/",
        {
            "code": "NUR-LD",
            "name": "Nursing, learning disability",
            "care_category": str(nursing.pk),
            "support_reasons": "Learning Disability Support\n",
            "team": "",
            "holder": "",
            "active": "yes",
        },
    )
    assert ok.status_code == 302
    centre = CostCentre.objects.get(code="NUR-LD")
    assert centre.support_reasons == ["Learning Disability Support"] and centre.care_category == nursing
    duplicate = client.post(
        "/finance/cost-centres/new/", {"code": "nur-ld", "name": "Again", "active": "yes"}
    )
    assert duplicate.status_code == 400 and "already a cost centre" in duplicate.content.decode()
    client.post(
        f"/finance/cost-centres/{centre.pk}/",
        {
            "code": "NUR-LD",
            "name": "Nursing, learning disability",
            "care_category": str(nursing.pk),
            "support_reasons": "Learning Disability Support",
            "team": "",
            "holder": "",
            "active": "no",
        },
    )
    centre.refresh_from_db()
    assert centre.active is False
    assert AuditEvent.objects.filter(
        actor=staff.finance_officer, action=AuditAction.UPDATE, object_type__icontains="costcentre"
    ).exists()
    listing = client.get("/finance/cost-centres/?year=2026-27").content.decode()
    assert "NUR-LD" in listing and "Deactivated" in listing


def test_the_care_categories_are_shown_with_local_settings_flagged(client, staff):
    client.force_login(staff.finance_officer)
    html = client.get("/finance/categories/").content.decode()
    assert "Residential dementia" in html and "Local setting" in html
    assert "Long term support: Nursing care" in html


def test_each_figure_opens_exactly_its_services(client, staff, world, teams):
    north = world[0]
    # in the north cost centre too: one ended in May (in the year, not running on 30 September), one with no cost
    gone = PersonFactory(first_name="Gwen", last_name="Gone")
    unknown = PersonFactory(first_name="Una", last_name="Known")
    for p in (gone, unknown):
        CareRelationshipFactory(person=p, kind=RelationshipKind.ALLOCATED_TEAM, team=teams.north, user=None)
    service_with_costs(
        gone,
        service_type=RES,
        start_on=D(2026, 1, 1),
        end_on=D(2026, 5, 31),
        costs=[(D(2026, 1, 1), 70000, "Weekly", None)],
    )
    service_with_costs(unknown, service_type=RES, start_on=D(2026, 1, 1), costs=[])
    # home care, north team, in no cost centre
    home = PersonFactory(first_name="Hal", last_name="Homer")
    CareRelationshipFactory(person=home, kind=RelationshipKind.ALLOCATED_TEAM, team=teams.north, user=None)
    service_with_costs(
        home,
        service_type="Long term support: Community",
        component="Home support or domiciliary care",
        start_on=D(2026, 1, 1),
        costs=[(D(2026, 1, 1), 2000, "Hourly", 10)],
    )

    def names(user, centre, **params):
        text = page(client, user, f"/finance/budgets/2026-27/{centre}/services/", **params).content.decode()
        return {n for n in ("Northam", "Southey", "Gone", "Known", "Homer") if n in text}

    fo, tm = staff.finance_officer, staff.team_manager
    assert names(tm, north.pk, figure="all") == {"Northam", "Gone", "Known"}
    assert names(tm, north.pk, figure="current") == {"Northam", "Known"}
    assert names(tm, north.pk, figure="no-cost") == {"Known"}
    assert names(tm, "all", figure="all") == {"Northam", "Gone", "Known"}  # only the manager's cost centres
    assert names(fo, "all", figure="all") == {"Northam", "Southey", "Gone", "Known", "Homer"}
    assert names(fo, "none", figure="all") == {"Homer"}
    assert names(fo, "all", figure="current", category="home-care") == {"Homer"}
    assert names(fo, "all", figure="current", category="residential") == {"Northam", "Southey", "Known"}
    html = page(client, fo).content.decode()
    assert "Not in a cost centre" in html and "1 with no cost known" in html


def test_unknown_years_cost_centres_and_categories_are_not_found(client, staff, world):
    north = world[0]
    assert page(client, staff.finance_officer, "/finance/budgets/1999-00/all/services/").status_code == 404
    assert page(client, staff.finance_officer, "/finance/budgets/2026-27/999999/services/").status_code == 404
    assert (
        page(client, staff.finance_officer, "/finance/budgets/2026-27/nonsense/services/").status_code == 404
    )
    assert (
        page(
            client, staff.finance_officer, f"/finance/budgets/2026-27/{north.pk}/services/", category="x"
        ).status_code
        == 404
    )
    assert page(client, staff.finance_officer, "/finance/budgets/", year="1999-00").status_code == 404


def test_a_finance_officer_changes_a_care_categorys_rule_and_the_forecast_moves(client, staff, world):
    residential = CareCategory.objects.get(code="residential")
    assert "£36,500.00" in page(client, staff.team_manager).content.decode()
    client.force_login(staff.finance_officer)
    form = {
        "name": "Residential",
        "priority": "high",
        "service_types": "Long term support: Residential care",
        "service_components": "",
        "delivery_mechanisms": "Direct payment\n",
        "support_reasons": "",
        "active": "yes",
    }
    bad = client.post(f"/finance/categories/{residential.pk}/", form)
    assert bad.status_code == 400 and 'href="#priority"' in bad.content.decode()
    residential.refresh_from_db()
    assert residential.delivery_mechanisms == [] and residential.source == "CLD service type and component"
    ok = client.post(f"/finance/categories/{residential.pk}/", {**form, "priority": "20"})
    assert ok.status_code == 302
    residential.refresh_from_db()
    assert residential.delivery_mechanisms == ["Direct payment"]
    assert residential.source.startswith("Local setting")
    assert AuditEvent.objects.filter(
        actor=staff.finance_officer, action=AuditAction.UPDATE, details__event="care_category_changed"
    ).exists()
    # Ivy's home is commissioned, not a direct payment: no longer residential, so no longer in RES-N
    assert "£36,500.00" not in page(client, staff.team_manager).content.decode()
    client.force_login(staff.team_manager)
    assert client.post(f"/finance/categories/{residential.pk}/", form).status_code == 403


def test_a_new_budget_shows_at_once_without_working_the_forecast_out_again(client, staff, world, monkeypatch):
    from openasc.finance.selectors import budgets as sel

    north = world[0]
    assert "£30,000.00" in page(client, staff.finance_officer).content.decode()
    calls = []
    real = sel.compute
    monkeypatch.setattr(sel, "compute", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert post_budget(client, staff.finance_officer, north, net_budget="41000").status_code == 302
    html = page(client, staff.finance_officer).content.decode()
    assert "£41,000.00" in html and "£30,000.00" not in html
    assert calls == []  # the forecast came from the cache; only the budgets were added again
