import datetime as dt
from decimal import Decimal

import pytest

from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditEvent
from openasc.core.money import parse_pounds, pounds, weekly_cost_pence
from openasc.core.tests.factories import opened
from openasc.people.tests.factories import PersonFactory
from openasc.planning.models import Review
from openasc.planning.tests.factories import PlanFactory
from openasc.providers.tests.factories import ProviderLocationFactory
from openasc.services import selectors
from openasc.services import services as service_writes
from openasc.services.models import ServiceCost


@pytest.mark.parametrize(
    ("pence", "frequency", "units", "weekly"),
    [
        (10000, "Weekly", None, 10000),
        (10000, "Fortnightly", None, 5000),
        (10000, "4-weekly", None, 2500),
        (52000, "Monthly", None, 12000),  # 520.00 x 12 / 52
        (10000, "Monthly", None, 2308),  # 2307.69... rounds to 2308
        (52000, "Quarterly", None, 4000),  # x 4 / 52
        (52000, "Annually", None, 1000),  # / 52
        (2250, "Hourly", Decimal("14"), 31500),
        (2250, "Hourly", Decimal("10.5"), 23625),
        (9000, "Daily", Decimal("7"), 63000),
        (4500, "Per session", Decimal("3"), 13500),
        (2250, "Hourly", None, None),  # units unknown: no weekly figure
        (50000, "One-off", None, None),
        (0, "No charge to client", None, None),
        (1, "Fortnightly", None, 1),  # 0.5p rounds half up
        (3, "4-weekly", None, 1),  # 0.75p
        (1, "4-weekly", None, 0),  # 0.25p
    ],
)
def test_weekly_cost_for_each_frequency(pence, frequency, units, weekly):
    assert weekly_cost_pence(pence, frequency, units) == weekly


def test_money_parsing_and_display():
    assert parse_pounds("£1,234.5") == 123450
    assert parse_pounds(Decimal("18.50")) == 1850
    assert pounds(123456789) == "£1,234,567.89"
    assert pounds(5) == "£0.05"


def _start(actor, person, **overrides):
    data = {
        "service_type": "Long term support: Community",
        "service_component": "Home support or domiciliary care",
        "start_on": dt.date(2026, 3, 2),
        "unit_cost": "22.50",
        "cost_frequency": "Hourly",
        "planned_units_per_week": "14",
        "delivery_mechanism": "CASSR commissioned support",
    }
    data.update(overrides)
    return service_writes.service_start(record=opened(actor, person), **data)


def test_start_service_records_first_cost_audits_and_schedules_the_first_review(staff, settings):
    settings.OPENASC_FIRST_REVIEW_WEEKS = 6
    person = PersonFactory()
    location = ProviderLocationFactory(name="Riverside Homecare")
    service = _start(staff.broker, person, provider_location=location)
    [cost] = service.costs.all()
    assert (cost.effective_from, cost.unit_cost_pence, cost.planned_units_per_week) == (
        dt.date(2026, 3, 2),
        2250,
        Decimal("14.00"),
    )
    assert cost.weekly_pence == 31500
    assert service.client_type == "Service user"
    review = Review.objects.get(person=person)
    assert review.due_on == dt.date(2026, 4, 13)  # 6 weeks after the start
    assert review.reason == "Planned"
    writes = AuditEvent.objects.filter(person_id=person.pk).exclude(
        action="view"
    )  # (the view: opening the record)
    assert set(writes.values_list("object_type", flat=True)) == {
        "services.service",
        "services.servicecost",
        "planning.review",
    }
    # Each write carries the basis on which the record was opened, and the review is the broker's doing too.
    [basis] = set(writes.values_list("basis", flat=True))
    assert basis == AuditEvent.objects.get(person_id=person.pk, action="view").basis != ""
    assert set(writes.values_list("actor", flat=True)) == {staff.broker.pk}


def test_short_term_service_does_not_schedule_a_review(staff):
    person = PersonFactory()
    _start(
        staff.broker,
        person,
        service_type="Short term support: ST-Max",
        service_component="Reablement",
        unit_cost="0",
        cost_frequency="Weekly",
        planned_units_per_week="",
    )
    assert not Review.objects.filter(person=person).exists()


