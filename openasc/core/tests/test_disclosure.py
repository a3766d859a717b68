"""Who can learn what about a person they cannot open: search, duplicate warnings, break-glass pages, refusals and
restriction changes (findings 1 to 5 of the access-and-audit issue). Each refusal and each disclosure is audited
against the person it is about."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from openasc.core import access
from openasc.core.models import AuditAction, AuditEvent, RelationshipKind, Restriction, Role
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.models import Person
from openasc.people.tests.factories import PersonFactory

NOT_SEARCH_ALL = [
    r for r in Role if r not in (Role.SYSTEM,) and r not in access.roles_with(access.Capability.SEARCH_ALL)
]


def _restrict(person, by, roles=()):
    from openasc.core import audit

    with audit.exempt_from_safety_net():
        return Restriction.objects.create(
            person=person,
            reason="Member of staff",
            review_on=dt.date(2030, 1, 1),
            created_by=by,
            allowed_roles=Restriction.encode_roles(list(roles)),
        )


def _stable(html: str) -> str:
    """A page without what changes on every response (the CSP nonce, the CSRF token)."""
    return re.sub(r'(nonce|value)="[^"]*"', "", html)


def _events(person, action):
    return AuditEvent.objects.filter(person_id=person.pk, action=action)


# --- 1. Search ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_SEARCH_ALL, ids=lambda r: r.value)
def test_exact_identifier_search_lists_nobody_the_role_cannot_open(client, staff, role):
    user = getattr(staff, role.value)
    stranger = PersonFactory(
        first_name="Gwendolen", last_name="Ashby", nhs_number="9434765919", la_person_id="P0000123"
    )
    client.force_login(user)
    for q in (stranger.la_person_id, "943 476 5919", "Gwendolen Ashby"):
        body = client.get("/api/people", {"q": q}).json()
        assert body["results"] == [], (role, q)
        page = client.get("/people/", {"q": q}).content.decode()
        rest = page.replace(q, "")
        assert "Ashby" not in rest and "Gwendolen" not in rest and stranger.la_person_id not in rest
        assert "No one you can open matches" in page
    assert not _events(stranger, AuditAction.DISCLOSE).exists()


def test_the_same_answer_whether_or_not_the_record_exists(client, staff):
    """A role that cannot search everyone cannot tell a taken NHS number or LA id from a free one."""
    PersonFactory(nhs_number="4010232137")
    client.force_login(staff.performance_analyst)

    def page(number: str) -> str:
        html = _stable(client.get("/people/", {"q": number}).content.decode())
        return html.replace(f"{number[:3]} {number[3:6]} {number[6:]}", "N").replace(number, "N")

    assert page("4010232137") == page("4010232102")


def test_a_person_the_role_works_with_is_still_found(staff):
    from openasc.people import selectors

    person = PersonFactory(first_name="Ivy", last_name="Marchbank", la_person_id="P0000123")
    CareRelationshipFactory(
        person=person,
        user=staff.broker,
        kind=RelationshipKind.GRANT,
        ends_at=timezone.now() + dt.timedelta(days=1),
    )
    results = selectors.person_search(user=staff.broker, query=person.la_person_id)
    assert [(h.person.pk, h.can_open) for h in results.hits] == [(person.pk, True)]
    # Shown, so audited against the person.
    assert _events(person, AuditAction.DISCLOSE).filter(actor=staff.broker).count() == 1


def test_every_search_result_is_audited_against_its_person(client, staff):
    shown = [PersonFactory(first_name="Harold", last_name="Penrose") for _ in range(3)]
    client.force_login(staff.front_door)
    body = client.get("/api/people", {"q": "Harold Penrose"}).json()
    assert {r["id"] for r in body["results"]} == {p.pk for p in shown}
    for person in shown:
        [event] = _events(person, AuditAction.DISCLOSE)
        assert event.actor_id == staff.front_door.pk and event.details["purpose"] == "search result"
    # ...and so the search appears in the person's "who has looked at this record".
    client.force_login(staff.information_governance)
    log = client.get(f"/people/{shown[0].pk}/access-log").content.decode()
    assert "Shown in a search result or warning for search result" in log


def test_a_restricted_record_shows_search_everyone_roles_its_id_only(client, staff):
    person = PersonFactory(
        first_name="Rosamund", last_name="Quayle", nhs_number="9434765919", postcode="NS1 4AB"
    )
    _restrict(person, staff.information_governance)
    client.force_login(staff.team_manager)
    [hit] = client.get("/api/people", {"q": "9434765919"}).json()["results"]
    assert hit == {
        **hit,
        "id": person.pk,
        "la_person_id": person.la_person_id,
        "name": "",
        "nhs_number": "",
        "postcode": "",
        "date_of_birth": None,
        "restricted": True,
        "can_open": False,
    }
    page = client.get("/people/", {"q": "9434765919"}).content.decode()
    assert "Quayle" not in page and "Restricted record" in page and person.la_person_id in page


# --- 2. Duplicate warnings ----------------------------------------------------------------------------------------


def test_duplicate_nhs_number_warning_discloses_nothing_to_a_role_that_cannot_open_it(client, staff):
    existing = PersonFactory(
        first_name="Cedric",
        last_name="Lowther",
        nhs_number="9434765919",
        date_of_birth=dt.date(1941, 2, 14),
        postcode="NS3 9XY",
    )
    client.force_login(staff.social_worker)
    response = client.post(
        "/api/people",
        {"first_name": "Anyone", "last_name": "Else", "nhs_number": "9434765919"},
        content_type="application/json",
    )
    assert response.status_code == 409
    text = response.content.decode()
    for secret in ("Cedric", "Lowther", "1941", "NS3", existing.la_person_id):
        assert secret not in text
    assert response.json()["candidates"] == []
    assert "already exists, and you cannot open it" in response.json()["detail"]
    [event] = _events(existing, AuditAction.DISCLOSE)
    assert event.details == {
        "purpose": "duplicate warning",
        "shown": "that a record may exist",
        "nhs_clash": True,
    }
    assert Person.objects.count() == 1


def test_duplicate_name_and_date_of_birth_warning_on_the_page(client, staff):
    existing = PersonFactory(
        first_name="Cedric", last_name="Lowther", date_of_birth=dt.date(1941, 2, 14), postcode="NS3 9XY"
    )
    client.force_login(staff.social_worker)
    response = client.post(
        "/people/new",
        {
            "first_name": "Cedric",
            "last_name": "Lowther",
            "dob-day": "14",
            "dob-month": "2",
            "dob-year": "1941",
            "date_of_birth-day": "14",
            "date_of_birth-month": "2",
            "date_of_birth-year": "1941",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "A record may already exist for this person. Ask the front door" in page
    assert existing.la_person_id not in page and "NS3 9XY" not in page
    assert _events(existing, AuditAction.DISCLOSE).count() == 1


def test_the_front_door_is_shown_the_existing_record_and_it_is_audited(client, staff):
    existing = PersonFactory(first_name="Cedric", last_name="Lowther", nhs_number="9434765919")
    client.force_login(staff.front_door)
    response = client.post(
        "/api/people",
        {"first_name": "C", "last_name": "L", "nhs_number": "9434765919"},
        content_type="application/json",
    )
    assert response.status_code == 409
    [candidate] = response.json()["candidates"]
    assert candidate["la_person_id"] == existing.la_person_id and candidate["can_open"] is True
    [event] = _events(existing, AuditAction.DISCLOSE)
    assert event.details["shown"] == "identity"


def test_changing_to_a_taken_nhs_number_names_the_other_record_only_to_those_who_may_open_it(staff):
    from openasc.core.errors import ValidationFailed
    from openasc.people import services

    mine = PersonFactory()
    CareRelationshipFactory(person=mine, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    other = PersonFactory(nhs_number="9434765919")
    with pytest.raises(ValidationFailed) as refused:
        services.person_update(
            record=access.open_record(staff.social_worker, mine, "edit"), data={"nhs_number": "9434765919"}
        )
    assert refused.value.errors == {"nhs_number": "This NHS number belongs to another record"}
    assert _events(other, AuditAction.DISCLOSE).count() == 1


# --- 3. The break-glass page --------------------------------------------------------------------------------------


def test_break_glass_page_refuses_roles_without_break_glass_alike_for_any_id(client, staff):
    person = PersonFactory(first_name="Millicent", last_name="Hobbs")
    client.force_login(staff.performance_analyst)
    real = client.get(f"/people/{person.pk}/break-glass")
    missing = client.get(f"/people/{person.pk + 1000}/break-glass")
    assert real.status_code == missing.status_code == 403
    assert _stable(real.content.decode()) == _stable(missing.content.decode())
    assert "Hobbs" not in real.content.decode() and person.la_person_id not in real.content.decode()
    assert (
        AuditEvent.objects.filter(actor=staff.performance_analyst, action=AuditAction.ACCESS_REFUSED).count()
        == 2
    )


def test_break_glass_page_for_a_missing_id_is_not_found(client, staff):
    client.force_login(staff.broker)
    assert client.get("/people/999999/break-glass").status_code == 404


def test_break_glass_page_names_the_person_only_to_search_everyone_roles_and_is_audited(client, staff):
    person = PersonFactory(first_name="Millicent", last_name="Hobbs")
    client.force_login(staff.broker)
    page = client.get(f"/people/{person.pk}/break-glass").content.decode()
    assert "Hobbs" not in page and f"Record {person.la_person_id}" in page
    client.force_login(staff.safeguarding_lead)
    assert "Millicent Hobbs" in client.get(f"/people/{person.pk}/break-glass").content.decode()
    assert set(_events(person, AuditAction.DISCLOSE).values_list("actor__username", flat=True)) == {
        "broker",
        "safeguarding_lead",
    }


# --- 4. Refusals leave a trace ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/people/{}", "/people/{}/edit", "/api/people/{}"])
def test_a_refused_opening_is_audited_against_the_person(client, staff, path):
    person = PersonFactory()
    client.force_login(staff.performance_analyst)
    response = client.get(path.format(person.pk))
    assert response.status_code == 403
    [event] = _events(person, AuditAction.ACCESS_REFUSED)
    assert event.actor_id == staff.performance_analyst.pk and event.details["purpose"]


def test_a_refused_api_opening_by_a_break_glass_role_is_audited(client, staff):
    person = PersonFactory()
    client.force_login(staff.broker)
    assert client.get(f"/api/people/{person.pk}").status_code == 403
    assert _events(person, AuditAction.ACCESS_REFUSED).filter(actor=staff.broker).count() == 1


# --- 5. Restrictions ----------------------------------------------------------------------------------------------


def test_a_team_manager_without_a_relationship_cannot_lift_a_restriction(client, staff):
    person = PersonFactory()
    restriction = _restrict(person, staff.information_governance)
    client.force_login(staff.team_manager)
    response = client.post(f"/people/{person.pk}/restriction", {"reason": "Not needed"})
    assert response.status_code == 403
    restriction.refresh_from_db()
    assert restriction.lifted_at is None
    assert _events(person, AuditAction.ACCESS_REFUSED).filter(actor=staff.team_manager).count() == 1
    # ...so the front door still cannot open it.
    assert not access.explain(staff.front_door, person).allowed


def test_a_team_manager_cannot_restrict_a_record_they_do_not_work_with(client, staff):
    person = PersonFactory()
    client.force_login(staff.team_manager)
    response = client.post(
        f"/people/{person.pk}/restriction",
        {"reason": "x", "review_on-day": "1", "review_on-month": "1", "review_on-year": "2031"},
    )
    assert response.status_code == 403
    assert not Restriction.objects.filter(person=person).exists()


def test_a_role_named_on_the_restriction_or_information_governance_may_lift_it(staff):
    from openasc.core import services

    person = PersonFactory()
    restriction = _restrict(person, staff.information_governance, roles=[Role.TEAM_MANAGER])
    services.restriction_lift(actor=staff.team_manager, restriction=restriction, reason="Left the council")
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None
    other = _restrict(PersonFactory(), staff.information_governance)
    with pytest.raises(PermissionError):
        services.restriction_lift(actor=staff.team_manager, restriction=other, reason="x")
    services.restriction_lift(actor=staff.information_governance, restriction=other, reason="Reviewed")


def test_a_team_manager_working_with_the_person_may_restrict_the_record(staff):
    from openasc.core import services

    person = PersonFactory()
    CareRelationshipFactory(
        person=person, user=None, team=staff.team_manager.teams.first(), kind=RelationshipKind.ALLOCATED_TEAM
    )
    restriction = services.restriction_set(
        actor=staff.team_manager,
        person=person,
        reason="Member of staff",
        review_on=timezone.localdate() + dt.timedelta(days=30),
    )
    assert restriction.lifted_at is None


# --- The access log and the break-glass review --------------------------------------------------------------------


def test_the_access_log_is_for_information_governance_and_managers_who_work_with_the_person(client, staff):
    person = PersonFactory(first_name="Ottoline", last_name="Briggs")
    client.force_login(staff.team_manager)
    refused = client.get(f"/people/{person.pk}/access-log")
    assert refused.status_code == 403 and "Briggs" not in refused.content.decode()
    assert _events(person, AuditAction.ACCESS_REFUSED).count() == 1
    CareRelationshipFactory(person=person, user=staff.team_manager, kind=RelationshipKind.ALLOCATED_WORKER)
    assert client.get(f"/people/{person.pk}/access-log").status_code == 200


def test_a_break_glass_review_lists_what_was_opened_during_the_grant(client, staff):
    from openasc.core import services

    person = PersonFactory()
    grant = services.break_glass_start(
        actor=staff.social_worker, person=person, reason_code="urgent_safeguarding"
    )
    client.force_login(staff.social_worker)
    assert client.get(f"/people/{person.pk}").status_code == 200
    client.force_login(staff.team_manager)
    page = client.get(f"/break-glass/reviews/{grant.pk}").content.decode()
    assert "What was opened during the access" in page
    assert "View for view" in page or "View for " in page
    assert "Nothing was opened" not in page


def test_a_role_refused_a_page_or_an_api_call_leaves_a_trace(client, staff):
    client.force_login(staff.broker)
    assert client.get("/people/new").status_code == 403
    assert client.get("/break-glass/reviews").status_code == 403
    refused = AuditEvent.objects.filter(actor=staff.broker, action=AuditAction.ACCESS_REFUSED)
    assert sorted(refused.values_list("details__path", flat=True)) == ["/break-glass/reviews", "/people/new"]
    client.force_login(staff.performance_analyst)
    response = client.post(
        "/api/people", {"first_name": "A", "last_name": "B"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert (
        AuditEvent.objects.filter(
            actor=staff.performance_analyst, action=AuditAction.ACCESS_REFUSED, details__path="/api/people"
        ).count()
        == 1
    )


def test_a_refusal_is_audited_once(client, staff):
    person = PersonFactory()
    client.force_login(staff.team_manager)
    client.get(f"/people/{person.pk}/access-log")
    client.force_login(staff.performance_analyst)
    client.get(f"/people/{person.pk}/break-glass")
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).count() == 2


def test_an_opened_record_is_made_only_by_the_access_rules(staff):
    person = PersonFactory()
    with pytest.raises(TypeError):
        access.OpenedRecord(
            person=person, user=staff.broker, decision=access.Access(True, "Forged", ""), purpose="edit"
        )


def test_a_nul_in_what_was_typed_is_audited_not_a_server_error(client, staff):
    """PostgreSQL's jsonb cannot hold NUL: the fuzz test found `GET /api/people?q=t%00hen` gave a 500 there."""
    client.force_login(staff.front_door)
    response = client.get("/api/people", {"q": "t\x00hen"})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).latest("pk")
    assert event.details["query"] == "t\ufffdhen"
