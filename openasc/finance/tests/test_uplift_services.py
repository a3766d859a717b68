"""Defining and applying a rate uplift on the database: the apply writes exactly what the preview said, once, audited
against each person, and refuses what it must."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditEvent
from openasc.finance import costing
from openasc.finance.models import RateUplift, RateUpliftLine, UpliftStatus
from openasc.finance.selectors.costed import costed_services
from openasc.finance.tests.factories import service_with_costs
from openasc.finance.uplifts import selectors, services
from openasc.people.tests.factories import PersonFactory
from openasc.providers.tests.factories import ProviderLocationFactory
from openasc.services.models import ServiceCost

D = dt.date
DAY = D(2026, 10, 1)
HOME = "Long term support: Community"
DOM = "Home support or domiciliary care"


@pytest.fixture
def world(db):
    loc = ProviderLocationFactory()
    other = ProviderLocationFactory()
    older = PersonFactory(date_of_birth=D(1950, 5, 5))
    exactly_65 = PersonFactory(date_of_birth=D(1961, 10, 1))
    younger = PersonFactory(date_of_birth=D(1961, 10, 2))
    made = {
        "older": service_with_costs(
            older,
            service_type=HOME,
            component=DOM,
            start_on=D(2025, 4, 1),
            provider_location=loc,
            costs=[(D(2025, 4, 1), 2000, "Hourly", 10)],
        ),
        "exactly_65": service_with_costs(
            exactly_65,
            service_type=HOME,
            component=DOM,
            start_on=D(2025, 6, 1),
            provider_location=other,
            costs=[(D(2025, 6, 1), 2155, "Hourly", 7.5)],
        ),
        "younger": service_with_costs(
            younger,
            service_type=HOME,
            component=DOM,
            start_on=D(2025, 6, 1),
            provider_location=loc,
            costs=[(D(2025, 6, 1), 2000, "Hourly", 10)],
        ),
        "same_day": service_with_costs(
            older,
            service_type="Long term support: Nursing care",
            start_on=D(2025, 6, 1),
            provider_location=loc,
            costs=[(D(2025, 6, 1), 90000, "Weekly", None), (DAY, 95000, "Weekly", None)],
        ),
    }
    return made


def define(user, **kw):
    base = {
        "name": "2% for older people",
        "effective_from": DAY,
        "method": "percent",
        "percent": "2",
        "age_from": "65",
    }
    return services.uplift_create(actor=user, **{**base, **kw})


def year_cost(ids):
    return sum(costing.cost_between(s, DAY, D(2027, 3, 31)) for s in costed_services(ids=ids))


def test_apply_writes_exactly_what_the_preview_said(staff, world):
    uplift = define(staff.finance_officer)
    preview = selectors.compute(uplift)
    assert {x.service_id for x in preview.lines} == {world["older"].pk, world["exactly_65"].pk}
    assert [s.service_id for s in preview.skipped] == [world["same_day"].pk]
    ids = [s.pk for s in world.values()]
    before = year_cost(ids)
    result = services.uplift_apply(actor=staff.finance_officer, uplift=uplift)
    after = year_cost(ids)
    assert after - before == preview.in_year_change_pence == result.in_year_change_pence
    assert preview.in_year_change_pence > 0
    uplift.refresh_from_db()
    assert uplift.status == UpliftStatus.APPLIED and uplift.applied_by == staff.finance_officer
    assert (uplift.services, uplift.people, uplift.providers) == (2, 2, 2)
    assert uplift.annual_change_pence == preview.annual_change_pence
    # £21.55 x 1.02 = £21.981 -> £21.98
    new = ServiceCost.objects.get(service=world["exactly_65"], effective_from=DAY)
    assert (new.unit_cost_pence, new.cost_frequency, new.planned_units_per_week) == (
        2198,
        "Hourly",
        Decimal("7.50"),
    )
    assert new.reason == "Rate uplift: 2% for older people"
    lines = RateUpliftLine.objects.filter(uplift=uplift).order_by("service_id")
    assert [(x.old_unit_cost_pence, x.new_unit_cost_pence) for x in lines] == [(2000, 2040), (2155, 2198)]
    assert not ServiceCost.objects.filter(service=world["younger"], effective_from=DAY).exists()


def test_each_new_cost_is_audited_against_its_person(staff, world):
    uplift = define(staff.finance_officer)
    services.uplift_apply(actor=staff.finance_officer, uplift=uplift)
    costs = ServiceCost.objects.filter(effective_from=DAY, reason__startswith="Rate uplift")
    for cost in costs:
        event = AuditEvent.objects.get(object_type="services.servicecost", object_id=str(cost.pk))
        assert event.person_id == cost.service.person_id and event.action == "create"
        assert event.details["uplift"] == uplift.pk
    summary = AuditEvent.objects.get(
        object_type="finance.rateuplift", object_id=str(uplift.pk), details__event="rate_uplift_applied"
    )
    assert summary.details["services"] == 2


def test_a_second_apply_is_refused_and_writes_nothing(staff, world):
    uplift = define(staff.finance_officer)
    services.uplift_apply(actor=staff.finance_officer, uplift=uplift)
    count = ServiceCost.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.uplift_apply(actor=staff.finance_officer, uplift=uplift)
    assert "applied once only" in exc.value.errors["uplift"]
    assert ServiceCost.objects.count() == count


def test_to_benchmark_on_the_database(staff, world):
    uplift = define(
        staff.finance_officer, method="to_benchmark", percent="", benchmark_unit_cost="21.00", age_from=""
    )
    result = services.uplift_apply(actor=staff.finance_officer, uplift=uplift)
    # £20.00 an hour raised to £21.00; £21.55 left (above); the nursing home's cost from the date skipped
    assert sorted(x.service_id for x in result.lines) == sorted([world["older"].pk, world["younger"].pk])
    assert {x.new_unit_cost_pence for x in result.lines} == {2100}


def test_a_role_without_the_capability_is_refused(staff, world):
    with pytest.raises(PermissionError):
        define(staff.team_manager)
    uplift = define(staff.finance_officer)
    with pytest.raises(PermissionError):
        services.uplift_apply(actor=staff.team_manager, uplift=uplift)
    assert RateUplift.objects.get(pk=uplift.pk).status == UpliftStatus.DRAFT


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"effective_from": None}, "effective_from"),
        ({"method": "double"}, "method"),
        ({"percent": ""}, "percent"),
        ({"percent": "0"}, "percent"),
        ({"percent": "100.001"}, "percent"),
        ({"percent": "2.1234"}, "percent"),
        ({"percent": "1e3"}, "percent"),
        ({"method": "to_benchmark", "benchmark_unit_cost": "0"}, "benchmark_unit_cost"),
        ({"method": "to_benchmark", "benchmark_unit_cost": "abc"}, "benchmark_unit_cost"),
        ({"age_from": "65", "age_under": "65"}, "age_under"),
        ({"age_from": "-1"}, "age_from"),
        ({"skip_uplifted_within_days": "3651"}, "skip_uplifted_within_days"),
        ({"service_type": "Long term support: Moon"}, "service_type"),
        ({"provider_id": 999999}, "provider"),
        ({"care_category_id": 999999}, "care_category"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(staff, changes, field):
    with pytest.raises(ValidationFailed) as exc:
        define(staff.finance_officer, **changes)
    assert field in exc.value.errors
    assert not RateUplift.objects.exists()


def test_boundaries_that_are_accepted(staff, db):
    assert define(staff.finance_officer, percent="100").percent == Decimal("100")
    assert define(staff.finance_officer, percent="0.001").percent == Decimal("0.001")
    assert define(staff.finance_officer, age_from="64", age_under="65").age_under == 65
    assert define(staff.finance_officer, skip_uplifted_within_days="3650").skip_uplifted_within_days == 3650


def test_a_closed_year_takes_no_uplift(staff, world):
    from openasc.finance.models import FinancialYear

    uplift = define(staff.finance_officer)
    FinancialYear.objects.filter(label="2026-27").update(closed=True)
    with pytest.raises(ValidationFailed) as exc:
        define(staff.finance_officer, name="Another")
    assert "2026-27 is closed" in exc.value.errors["effective_from"]
    with pytest.raises(ValidationFailed) as exc:
        services.uplift_apply(actor=staff.finance_officer, uplift=uplift)
    assert "cannot be applied" in exc.value.errors["uplift"]
    assert not ServiceCost.objects.filter(effective_from=DAY, reason__startswith="Rate uplift").exists()
    # the next year is open: 1 April 2027 is accepted
    assert define(staff.finance_officer, name="Next year", effective_from=D(2027, 4, 1)).pk


def test_the_job_runner_applies_once_and_fails_plainly_after(staff, world):
    from django.utils import timezone

    from openasc.jobs.models import Job
    from openasc.jobs.tasks import JobFailed

    uplift = define(staff.finance_officer)
    job = Job.objects.create(
        kind="rate_uplift",
        requested_by=staff.finance_officer,
        params={"uplift": uplift.pk},
        created_at=timezone.now(),
    )
    said = []
    outcome = services.run_uplift_apply(job, lambda **kw: said.append(kw["message"]))
    assert outcome.result["services"] == 2 and said == ["Applying 2% for older people"]
    assert RateUplift.objects.get(pk=uplift.pk).status == UpliftStatus.APPLIED
    with pytest.raises(JobFailed) as exc:
        services.run_uplift_apply(job, lambda **kw: None)
    assert "applied once only" in exc.value.reason and "nothing was changed" in exc.value.reason
    job.params = {"uplift": 999999}
    with pytest.raises(JobFailed):
        services.run_uplift_apply(job, lambda **kw: None)
