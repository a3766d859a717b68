import datetime as dt

import pytest

from openasc.core import access
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditEvent
from openasc.people import services
from openasc.people.models import CarerLink, Contact, Person
from openasc.people.tests.factories import CarerLinkFactory, ContactFactory, PersonFactory

GOOD = {
    "first_name": "Edith",
    "last_name": "Marsh",
    "nhs_number": "943 476 5919",
    "date_of_birth": dt.date(1941, 5, 2),
    "gender": "Female",
    "ethnicity": "White: Irish",
    "client_type": "Service user",
    "postcode": "ns1 4ab",
    "primary_support_reason": "Physical support: Personal care support",
    "accommodation_status": "Owner occupier or shared ownership scheme",
}


def test_create_normalises_and_audits(staff):
    person = services.person_create(actor=staff.front_door, data=GOOD)
    assert person.nhs_number == "9434765919"
    assert person.postcode == "NS1 4AB"
    assert person.la_person_id == f"P{person.pk:07d}"
    assert (person.first_sound, person.last_sound) == ("E330", "M620")
    event = AuditEvent.objects.get(object_type="people.person", object_id=str(person.pk))
    assert (event.action, event.actor, event.person_id) == ("create", staff.front_door, person.pk)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nhs_number", "0000000000", "Enter a real NHS number: this number is never issued"),
        ("nhs_number", "9434765918", "Enter a valid NHS number: the check digit is wrong"),
        ("postcode", "NOT A CODE", "Enter a real postcode, like AA1 1AA"),
        (
            "date_of_birth",
            dt.date.today() + dt.timedelta(days=1),
            "Date of birth must be today or in the past",
        ),
        ("gender", "male", "Select a gender from the list"),  # defined-list values are exact, including case
        ("ethnicity", "White British", "Select a ethnicity from the list"),
        ("primary_support_reason", "Learning disability", "Select a primary support reason from the list"),
        ("client_type", "Carer", "Select a client type from the list"),  # Release 1 wording is not stored
        ("first_name", "  ", "Enter the person's first name"),
    ],
)
def test_create_rejects_bad_input_with_field_messages_and_saves_nothing(staff, field, value, message):
    with pytest.raises(ValidationFailed) as exc:
        services.person_create(actor=staff.front_door, data={**GOOD, field: value})
    assert exc.value.errors == {field: message}
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_death_must_not_be_before_birth(staff):
    with pytest.raises(ValidationFailed) as exc:
        services.person_create(actor=staff.front_door, data={**GOOD, "date_of_death": dt.date(1940, 1, 1)})
    assert exc.value.errors == {
        "date_of_death": "Date of death must be the same as or after the date of birth"
    }


def test_same_nhs_number_is_never_created_twice(staff):
    existing = PersonFactory(nhs_number="9434765919")
    with pytest.raises(services.PossibleDuplicate) as exc:
        services.person_create(actor=staff.front_door, data=GOOD, confirm_not_duplicate=True)
    assert exc.value.candidates == [existing]


def test_same_name_and_birth_date_warns_until_confirmed(staff):
    existing = PersonFactory(
        first_name="Marsh", last_name="Edith", date_of_birth=dt.date(1941, 5, 2), nhs_number=""
    )
    data = {**GOOD, "nhs_number": ""}
    with pytest.raises(services.PossibleDuplicate) as exc:
        services.person_create(actor=staff.front_door, data=data)
    assert exc.value.candidates == [existing]  # found with first and last names swapped
    person = services.person_create(actor=staff.front_door, data=data, confirm_not_duplicate=True)
    assert person.pk != existing.pk


def test_a_worker_who_creates_a_record_can_open_it_for_a_limited_time(staff):
    from openasc.core import access
    from openasc.core.models import CareRelationship

    person = services.person_create(actor=staff.social_worker, data=GOOD)
    assert access.explain(staff.social_worker, person).basis == "Time-limited grant"
    grant = CareRelationship.objects.get(person=person)
    assert (grant.kind, grant.user, grant.basis) == ("grant", staff.social_worker, "Created the record")
    assert (grant.ends_at - grant.starts_at).days == services.CREATOR_GRANT_DAYS
    front_door_person = services.person_create(
        actor=staff.front_door,
        data={**GOOD, "nhs_number": "6541003238", "first_name": "Ada", "date_of_birth": dt.date(1939, 1, 9)},
    )
    assert not CareRelationship.objects.filter(
        person=front_door_person
    ).exists()  # the front door sees everyone