def test_first_review_counts_from_the_first_long_term_service(staff, settings):
    settings.OPENASC_FIRST_REVIEW_WEEKS = 6
    person = PersonFactory()
    _start(
        staff.broker,
        person,
        service_type="Short term support: ST-Max",
        service_component="Reablement",
        start_on=dt.date(2026, 1, 5),
        cost_frequency="Weekly",
        planned_units_per_week="",
    )
    _start(staff.broker, person, start_on=dt.date(2026, 2, 2))
    _start(
        staff.broker,
        person,
        start_on=dt.date(2026, 3, 2),
        service_component="Day support",
        cost_frequency="Per session",
        planned_units_per_week="2",
    )
    [review] = Review.objects.filter(person=person)
    assert review.due_on == dt.date(2026, 3, 16)


def test_validation_messages(staff):
    person = PersonFactory()
    with pytest.raises(ValidationFailed) as exc:
        _start(
            staff.broker,
            person,
            service_type="Long term support: community",
            service_component="Hoovering",
            start_on=dt.date(2026, 3, 2),
            end_on=dt.date(2026, 3, 1),
            unit_cost="-1",
            cost_frequency="Hourly",
            planned_units_per_week="",
            delivery_mechanism="Cash",
        )
    assert exc.value.errors == {
        "service_type": "Select the service type from the list",
        "service_component": "Select the service component from the list",
        "delivery_mechanism": "Select the delivery mechanism from the list",
        "end_on": "The end date must be the same as or after the start date",
        "unit_cost": "The unit cost must be £0.00 or more",
        "planned_units_per_week": "Enter the planned units per week: a cost charged hourly needs them to work out "
        "the weekly cost",
    }
    with pytest.raises(ValidationFailed) as exc:
        _start(staff.broker, person, unit_cost="12.345", cost_frequency="Every so often")
    assert exc.value.errors == {
        "unit_cost": "The unit cost can have at most 2 decimal places (pence), like 18.50",
        "cost_frequency": "Select how often the unit cost is charged from the list",
    }
    with pytest.raises(ValidationFailed) as exc:
        _start(staff.broker, person, unit_cost="lots", cost_frequency="Daily", planned_units_per_week="0")
    assert exc.value.errors == {
        "unit_cost": "Enter the unit cost in pounds, like 18.50",
        "planned_units_per_week": "The planned units per week must be more than 0",
    }


def test_roles_that_cannot_arrange_services(staff):
    with pytest.raises(PermissionError):
        _start(staff.finance_officer, PersonFactory())


def test_cost_on_a_past_date_across_versions(staff):
    person = PersonFactory()
    service = _start(staff.broker, person, start_on=dt.date(2026, 1, 5))
    service_writes.service_cost_change(
        record=opened(staff.broker, service.person),
        service=service,
        effective_from=dt.date(2026, 4, 6),
        unit_cost="23.10",
        cost_frequency="Hourly",
        planned_units_per_week="21",
        reason="Annual uplift and more hours after a fall",
    )
    service_writes.service_cost_change(
        record=opened(staff.broker, service.person),
        service=service,
        effective_from=dt.date(2026, 2, 2),
        unit_cost="900",
        cost_frequency="4-weekly",
        reason="Block contract",
    )
    assert selectors.cost_on(service, dt.date(2026, 1, 4)) is None  # before it started
    assert selectors.weekly_cost_on(service, dt.date(2026, 2, 1)) == 31500  # the day before a change
    assert selectors.weekly_cost_on(service, dt.date(2026, 2, 2)) == 22500  # the day of it
    assert selectors.weekly_cost_on(service, dt.date(2026, 4, 5)) == 22500
    assert selectors.weekly_cost_on(service, dt.date(2026, 4, 6)) == 48510
    assert selectors.cost_on(service, dt.date(2030, 1, 1)).unit_cost_pence == 2310
    assert ServiceCost.objects.filter(service=service).count() == 3  # nothing overwritten
    event = AuditEvent.objects.filter(
        object_type="services.servicecost",
        details__event="service_cost_changed",
        details__effective_from="2026-04-06",
    ).get()
    assert (event.details["weekly_pence"], event.details["previous_weekly_pence"]) == (
        48510,
        31500,
    )  # recorded before the February change was added


