"""A cost above the agreed personal budget: asked about (not blocked), authorised or declined by another manager with
a reason, from the worktray; the service and its costs (what the returns count) are unchanged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import PlanFactory
from openasc.services import services as service_writes
from openasc.services.models import AuthorisationStatus, BudgetAuthorisation, Service
from openasc.worktray.models import Task, TaskKind
from openasc.worktray.services import for_user

TODAY = timezone.localdate()


def start(worker, plan, *, hourly: str, hours: str = "14", on: dt.date | None = None):
    return service_writes.service_start(
        record=opened(worker, plan.person),
        service_type="Long term support: Community",
        service_component="Home support or domiciliary care",
        start_on=on or TODAY,
        unit_cost=hourly,
        cost_frequency="Hourly",
        planned_units_per_week=hours,
        delivery_mechanism="CASSR commissioned support",
        plan=plan,
    )


@pytest.fixture
def plan(teams):
    person = PersonFactory()
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    return PlanFactory(person=person, agreed_weekly_pence=28750)  # £287.50 a week


def test_a_service_at_exactly_the_budget_needs_no_authorisation(staff, plan):
    start(staff.social_worker, plan, hourly="28.75", hours="10")  # £287.50: exactly the budget
    assert not BudgetAuthorisation.objects.exists() and not Task.objects.filter(kind=TaskKind.BUDGET).exists()


def test_a_service_a_penny_over_the_budget_asks_the_teams_managers(staff, plan):
    service = start(staff.social_worker, plan, hourly="24.80", hours="14")  # £347.20 against £287.50
    auth = BudgetAuthorisation.objects.get()
    assert (auth.committed_weekly_pence, auth.agreed_weekly_pence, auth.over_pence) == (34720, 28750, 5970)
    assert auth.status == AuthorisationStatus.REQUESTED and auth.service == service
    [task] = Task.objects.filter(for_user(staff.team_manager), kind=TaskKind.BUDGET)
    assert task.title == "Authorise a cost £59.70 a week above the personal budget"
    assert task.url == f"/worktray/budget/{auth.pk}"
    # The service started all the same: nothing the returns count is held back
    assert Service.objects.filter(pk=service.pk, end_on__isnull=True).exists()


def test_the_plans_services_are_added_together(staff, plan):
    start(staff.social_worker, plan, hourly="20.00", hours="7")  # £140.00
    assert not BudgetAuthorisation.objects.exists()
    start(staff.social_worker, plan, hourly="21.10", hours="7")  # + £147.70 = £287.70, 20p over
    assert BudgetAuthorisation.objects.get().committed_weekly_pence == 28770


def test_a_cost_change_that_goes_over_asks_too(staff, plan):
    service = start(staff.social_worker, plan, hourly="20.00", hours="14")  # £280.00
    service_writes.service_cost_change(
        record=opened(staff.social_worker, plan.person),
        service=service,
        effective_from=TODAY + dt.timedelta(days=7),
        unit_cost="22.00",
        cost_frequency="Hourly",
        planned_units_per_week="14",
        reason="Provider's new rate",
    )
    assert BudgetAuthorisation.objects.get().committed_weekly_pence == 30800


def test_a_manager_authorises_with_a_reason_and_the_task_closes(staff, plan):
    start(staff.social_worker, plan, hourly="24.80")
    auth = BudgetAuthorisation.objects.get()
    record = opened(staff.team_manager, plan.person)
    with pytest.raises(ValidationFailed) as missing:
        service_writes.budget_authorisation_decide(
            record=record, authorisation=auth, decision="authorise", reason=" "
        )
    assert missing.value.errors == {"reason": "Enter the reason for your decision"}
    with pytest.raises(ValidationFailed) as wrong:
        service_writes.budget_authorisation_decide(
            record=record, authorisation=auth, decision="maybe", reason="x"
        )
    assert "decision" in wrong.value.errors
    service_writes.budget_authorisation_decide(
        record=record, authorisation=auth, decision="authorise", reason="Carer in hospital for six weeks"
    )
    auth.refresh_from_db()
    assert (auth.status, auth.decided_by, auth.reason) == (
        AuthorisationStatus.AUTHORISED,
        staff.team_manager,
        "Carer in hospital for six weeks",
    )
    assert not Task.objects.filter(for_user(staff.team_manager)).filter(kind=TaskKind.BUDGET).exists()
    event = AuditEvent.objects.filter(object_type="services.budgetauthorisation", action="update").last()
    assert event.details["transition"] == "authorise" and event.reason == "Carer in hospital for six weeks"


def test_the_manager_who_arranged_it_cannot_authorise_it_and_others_roles_cannot_either(staff, plan):
    start(staff.team_manager, plan, hourly="24.80")
    auth = BudgetAuthorisation.objects.get()
    assert not Task.objects.filter(for_user(staff.team_manager), kind=TaskKind.BUDGET).exists()
    with pytest.raises(ValidationFailed, match="another manager"):
        service_writes.budget_authorisation_decide(
            record=opened(staff.team_manager, plan.person),
            authorisation=auth,
            decision="authorise",
            reason="Fine",
        )
    with pytest.raises(AccessDenied):
        service_writes.budget_authorisation_decide(
            record=opened(staff.social_worker, plan.person),
            authorisation=auth,
            decision="decline",
            reason="No",
        )
    auth.refresh_from_db()
    assert auth.status == AuthorisationStatus.REQUESTED


def test_the_decision_page_declines_with_a_reason_and_shows_errors_on_their_fields(client, staff, plan):
    start(staff.social_worker, plan, hourly="24.80")
    auth = BudgetAuthorisation.objects.get()
    client.force_login(staff.team_manager)
    page = client.get(f"/worktray/budget/{auth.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "£347.20" in html and "£287.50" in html and "£59.70 a week" in html
    bad = client.post(f"/worktray/budget/{auth.pk}", {"decision": "decline", "reason": ""})
    assert bad.status_code == 400 and 'href="#reason"' in bad.content.decode()
    done = client.post(
        f"/worktray/budget/{auth.pk}", {"decision": "decline", "reason": "Use the day centre instead"}
    )
    assert done.status_code == 302 and done.url == "/"
    auth.refresh_from_db()
    assert auth.status == AuthorisationStatus.DECLINED
    client.force_login(staff.broker)  # cannot authorise, and cannot open the person either
    assert client.get(f"/worktray/budget/{auth.pk}").status_code == 403
