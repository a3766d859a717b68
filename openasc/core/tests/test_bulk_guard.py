"""Bulk writes on sensitive models are refused unless audited (issue 11, finding 7).

QuerySet.update()/delete() and bulk_create()/bulk_update() write rows without one post_save/post_delete per row,
so neither the audit trail nor the test suite's safety net would see them: on a sensitive model they raise unless
the thread is inside `audit.bulk(...)`, which audits them."""

import datetime as dt

import pytest
from django.db import transaction

from openasc.core import audit
from openasc.core.models import AuditEvent, Team
from openasc.core.sensitive import SensitiveQuerySet
from openasc.people.models import Alert, Person
from openasc.people.tests.factories import AlertFactory, PersonFactory
from openasc.planning.models import PlanNeed
from openasc.planning.tests.factories import PlanFactory, PlanNeedFactory


@pytest.fixture
def people(db):
    return [PersonFactory(first_name=f"Bulk{i}") for i in range(3)]


def _names():
    return sorted(Person.objects.values_list("first_name", flat=True))


def test_every_sensitive_model_has_the_guarded_manager(db):
    assert len(audit.SENSITIVE_MODELS) >= 16
    unguarded = [
        m._meta.label
        for m in audit.SENSITIVE_MODELS
        if not isinstance(m._default_manager.all(), SensitiveQuerySet)
    ]
    assert unguarded == []


@pytest.mark.parametrize(
    "write",
    [
        lambda: Person.objects.filter(first_name__startswith="Bulk").update(first_name="Changed"),
        lambda: Person.objects.filter(first_name="Bulk0").delete(),
        lambda: Person.objects.bulk_update(
            [Person(pk=Person.objects.first().pk, first_name="Changed")], ["first_name"]
        ),
        lambda: Alert.objects.bulk_create(
            [
                Alert(
                    person=Person.objects.first(),
                    kind="risk_to_staff",
                    description="x",
                    starts_on=dt.date.today(),
                )
            ]
        ),
    ],
    ids=["update", "delete", "bulk_update", "bulk_create"],
)
def test_outside_a_block_a_bulk_write_is_refused_and_changes_nothing(people, write):
    before = _names(), Alert.objects.count(), AuditEvent.objects.count()
    with pytest.raises(audit.UnauditedBulkWrite, match="without an audit event"), transaction.atomic():
        write()
    assert (_names(), Alert.objects.count(), AuditEvent.objects.count()) == before


def test_a_related_manager_is_guarded_too(db):
    plan = PlanFactory()
    PlanNeedFactory(plan=plan)
    with pytest.raises(audit.UnauditedBulkWrite):
        plan.needs.all().delete()
    assert PlanNeed.objects.filter(plan=plan).count() == 1


def test_a_model_without_personal_data_is_not_guarded(db):
    Team.objects.create(code="t1", name="Team one")
    assert Team.objects.filter(code="t1").update(name="Renamed") == 1


def test_inside_a_block_the_write_happens_and_one_summary_event_says_what(people, staff):
    AlertFactory(person=people[0])
    with audit.bulk(
        actor=staff.team_manager,
        action="update",
        reason="Tidy test names",
        obj=people[0],
        details={"why": "test"},
    ):
        assert Person.objects.filter(first_name__startswith="Bulk").update(first_name="Changed") == 3
        Alert.objects.filter(person=people[0]).delete()
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.actor, event.action, event.reason, event.person_id) == (
        staff.team_manager,
        "update",
        "Tidy test names",
        people[0].pk,
    )
    assert event.details == {
        "why": "test",
        "bulk_writes": {"people.person": {"update": 3}, "people.alert": {"delete": 1}},
    }
    assert _names() == ["Changed"] * 3


def test_a_block_that_fails_writes_nothing_and_no_event(people, staff):
    events = AuditEvent.objects.count()
    with (
        pytest.raises(RuntimeError),
        audit.bulk(actor=staff.team_manager, action="update", reason="Will fail"),
    ):
        Person.objects.update(first_name="Changed")
        raise RuntimeError("half way")
    assert _names() == ["Bulk0", "Bulk1", "Bulk2"]
    assert AuditEvent.objects.count() == events


def test_a_block_without_summary_leaves_the_events_to_the_caller(people, staff):
    events = AuditEvent.objects.count()
    with audit.bulk(actor=staff.team_manager, action="update", reason="Caller audits each", summary=False):
        Person.objects.update(first_name="Changed")
        audit.record_many(actor=staff.team_manager, action="update", objs=people)
    assert AuditEvent.objects.count() == events + 3


def test_a_block_needs_a_known_actor_and_a_reason(people, staff):
    from django.contrib.auth.models import AnonymousUser

    with (
        pytest.raises(audit.AnonymousWriteRefused),
        audit.bulk(actor=AnonymousUser(), action="update", reason="x"),
    ):
        pass
    with (
        pytest.raises(ValueError, match="reason"),
        audit.bulk(actor=staff.team_manager, action="update", reason=" "),
    ):
        pass
    # outside again: the guard is back on
    with pytest.raises(audit.UnauditedBulkWrite):
        Person.objects.update(first_name="Changed")


def test_the_safety_net_matches_the_object_the_change_and_the_request(people, staff):
    from openasc.conftest import unaccounted
    from openasc.core.context import request_id

    person = people[0]
    floor = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    save = [("people.person", str(person.pk), "save", "req-1")]
    delete = [("people.person", str(person.pk), "delete", "req-1")]
    assert unaccounted(save, floor) == [("people.person", str(person.pk), "save", "req-1")]
    with request_id("req-2"):  # an event in another request does not account for it
        audit.record(actor=staff.team_manager, action="update", obj=person)
    assert unaccounted(save, floor) != []
    with request_id("req-1"):  # nor does a read of it in the same request
        audit.record(actor=staff.team_manager, action="view", obj=person)
    assert unaccounted(save, floor) != []
    with request_id("req-1"):
        audit.record(actor=staff.team_manager, action="create", obj=person)
    assert unaccounted(save, floor) == []
    assert unaccounted(delete, floor) != []  # a create does not account for a delete
    new_floor = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert unaccounted(save, new_floor) != []  # events from before the test do not count


def test_the_safety_net_ignores_a_write_that_was_rolled_back(audit_safety_net, people, staff):
    touched = audit_safety_net
    person = people[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        person.first_name = "Undone"
        person.save()
        raise RuntimeError("the request failed half way")
    with transaction.atomic():
        person.first_name = "Kept"
        person.save()
        audit.record(actor=staff.team_manager, action="update", obj=person)
    assert [(w.key[0], w.kept()) for w in touched] == [("people.person", False), ("people.person", True)]