def test_roles_without_the_capability_cannot_create(staff):
    with pytest.raises(PermissionError):
        services.person_create(actor=staff.performance_analyst, data=GOOD)


def test_update_records_old_and_new_values(staff):
    person = services.person_create(actor=staff.front_door, data=GOOD)
    services.person_update(
        record=access.open_record(staff.front_door, person, "edit"),
        data={"postcode": "ns2 1xy", "phone": "01632 1"},
    )
    event = AuditEvent.objects.filter(action="update", object_id=str(person.pk)).get()
    assert event.basis == "Role: Front door officer"
    assert event.details["changes"] == {"postcode": ["NS1 4AB", "NS2 1XY"], "phone": ["", "01632 1"]}
    assert Person.objects.get(pk=person.pk).postcode_key == "NS21XY"


def test_update_cannot_take_another_persons_nhs_number(staff):
    PersonFactory(nhs_number="9434765919")
    person = PersonFactory(nhs_number="")
    with pytest.raises(ValidationFailed) as exc:
        services.person_update(
            record=access.open_record(staff.front_door, person, "edit"), data={"nhs_number": "9434765919"}
        )
    assert "belongs to another record" in exc.value.errors["nhs_number"]


def test_unknown_fields_are_refused(staff):
    with pytest.raises(ValidationFailed) as exc:
        services.person_update(
            record=access.open_record(staff.front_door, PersonFactory(), "edit"), data={"la_person_id": "P1"}
        )
    assert exc.value.errors == {"la_person_id": "This field cannot be set here"}


def test_merge_moves_links_fills_blanks_and_audits_both(staff):
    keep = PersonFactory(nhs_number="", phone="")
    dup = PersonFactory(nhs_number="9434765919", phone="01632 960000")
    contact = ContactFactory(person=dup)
    carer = PersonFactory(client_type="Unpaid carer")
    CarerLinkFactory(carer=carer, cared_for=dup)
    services.person_merge(
        actor=staff.team_manager, keep=keep, duplicate=dup, reason="Same person: confirmed by GP"
    )
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert dup.merged_into == keep
    assert (keep.nhs_number, keep.phone) == ("9434765919", "01632 960000")
    assert Contact.objects.get(pk=contact.pk).person == keep
    assert CarerLink.objects.get(carer=carer).cared_for == keep
    assert AuditEvent.objects.filter(action="merge", person_id__in=[keep.pk, dup.pk]).count() == 2


def test_merge_moves_the_care_history_and_renumbers_plan_versions(staff):
    from openasc.core import audit
    from openasc.frontdoor.models import SupportRequest
    from openasc.planning.models import Plan
    from openasc.services.models import Service

    keep = PersonFactory(nhs_number="")
    dup = PersonFactory(nhs_number="9434765919")
    with audit.exempt_from_safety_net():
        SupportRequest.objects.create(
            person=dup,
            received_on=dt.date(2026, 1, 5),
            contact_by="self",
            what_matters="Home",
            created_by=staff.system,
        )
        Plan.objects.create(person=keep, version=1, goals="Stay at home", created_by=staff.system)
        Plan.objects.create(person=dup, version=1, goals="See friends", created_by=staff.system)
        Service.objects.create(
            person=dup,
            service_type="Long term support: Community",
            start_on=dt.date(2026, 2, 1),
            created_by=staff.system,
        )
    services.person_merge(actor=staff.team_manager, keep=keep, duplicate=dup, reason="Same person")
    assert SupportRequest.objects.get().person == keep
    assert Service.objects.get().person == keep
    assert list(Plan.objects.filter(person=keep).order_by("version").values_list("version", "goals")) == [
        (1, "Stay at home"),
        (2, "See friends"),
    ]
    event = AuditEvent.objects.filter(action="merge", person_id=keep.pk, object_type="people.person").get()
    assert AuditEvent.objects.filter(action="merge", object_type="planning.plan").count() == 1
    assert (event.details["moved"]["requests"], event.details["moved"]["plans"]) == (1, 1)