def test_cost_change_rules(staff):
    service = _start(staff.broker, PersonFactory(), start_on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationFailed) as exc:
        service_writes.service_cost_change(
            record=opened(staff.broker, service.person),
            service=service,
            effective_from=dt.date(2026, 1, 4),
            unit_cost="20",
            cost_frequency="Weekly",
        )
    assert exc.value.errors == {
        "effective_from": "The new cost cannot apply before the service started (5 January 2026)"
    }
    with pytest.raises(ValidationFailed) as exc:
        service_writes.service_cost_change(
            record=opened(staff.broker, service.person),
            service=service,
            effective_from=dt.date(2026, 1, 5),
            unit_cost="20",
            cost_frequency="Weekly",
        )
    assert exc.value.errors == {
        "effective_from": "There is already a cost from this date: choose another date"
    }


def test_end_reablement_records_what_followed(staff):
    person = PersonFactory()
    service = _start(
        staff.broker,
        person,
        service_type="Short term support: ST-Max",
        service_component="Reablement",
        start_on=dt.date(2026, 5, 1),
        unit_cost="0",
        cost_frequency="Weekly",
    )
    with pytest.raises(ValidationFailed) as exc:
        service_writes.service_end(
            record=opened(staff.broker, service.person),
            service=service,
            end_on=dt.date(2026, 4, 30),
            outcome="Went well",
        )
    assert exc.value.errors == {
        "end_on": "The end date cannot be before the service started (1 May 2026)",
        "outcome": "Select what happened when the service ended from the list",
    }
    service_writes.service_end(
        record=opened(staff.broker, service.person),
        service=service,
        end_on=dt.date(2026, 5, 29),
        outcome="Progress to support planning or services",
    )
    service.refresh_from_db()
    assert (service.end_on, service.end_outcome) == (
        dt.date(2026, 5, 29),
        "Progress to support planning or services",
    )
    assert selectors.cost_on(service, dt.date(2026, 5, 30)) is None
    with pytest.raises(ValidationFailed) as exc:
        service_writes.service_end(
            record=opened(staff.broker, service.person),
            service=service,
            end_on=dt.date(2026, 6, 1),
            outcome="NFA: Support ended as planned",
        )
    assert "service" in exc.value.errors


def test_service_from_a_plan_must_be_the_persons_agreed_plan(staff):
    person = PersonFactory()
    other = PlanFactory()
    with pytest.raises(ValidationFailed) as exc:
        _start(staff.broker, person, plan=other)
    assert exc.value.errors == {"plan": "The plan belongs to someone else"}
    plan = PlanFactory(person=person)
    assert _start(staff.broker, person, plan=plan).plan == plan


def test_ending_the_last_long_term_service_cancels_the_planned_review_and_a_restart_schedules_a_new_one(
    staff, settings
):
    from openasc.planning.models import ReviewStatus

    settings.OPENASC_FIRST_REVIEW_WEEKS = 6
    person = PersonFactory()
    home_care = _start(staff.broker, person, start_on=dt.date(2026, 1, 5))
    day_care = _start(
        staff.broker,
        person,
        start_on=dt.date(2026, 2, 2),
        service_component="Day support",
        cost_frequency="Per session",
        planned_units_per_week="2",
    )
    from openasc.planning import services as plan_writes

    unplanned = plan_writes.review_create_unplanned(
        record=opened(staff.social_worker, person), reason="Unplanned: Hospital", due_on=dt.date(2026, 3, 1)
    )
    [planned] = Review.objects.filter(person=person, reason="Planned")
    assert planned.due_on == dt.date(2026, 2, 16)

    service_writes.service_end(
        record=opened(staff.broker, home_care.person),
        service=home_care,
        end_on=dt.date(2026, 2, 10),
        outcome="NFA: Support ended as planned",
    )
    planned.refresh_from_db()
    assert planned.status == ReviewStatus.SCHEDULED  # day care goes on: still something to review

    service_writes.service_end(
        record=opened(staff.broker, day_care.person),
        service=day_care,
        end_on=dt.date(2026, 2, 12),
        outcome="NFA: Support ended as planned",
    )
    planned.refresh_from_db()
    unplanned.refresh_from_db()
    assert planned.status == ReviewStatus.CANCELLED
    assert planned.status_changes.last().note == "Long-term support ended on 12 February 2026"
    assert unplanned.status == ReviewStatus.SCHEDULED  # someone asked for it: it stays
    assert AuditEvent.objects.filter(
        object_type="planning.review",
        object_id=str(planned.pk),
        action="update",
        details__event="review_cancelled",
    ).exists()

    _start(staff.broker, person, start_on=dt.date(2026, 6, 1))
    [again] = Review.objects.filter(person=person, status=ReviewStatus.SCHEDULED, reason="Planned")
    assert again.due_on == dt.date(2026, 7, 13)  # six weeks after support started again


