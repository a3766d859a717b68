import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction

from openasc.core import audit
from openasc.core.context import request_id
from openasc.core.models import AuditEvent
from openasc.people.models import Person
from openasc.people.tests.factories import PersonFactory


def test_record_writes_who_whose_what_why_and_request_id(staff):
    person = PersonFactory()
    with request_id("req-12345678"):
        event = audit.record(
            actor=staff.social_worker,
            action="view",
            obj=person,
            basis="Allocated worker",
            reason="Home visit",
            on_behalf_of=staff.team_manager,
        )
    event.refresh_from_db()
    assert (event.actor, event.on_behalf_of, event.person_id, event.object_type, event.object_id) == (
        staff.social_worker,
        staff.team_manager,
        person.pk,
        "people.person",
        str(person.pk),
    )
    assert (event.action, event.basis, event.reason, event.request_id) == (
        "view",
        "Allocated worker",
        "Home visit",
        "req-12345678",
    )


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_anonymous_writes_are_refused(db, actor):
    with pytest.raises(audit.AnonymousWriteRefused):
        audit.record(actor=actor, action="view")
    assert not AuditEvent.objects.exists()


def test_inactive_users_cannot_write(staff):
    staff.social_worker.is_active = False
    with pytest.raises(audit.AnonymousWriteRefused):
        audit.record(actor=staff.social_worker, action="view")


def test_events_cannot_be_changed_or_deleted_through_the_orm(staff):
    event = audit.record(actor=staff.social_worker, action="search")
    event.reason = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_the_database_refuses_updates_even_in_raw_sql(staff):
    event = audit.record(actor=staff.social_worker, action="search")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the delete trigger is PostgreSQL only (see ADR 0003)"
)
def test_postgresql_refuses_deletes(staff):
    event = audit.record(actor=staff.social_worker, action="search")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_changes_between_lists_only_what_changed():
    import datetime as dt

    assert audit.changes_between({"a": 1, "b": dt.date(2020, 1, 2)}, {"a": 1, "b": dt.date(2020, 1, 3)}) == {
        "b": ["2020-01-02", "2020-01-03"]
    }


@pytest.mark.no_audit_safety_net
def test_the_safety_net_catches_an_unaudited_save(request, staff):
    """Run the net by hand around a direct save: it must fail."""
    from django.db.models.signals import post_save

    touched = []

    def remember(sender, instance, **kwargs):
        if sender in audit.SENSITIVE_MODELS and not audit.is_exempt():
            touched.append((sender._meta.label_lower, str(instance.pk)))

    post_save.connect(remember, weak=False, dispatch_uid="net-self-test")
    try:
        person = Person.objects.create(la_person_id="X1", first_name="No", last_name="Audit")
    finally:
        post_save.disconnect(dispatch_uid="net-self-test")
    assert touched == [("people.person", str(person.pk))]
    assert not AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk)).exists()


def test_every_model_with_personal_data_is_covered_by_the_net():
    from django.apps import apps

    labels = {m._meta.label_lower for m in audit.SENSITIVE_MODELS}
    people_models = {m._meta.label_lower for m in apps.get_app_config("people").get_models()}
    assert people_models <= labels
    assert {"core.carerelationship", "core.restriction", "core.breakglassaccess"} <= labels


def test_a_disclosure_is_one_event_per_person_and_one_more_when_it_names_nobody_or_misses_rows(staff):
    a, b = PersonFactory(), PersonFactory()
    details = {"what": "people behind a figure"}
    before = AuditEvent.objects.count()
    assert (
        audit.disclosed(actor=staff.team_manager, action="view", people=[a, b], basis="Test", details=details)
        == 2
    )
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert sorted(e.person_id for e in events) == sorted([a.pk, b.pk])
    before = AuditEvent.objects.count()
    assert (
        audit.disclosed(actor=staff.team_manager, action="export", people=[], basis="Test", details=details)
        == 0
    )
    (nobody,) = AuditEvent.objects.order_by("pk")[before:]
    assert nobody.person_id is None and nobody.details["people"] == 0 and nobody.action == "export"
    before = AuditEvent.objects.count()
    audit.disclosed(
        actor=staff.team_manager, action="view", people=[a], basis="Test", details=details, unmatched=3
    )
    named, counted = AuditEvent.objects.order_by("pk")[before:]
    assert (
        named.person_id == a.pk
        and counted.person_id is None
        and counted.details["rows_without_a_record"] == 3
    )