def test_merge_refuses_people_with_different_nhs_numbers(staff):
    keep, dup = PersonFactory(), PersonFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.person_merge(actor=staff.team_manager, keep=keep, duplicate=dup, reason="looks alike")
    assert "different NHS numbers" in exc.value.errors["duplicate"]
    dup.refresh_from_db()
    assert dup.merged_into is None


def test_carer_link_both_ways_and_not_to_self(staff):
    carer = PersonFactory(client_type="Unpaid carer")
    cared = PersonFactory()
    link = services.carer_link_create(
        actor=staff.social_worker, carer=carer, cared_for=cared, relationship="wife"
    )
    assert list(carer.caring_for.all()) == [link]
    assert (
        AuditEvent.objects.filter(object_type="people.carerlink", person_id__in=[carer.pk, cared.pk]).count()
        == 2
    )
    with pytest.raises(ValidationFailed):
        services.carer_link_create(actor=staff.social_worker, carer=cared, cared_for=cared)
    with pytest.raises(ValidationFailed):
        services.carer_link_create(actor=staff.social_worker, carer=carer, cared_for=cared)


def test_alerts_validate_dates(staff):
    person = PersonFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.alert_add(
            actor=staff.social_worker,
            person=person,
            kind="risk_to_staff",
            description="Dog",
            starts_on=dt.date(2026, 5, 1),
            ends_on=dt.date(2026, 4, 1),
        )
    assert exc.value.errors == {"ends_on": "The end date must be the same as or after the start date"}
    alert = services.alert_add(
        actor=staff.social_worker, person=person, kind="risk_to_staff", description="Dog"
    )
    services.alert_end(actor=staff.social_worker, alert=alert)
    alert.refresh_from_db()
    assert alert.ends_on == dt.date.today()


def test_contacts_alerts_and_carer_links_refuse_nul_and_over_long_text_naming_each_field(staff):
    """Finding 12 of the access issue: on PostgreSQL a NUL or an over-long value was a DataError (500)."""
    person = PersonFactory()
    with pytest.raises(ValidationFailed) as refused:
        services.contact_add(
            actor=staff.front_door,
            person=person,
            kind="other",
            name="A\x00B",
            relationship="r" * 101,
            phone="0" * 31,
        )
    assert set(refused.value.errors) == {"name", "relationship", "phone"}
    assert "NUL" in refused.value.errors["name"]
    assert refused.value.errors["relationship"] == "The relationship must be 100 characters or fewer"
    # At the limit it is kept, trimmed and normalised (NFKC: a full-width digit is a digit).
    contact = services.contact_add(
        actor=staff.front_door,
        person=person,
        kind="other",
        name=" Ann ",
        relationship="r" * 100,
        phone="０１６３２",
    )
    assert (contact.name, contact.phone) == ("Ann", "01632")
    with pytest.raises(ValidationFailed) as refused:
        services.alert_add(actor=staff.front_door, person=person, kind="health", description="bad\x00")
    assert set(refused.value.errors) == {"description"}
    with pytest.raises(ValidationFailed) as refused:
        services.carer_link_create(
            actor=staff.front_door, carer=PersonFactory(), cared_for=person, relationship="x" * 101
        )
    assert set(refused.value.errors) == {"relationship"}


def test_merge_moves_the_duplicates_case_notes_through_the_registered_movers(staff):
    from openasc.casenotes.models import CaseNote
    from openasc.casenotes.tests.factories import CaseNoteFactory
    from openasc.people import merging

    keep = PersonFactory(nhs_number="")
    dup = PersonFactory(nhs_number="9434765919")
    CaseNoteFactory(person=dup)
    CaseNoteFactory(person=keep)
    assert "case_notes" in merging._movers
    services.person_merge(actor=staff.team_manager, keep=keep, duplicate=dup, reason="Same person")
    assert (
        CaseNote.objects.filter(person=keep).count() == 2 and not CaseNote.objects.filter(person=dup).exists()
    )
    event = AuditEvent.objects.filter(action="merge", person_id=keep.pk, object_type="people.person").get()
    assert event.details["moved"]["case_notes"] == 1