def test_ending_a_short_term_service_leaves_reviews_alone(staff):
    from openasc.planning.models import ReviewStatus

    person = PersonFactory()
    _start(staff.broker, person, start_on=dt.date(2026, 1, 5), end_on=dt.date(2026, 1, 31))
    reablement = _start(
        staff.broker,
        person,
        service_type="Short term support: ST-Max",
        service_component="Reablement",
        start_on=dt.date(2026, 2, 2),
        unit_cost="0",
        cost_frequency="Weekly",
        planned_units_per_week="",
    )
    service_writes.service_end(
        record=opened(staff.broker, reablement.person),
        service=reablement,
        end_on=dt.date(2026, 2, 20),
        outcome="NFA: Support ended as planned",
    )
    assert Review.objects.get(person=person, reason="Planned").status == ReviewStatus.SCHEDULED


def test_starting_a_service_ends_the_wait_of_a_request_passed_to_a_team_for_short_term_support(staff, teams):
    from openasc.frontdoor.models import TriageDecision
    from openasc.frontdoor.tests.factories import routed

    req = routed(teams.north, decision=TriageDecision.SHORT_TERM_SUPPORT, received_on=dt.date(2026, 2, 20))
    assert req.waiting_ended_on is None
    _start(
        staff.broker,
        req.person,
        service_type="Short term support: ST-Max",
        service_component="Reablement",
        start_on=dt.date(2026, 3, 2),
        unit_cost="0",
        cost_frequency="Weekly",
        planned_units_per_week="",
    )
    req.refresh_from_db()
    assert req.waiting_ended_on is not None


def test_ending_support_cancels_the_review_through_its_workflow_by_whoever_ended_it(staff):
    person = PersonFactory()
    service = _start(staff.broker, person)
    review = Review.objects.get(person=person)
    service_writes.service_end(
        record=opened(staff.broker, person),
        service=service,
        end_on=dt.date(2026, 6, 1),
        outcome="NFA: Support ended as planned",
    )
    review.refresh_from_db()
    assert review.status == "cancelled"
    assert list(review.status_changes.values_list("status", "changed_by__username")) == [
        ("scheduled", "broker"),
        ("cancelled", "broker"),
    ]
    event = AuditEvent.objects.get(
        object_type="planning.review", object_id=str(review.pk), details__transition="cancel"
    )
    assert (event.actor, event.details["previous_status"], event.details["status"]) == (
        staff.broker,
        "scheduled",
        "cancelled",
    )


def test_service_writes_refuse_a_service_of_another_persons_record(staff):
    service = _start(staff.broker, PersonFactory())
    elsewhere = opened(staff.broker, PersonFactory())
    with pytest.raises(ValidationFailed) as exc:
        service_writes.service_cost_change(
            record=elsewhere,
            service=service,
            effective_from=dt.date(2026, 4, 1),
            unit_cost="30",
            cost_frequency="Hourly",
            planned_units_per_week="10",
        )
    assert list(exc.value.errors) == ["service"] and "another person's record" in exc.value.errors["service"]
    with pytest.raises(ValidationFailed) as exc:
        service_writes.service_end(
            record=elsewhere,
            service=service,
            end_on=dt.date(2026, 6, 1),
            outcome="NFA: Support ended as planned",
        )
    assert list(exc.value.errors) == ["service"]
    service.refresh_from_db()
    assert (service.costs.count(), service.end_on, service.end_outcome) == (1, None, "")
    with pytest.raises(TypeError, match="open_record"):
        service_writes.service_start(
            record=service.person,
            service_type="Long term support: Community",
            start_on=dt.date(2026, 3, 2),
            unit_cost="1",
            cost_frequency="Weekly",
        )
