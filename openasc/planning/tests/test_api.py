import datetime as dt

import pytest

from openasc.assessments.tests.factories import completed_assessment
from openasc.core import services as core_services
from openasc.core.models import AuditEvent, Role
from openasc.core.tests.factories import UserFactory
from openasc.people.tests.factories import PersonFactory
from openasc.planning.models import Plan, Review, ReviewStatus
from openasc.planning.tests.factories import ReviewFactory


@pytest.fixture
def token(staff):
    system = UserFactory(username="care-system", role=Role.SYSTEM)
    admin = UserFactory(username="admin-user", role=Role.ADMINISTRATOR)
    return system, core_services.api_token_create(actor=admin, user=system, name="Care system feed")


def auth(token_value):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_value}"}


NEEDS = [
    {
        "outcome_code": "hygiene",
        "meet_by": "service",
        "description": "Morning calls",
        "who": "Bluebell Home Care",
        "when": "Every morning, 7.30 to 8.15",
    }
]


def test_create_read_agree_and_version_a_plan(client, token, settings):
    settings.OPENASC_PLAN_SIGN_OFF = False
    system, plain = token
    person = PersonFactory()
    completed_assessment(person, {"hygiene": ["a"], "toilet": ["a"]})
    prefill = client.get(f"/api/plans/people/{person.pk}/prefill", **auth(plain)).json()
    assert [n["outcome_code"] for n in prefill["needs"]] == ["hygiene", "toilet"]
    assert prefill["indicative_weekly_pence"] == 9500  # 2 outcomes + 2 limbs = 30 points
    created = client.post(
        "/api/plans",
        {
            "person_id": person.pk,
            "goals": "Stay at home",
            "needs": NEEDS,
            "agreed_weekly_pence": 12000,
            "contingency": "If a call is missed, ring the agency's out-of-hours line",
        },
        content_type="application/json",
        **auth(plain),
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["version"], body["status"], body["indicative_weekly_pence"]) == (1, "draft", 9500)
    agreed = client.post(f"/api/plans/{body['id']}/agree", **auth(plain)).json()
    assert agreed["status"] == "agreed" and agreed["agreed_on"] == dt.date.today().isoformat()
    v2 = client.post(
        f"/api/plans/{body['id']}/versions",
        {"agreed_weekly_pence": 15000, "reason": "More help"},
        content_type="application/json",
        **auth(plain),
    )
    assert v2.status_code == 201
    assert (v2.json()["version"], v2.json()["previous_id"], v2.json()["needs"]) == (2, body["id"], NEEDS)
    assert v2.json()["contingency"] == body["contingency"] != ""  # carried into the new version
    assert client.get(f"/api/plans/{body['id']}", **auth(plain)).json()["agreed_weekly_pence"] == 12000
    assert Plan.objects.count() == 2
    assert {"create", "update", "view"} <= set(
        AuditEvent.objects.filter(actor=system).values_list("action", flat=True)
    )


def test_field_errors_and_access(client, token, staff):
    _, plain = token
    person = PersonFactory()
    response = client.post(
        "/api/plans",
        {
            "person_id": person.pk,
            "goals": "",
            "needs": [{"outcome_code": "hygiene", "meet_by": "wishes", "description": "x"}],
        },
        content_type="application/json",
        **auth(plain),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "goals", "message": "Enter the person's goals, in their own words"},
        {
            "field": "meet_by_hygiene",
            "message": "Select how the need for maintaining personal hygiene will be met",
        },
    ]
    assert client.get("/api/plans/999999", **auth(plain)).status_code == 404
    client.force_login(staff.nhs_partner)
    assert (
        client.post(
            "/api/plans",
            {"person_id": person.pk, "goals": "g", "needs": NEEDS},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_complete_review_and_overdue_list(client, token, staff):
    _, plain = token
    person = PersonFactory()
    review = ReviewFactory(
        person=person, due_on=dt.date.today() - dt.timedelta(days=4), reviewer=staff.system
    )
    response = client.post(
        f"/api/plans/reviews/{review.pk}/complete",
        {
            "completed_on": dt.date.today().isoformat(),
            "method": "Telephone",
            "outcomes_achieved": "Not achieved",
            "what_followed": "residential",
        },
        content_type="application/json",
        **auth(plain),
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == (
        "completed",
        "Progress to support planning or services",
    )
    assert Review.objects.filter(person=person, status=ReviewStatus.SCHEDULED).count() == 1
    client.force_login(staff.social_worker)
    other = PersonFactory()
    from openasc.core.tests.factories import CareRelationshipFactory

    CareRelationshipFactory(person=other, user=staff.social_worker)
    ReviewFactory(person=other, due_on=dt.date.today() - dt.timedelta(days=6))
    rows = client.get("/api/plans/reviews/overdue").json()
    assert [(r["person_id"], r["days_overdue"]) for r in rows] == [(other.pk, 6)]
