import pytest

from openasc.core import services as core_services
from openasc.core.models import AuditEvent, RelationshipKind, Role
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory, opened
from openasc.people.tests.factories import CarerLinkFactory, PersonFactory


@pytest.fixture
def token(staff):
    system = UserFactory(username="assessment-import", role=Role.SYSTEM)
    admin = UserFactory(username="admin-user", role=Role.ADMINISTRATOR)
    return system, core_services.api_token_create(actor=admin, user=system, name="Assessment import")


def auth(token_value):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_value}"}


@pytest.fixture
def person(staff, teams):
    person = PersonFactory(first_name="Ivy", last_name="Lane")
    CareRelationshipFactory(person=person, user=staff.social_worker)
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    return person


def put(client, url, body, plain):
    return client.put(url, body, content_type="application/json", **auth(plain))


def post(client, url, body, plain):
    return client.post(url, body, content_type="application/json", **auth(plain))


def test_api_needs_authentication(client, db):
    assert client.get("/api/assessments/1").status_code == 401


def test_full_journey_over_the_api(client, token, person, staff, settings):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = True
    system, plain = token
    created = post(client, "/api/assessments", {"person_id": person.pk, "method": "Telephone"}, plain)
    assert created.status_code == 201
    body = created.json()
    aid = body["id"]
    assert (body["kind"], body["status"], body["assessment_type"]) == (
        "needs",
        "in_progress",
        "Long term assessment",
    )
    assert {s["status"] for s in body["sections"]} == {"Not started"}

    assert (
        put(
            client,
            f"/api/assessments/{aid}/about",
            {"what_matters": "Stay at home", "strengths": "Cheerful"},
            plain,
        ).status_code
        == 200
    )
    for code in ("nutrition", "hygiene"):
        r = put(
            client,
            f"/api/assessments/{aid}/outcomes/{code}",
            {"can_achieve": False, "limbs": ["a"], "notes": f"{code} help"},
            plain,
        )
        assert r.status_code == 200
    for code in (
        "toilet",
        "clothing",
        "home_safety",
        "habitable_home",
        "relationships",
        "work_education",
        "community",
        "caring_for_child",
    ):
        assert (
            put(client, f"/api/assessments/{aid}/outcomes/{code}", {"can_achieve": True}, plain).status_code
            == 200
        )
    r = put(
        client,
        f"/api/assessments/{aid}/conditions",
        {
            "condition_met": True,
            "condition_description": "Stroke",
            "wellbeing_impact": True,
            "wellbeing_description": "Low mood",
        },
        plain,
    )
    assert r.status_code == 200
    assert r.json()["determination"]["eligible"] is True
    r = put(client, f"/api/assessments/{aid}/eligibility", {"judgement": "agree"}, plain)
    assert r.json()["eligible"] is True
    assert {s["status"] for s in r.json()["sections"]} == {"Completed"}
    r = post(client, f"/api/assessments/{aid}/complete", {}, plain)
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["outcome"]) == (
        "awaiting_sign_off",
        "Progress to support planning or services",
    )
    # A system account is not a team manager.
    assert post(client, f"/api/assessments/{aid}/sign-off", {"approve": True}, plain).status_code == 403
    client.force_login(staff.team_manager)
    r = client.post(f"/api/assessments/{aid}/sign-off", {"approve": True}, content_type="application/json")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["signed_off_by"]) == ("completed", staff.team_manager.display_name)
    read = client.get(f"/api/assessments/{aid}").json()
    assert [o["code"] for o in read["outcomes"] if not o["can_achieve"]] == ["nutrition", "hygiene"]
    actions = set(
        AuditEvent.objects.filter(actor=system, object_type="assessments.assessment").values_list(
            "action", flat=True
        )
    )
    assert actions == {"view", "create", "update", "access_refused"}
    # The system account's refused sign-off is in the trail, against the assessment, with what was attempted.
    refused = AuditEvent.objects.get(
        actor=system, action="access_refused", object_type="assessments.assessment"
    )
    assert refused.details["purpose"] == "assessment: sign_off" and refused.person_id == person.pk


def test_field_level_errors(client, token, person):
    _, plain = token
    r = post(
        client,
        "/api/assessments",
        {"person_id": person.pk, "method": "Pigeon", "kind": "carer", "cared_for_id": 999},
        plain,
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "cared_for_id",
            "message": "The carer is not linked to this person: link "
            "them on the cared-for person's record first",
        }
    ]
    aid = post(client, "/api/assessments", {"person_id": person.pk, "method": "Telephone"}, plain).json()[
        "id"
    ]
    r = put(client, f"/api/assessments/{aid}/outcomes/nutrition", {"can_achieve": False, "limbs": []}, plain)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "limbs"
    r = post(client, f"/api/assessments/{aid}/complete", {}, plain)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "sections"
    assert (
        put(client, f"/api/assessments/{aid}/outcomes/flying", {"can_achieve": True}, plain).status_code
        == 422
    )


def test_carers_assessment_over_the_api(client, token, person):
    _, plain = token
    carer = PersonFactory(client_type="Unpaid carer")
    CarerLinkFactory(carer=carer, cared_for=person)
    r = post(
        client,
        "/api/assessments",
        {"person_id": carer.pk, "method": "Telephone", "kind": "carer", "cared_for_id": person.pk},
        plain,
    )
    assert r.status_code == 201
    assert (r.json()["cared_for_id"], len(r.json()["sections"])) == (person.pk, 1 + 1 + 8 + 1 + 1 + 1)


def test_access_rules_apply(client, person, teams, staff):
    stranger = UserFactory(username="south-worker", role="social_worker", teams=[teams.south])
    from openasc.assessments import services

    a = services.assessment_start(record=opened(staff.social_worker, person), method="Telephone")
    client.force_login(stranger)
    assert client.get(f"/api/assessments/{a.pk}").status_code == 403
    assert client.get("/api/assessments/99999").status_code == 404


def test_cancel_over_the_api_needs_a_reason_and_the_assessor_or_a_manager(
    client, token, person, staff, teams
):
    _, plain = token
    aid = post(client, "/api/assessments", {"person_id": person.pk, "method": "Telephone"}, plain).json()[
        "id"
    ]
    url = f"/api/assessments/{aid}/cancel"
    missing = post(client, url, {"reason": " "}, plain)
    assert missing.status_code == 422
    assert missing.json()["errors"] == [
        {"field": "reason", "message": "Enter why the assessment is being cancelled"}
    ]
    colleague = UserFactory(username="colleague", role="social_worker", teams=[teams.north])
    CareRelationshipFactory(person=person, user=colleague)
    client.force_login(colleague)  # may open the record, did not start the assessment, is not a manager
    refused = client.post(url, {"reason": "Duplicate"}, content_type="application/json")
    assert refused.status_code == 403
    client.logout()
    done = post(client, url, {"reason": "Loaded twice from the old system"}, plain)  # by its assessor
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = post(client, url, {"reason": "Again"}, plain)
    [error] = again.json()["errors"]
    assert again.status_code == 422 and error["field"] == "reason"
    assert error["message"].startswith("This assessment is cancelled: it cannot be cancelled")
    second = post(client, "/api/assessments", {"person_id": person.pk, "method": "Telephone"}, plain).json()
    client.force_login(staff.team_manager)  # a manager cancels work they did not start
    by_manager = client.post(
        f"/api/assessments/{second['id']}/cancel", {"reason": "Not needed"}, content_type="application/json"
    )
    assert by_manager.status_code == 200 and by_manager.json()["status"] == "cancelled"
