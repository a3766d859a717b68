"""The synthetic council: deterministic, realistic in shape, and consistent with the product's rules."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from openasc.assessments.models import Assessment
from openasc.core import codes, nhs_number
from openasc.core.models import CareRelationship, User
from openasc.frontdoor.models import SupportRequest
from openasc.people.models import CarerLink, Person
from openasc.planning.models import Review
from openasc.services.models import Service, ServiceCost


@pytest.fixture
def council(transactional_db):
    out = StringIO()
    call_command("demo", "--people", "600", "--seed", "11", "--reset", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.no_audit_safety_net
def test_demo_prints_one_account_per_role_and_the_accounts_work(council):
    from django.contrib.auth import authenticate

    for username in ("frontdoor", "socialworker", "manager", "ig", "nhspartner", "analyst"):
        assert f"  {username} " in council
        assert authenticate(username=username, password=f"{username}-demo-11") is not None


@pytest.mark.no_audit_safety_net
def test_people_are_valid_records(council):
    people = list(Person.objects.all())
    assert len(people) == 600
    for p in people:
        assert not p.nhs_number or nhs_number.is_valid(p.nhs_number)
        for field, list_name in (
            ("gender", codes.ListName.GENDER),
            ("ethnicity", codes.ListName.ETHNICITY),
            ("client_type", codes.ListName.CLIENT_TYPE),
        ):
            assert codes.is_valid(list_name, getattr(p, field)), (field, getattr(p, field))
        assert p.date_of_death is None or p.date_of_death >= p.date_of_birth
    ages = [
        (dt.date(2026, 11, 23) - p.date_of_birth).days // 365
        for p in people
        if p.client_type == "Service user"
    ]
    older = sum(a >= 65 for a in ages) / len(ages)
    assert 0.6 < older < 0.8  # about seven in ten service users are 65 or over
    assert CarerLink.objects.count() > 40
    assert CareRelationship.objects.count() > 200


@pytest.mark.no_audit_safety_net
def test_history_is_consistent(council):
    assert SupportRequest.objects.count() > 300
    assert Assessment.objects.filter(eligible=True).exists()
    for s in Service.objects.prefetch_related("costs")[:300]:
        costs = list(s.costs.all())
        assert costs and costs[0].effective_from == s.start_on
        assert s.end_on is None or s.end_on >= s.start_on
        assert codes.is_valid(codes.ListName.SERVICE_TYPE, s.service_type)
    residential = ServiceCost.objects.filter(
        service__service_type="Long term support: Residential care", effective_from=models_start()
    ).values_list("unit_cost_pence", flat=True)
    assert all(50000 <= c <= 70000 for c in residential)
    assert Review.objects.filter(status="scheduled").exists()
    died = Service.objects.filter(end_outcome="NFA: Deceased").select_related("person")[:50]
    assert all(s.end_on == s.person.date_of_death for s in died)


@pytest.mark.no_audit_safety_net
def test_history_has_the_status_rows_the_timeline_shows_and_new_records_get_fresh_ids(council):
    from openasc.core.timeline import entries_for
    from openasc.frontdoor.models import RequestStatus, SupportRequestStatus

    requests = SupportRequest.objects.count()
    assert SupportRequestStatus.objects.filter(status=RequestStatus.OPEN).count() == requests
    triaged = SupportRequest.objects.exclude(status=RequestStatus.OPEN).count()
    assert SupportRequestStatus.objects.exclude(status=RequestStatus.OPEN).count() == triaged
    for a in Assessment.objects.filter(status="completed")[:50]:
        assert list(a.status_changes.values_list("status", flat=True)) == [
            "in_progress",
            "awaiting_sign_off",
            "completed",
        ]
    busy = (SupportRequest.objects.values("person").annotate(n=Count("pk")).order_by("-n").first())["person"]
    assert "request" in {e.kind for e in entries_for(Person.objects.get(pk=busy))}
    assessed = Assessment.objects.filter(status="completed").values_list("person", flat=True).first()
    assert "assessment" in {e.kind for e in entries_for(Person.objects.get(pk=assessed))}

    # the history gave its rows their ids: the next record made in the product must not collide (PostgreSQL)
    person = Person.objects.get(pk=busy)
    system = User.objects.get(username="system")
    made = SupportRequest.objects.create(
        person=person,
        received_on=dt.date(2026, 11, 1),
        contact_by="self",
        what_matters="x",
        created_by=system,
    )
    assert made.pk > SupportRequest.objects.exclude(pk=made.pk).order_by("-pk").first().pk


def models_start():
    from django.db.models import F

    return F("service__start_on")


@pytest.mark.no_audit_safety_net
def test_same_seed_same_council(transactional_db):
    def snapshot():
        call_command(
            "demo", "--people", "150", "--seed", "5", "--reset", stdout=StringIO(), stderr=StringIO()
        )
        return (
            list(Person.objects.order_by("pk").values_list("first_name", "last_name", "nhs_number")),
            list(Service.objects.values("service_type").annotate(n=Count("id")).order_by("service_type")),
            sorted(User.objects.values_list("username", flat=True)),
        )

    assert snapshot() == snapshot()


def test_database_has_people_on_both_sides(db):
    from openasc.core import audit
    from openasc.demo.build import database_has_people
    from openasc.people.tests.factories import PersonFactory

    assert database_has_people() is False
    with audit.exempt_from_safety_net():
        PersonFactory()
    assert database_has_people() is True


def test_demo_refuses_to_build_over_people_without_reset(db):
    from django.core.management.base import CommandError

    from openasc.core import audit
    from openasc.people.tests.factories import PersonFactory

    with audit.exempt_from_safety_net():
        PersonFactory(last_name="Realperson")
    with pytest.raises(CommandError, match="already has people"):
        call_command("demo", "--people", "5", stdout=StringIO(), stderr=StringIO())
    assert list(Person.objects.values_list("last_name", flat=True)) == ["Realperson"]
