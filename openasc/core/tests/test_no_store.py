"""No browser or proxy keeps a copy of a page with personal data (shared council computers, back button)."""

import pytest
from django.urls import reverse

from openasc.core import services as core_services
from openasc.core.models import Role
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory
from openasc.people.tests.factories import PersonFactory


def assert_no_store(response):
    assert response["Cache-Control"] == "no-store, private"
    assert response["Pragma"] == "no-cache"


def test_a_person_page_is_not_stored(client, staff):
    person = PersonFactory()
    CareRelationshipFactory(person=person, user=staff.social_worker)
    client.force_login(staff.social_worker)
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200
    assert_no_store(response)


def test_an_api_response_is_not_stored(client, staff):
    system = UserFactory(username="feed", role=Role.SYSTEM)
    plain = core_services.api_token_create(actor=staff.administrator, user=system, name="Feed")
    response = client.get("/api/people", {"q": "smith"}, HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200
    assert_no_store(response)
    # Refused token requests say nothing personal but are not kept either.
    assert_no_store(client.get("/api/people", {"q": "smith"}, HTTP_AUTHORIZATION="Bearer oasc_wrong"))


def test_a_csv_download_is_not_stored(client, staff):
    client.force_login(staff.performance_analyst)
    response = client.get(reverse("returns:salt-table", args=["STS001"]), {"year": 2024, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_no_store(response)


@pytest.mark.parametrize("path", ["/session/drafts?path=/people/new", "/people/"])
def test_other_signed_in_responses_are_not_stored(client, staff, path):
    client.force_login(staff.social_worker)
    assert_no_store(client.get(path))


def test_static_files_and_the_anonymous_sign_in_page_may_be_cached(client, staff):
    client.force_login(staff.social_worker)
    static = client.get("/static/ui/js/session.js")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
    client.logout()
    assert "no-store" not in client.get(reverse("core:sign-in")).get("Cache-Control", "")
