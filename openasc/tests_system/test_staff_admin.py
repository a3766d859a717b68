"""Staff administration in a real browser: an administrator creates a team and a social worker, issues a token."""

from __future__ import annotations

import pytest

from openasc.core.models import ApiToken, AuditAction, AuditEvent, Role, Team, User
from openasc.core.services import api_token_user
from openasc.core.tests.factories import UserFactory

pytestmark = pytest.mark.system


def press(journey, name: str) -> None:
    """A start button (a link drawn as a GOV.UK button, so its role is button): follow it and check the page."""
    with journey.page.expect_navigation():
        journey.page.get_by_role("button", name=name, exact=True).click()
    journey.check()


def test_administrator_creates_a_team_and_a_social_worker_and_issues_a_token(new_journey, db):
    admin = UserFactory(username="ada", first_name="Ada", last_name="Minter", role=Role.ADMINISTRATOR)
    UserFactory(username="feed", first_name="", last_name="", role=Role.SYSTEM)

    journey = new_journey()
    journey.sign_in("ada")
    page = journey.page
    journey.click_link("Staff and teams")
    assert journey.path == "/staff/"

    # A team: the empty form's error links to its field, then it is created.
    journey.click_link("Teams", exact=True)
    press(journey, "Add a team")
    page.get_by_label("No, a council team").check()
    journey.submit("Create team", status=400)
    assert journey.error_links() == [("#name", "Enter the team's name")]
    page.get_by_label("Team name").fill("Night duty team")
    journey.submit("Create team", status=200)
    assert journey.path == "/staff/teams/"
    assert "Night duty team" in page.locator("table").inner_text()
    team = Team.objects.get(code="night-duty-team")

    # A social worker in that team: the password is shown once, on the result page.
    journey.click_link("Staff", exact=True)
    press(journey, "Add a member of staff")
    page.get_by_label("Username").fill("Ada")  # taken (sign-in ignores case)
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Worthing")
    page.get_by_label("Social worker").check()
    page.get_by_label("Night duty team").check()
    journey.submit("Create account", status=400)
    assert journey.error_links() == [
        ("#username", "There is already an account called 'Ada': choose another username")
    ]
    assert page.get_by_label("Night duty team").is_checked()  # what was typed is kept
    page.get_by_label("Username").fill("sam")
    journey.submit("Create account", status=200)
    journey.screenshot("staff-password-shown-once")
    password = page.locator("#secret").inner_text()
    sam = User.objects.get(username="sam")
    assert sam.role == Role.SOCIAL_WORKER and list(sam.teams.all()) == [team] and sam.check_password(password)
    journey.click_link("Go to Sam Worthing’s account")
    journey.screenshot("staff-account")
    assert password not in page.content()
    assert "Night duty team" in page.locator(".govuk-summary-list").inner_text()

    # The team cannot be deleted now that Sam is in it: the page says why, and closing it is offered instead.
    journey.click_link("Staff and teams")
    journey.click_link("Teams", exact=True)
    journey.click_link("Remove Night duty team", exact=True)
    main = page.locator("main").inner_text()
    assert "cannot be deleted, because" in main and "1 account is in the team" in main
    assert page.get_by_role("button", name="Delete team").count() == 0
    journey.submit("Close team", status=200)
    assert journey.path == "/staff/teams/" and "Closed" in page.locator("table").inner_text()
    team.refresh_from_db()
    assert team.closed_at is not None and list(sam.teams.all()) == [team]

    # A token for the system account: shown once, then listed by its prefix with when it was last used.
    journey.click_link("Staff and teams")
    journey.click_link("System accounts and API tokens")
    press(journey, "Issue an API token")
    page.get_by_label("System account").select_option(label="feed")
    page.get_by_label("Token name").fill("Finance nightly import")
    page.get_by_label("How many days it works for").fill("0")
    journey.submit("Issue token", status=400)
    assert journey.error_links() == [("#days", "The token must last from 1 to 3,650 days")]
    page.get_by_label("How many days it works for").fill("90")
    journey.submit("Issue token", status=200)
    plain = page.locator("#secret").inner_text()
    assert api_token_user(plain).username == "feed"  # now used once
    journey.click_link("Back to API tokens")
    journey.screenshot("staff-tokens")
    listing = page.locator("table").inner_text()
    assert (
        plain not in page.content()
        and ApiToken.objects.get().prefix in listing
        and "Never used" not in listing
    )

    # At 320 CSS pixels the wide tables scroll inside their own region: the page itself does not (WCAG 1.4.10).
    page.set_viewport_size({"width": 320, "height": 900})
    for path in (
        "/staff/tokens/",
        "/staff/",
        "/staff/teams/",
        "/staff/system-accounts/",
        f"/staff/{sam.pk}/",
        "/staff/add",
        f"/staff/teams/{team.pk}/remove",
    ):
        journey.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    page.set_viewport_size({"width": 1280, "height": 900})
    journey.goto("/staff/tokens/")

    # Revoking asks first.
    journey.click_link("Revoke")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Are you sure")
    journey.submit("Yes, revoke it", status=200)
    assert api_token_user(plain) is None and "Revoked" in page.locator("table").inner_text()

    assert AuditEvent.objects.filter(
        actor=admin, action=AuditAction.CREATE, object_type="core.user", object_id=str(sam.pk)
    ).exists()

    # The social worker signs in with the temporary password they were given and must choose their own first:
    # every page sends them to the change-password page until they have.
    worker = new_journey()
    worker.sign_in("sam", password, start="/people/")
    assert worker.path == "/staff/password?next=/people/"
    assert worker.page.get_by_role("heading", level=1).inner_text() == "Choose your own password"
    worker.goto("/my/caseload", status=200)
    assert worker.path.startswith("/staff/password")
    worker.page.get_by_label("Temporary password").fill(password)
    worker.page.get_by_label("New password", exact=True).fill("short")
    worker.page.get_by_label("Type the new password again").fill("short")
    worker.submit("Save password", status=400)
    assert worker.error_links() == [
        ("#new_password", "This password is too short. It must contain at least 12 characters.")
    ]
    worker.page.get_by_label("Temporary password").fill(password)
    worker.page.get_by_label("New password", exact=True).fill("quince-meadow-harbour-71")
    worker.page.get_by_label("Type the new password again").fill("quince-meadow-harbour-71")
    worker.submit("Save password", status=200)
    assert worker.path == "/my/caseload" or worker.path.startswith("/people/")
    sam.refresh_from_db()
    assert not sam.must_change_password and sam.check_password("quince-meadow-harbour-71")
    # ... and has no staff pages.
    assert worker.page.get_by_role("link", name="Staff and teams").count() == 0
    worker.goto("/staff/", status=403)
