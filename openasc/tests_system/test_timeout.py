"""The inactivity timeout in a real browser: the warning dialog, and typing kept as a draft across sign-in."""

import pytest

from openasc.core.models import FormDraft

pytestmark = pytest.mark.system


def test_timeout_warning_then_sign_out_keeps_the_draft(journey, staff, settings):
    # Warned 3 seconds after the last activity, signed out 5 seconds after that.
    settings.OPENASC_IDLE_TIMEOUT_SECONDS = 8
    settings.OPENASC_IDLE_WARNING_SECONDS = 5

    journey.sign_in("front_door", start="/people/new")
    page = journey.page
    assert journey.path == "/people/new"
    page.get_by_label("First name", exact=True).fill("Winifred")
    page.get_by_label("Last name", exact=True).fill("Ashby")
    page.get_by_label("Postcode", exact=True).fill("NS2 7QT")
    # The page posts what was typed to /session/drafts and says so.
    page.locator(".app-draft-status", has_text="Draft saved at").wait_for()

    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    dialog.wait_for(state="visible", timeout=15_000)
    assert page.evaluate("document.activeElement.id") == "timeout-stay"
    assert "seconds" in page.locator("#timeout-countdown").inner_text()
    journey.check()  # axe with the modal open
    draft = FormDraft.objects.get(user=staff.front_door, path="/people/new")
    assert (draft.data["first_name"], draft.data["last_name"], draft.data["postcode"]) == (
        "Winifred",
        "Ashby",
        "NS2 7QT",
    )

    # Nobody comes back: the page signs out and goes to the sign-in page.
    page.wait_for_url("**/sign-in?timeout=1&next=%2Fpeople%2Fnew", timeout=20_000)
    journey.check()
    assert (
        "You were signed out because you had not done anything for a while."
        in page.locator(".govuk-notification-banner").inner_text()
    )
    # Signed out on the server as well, not only on the screen.
    response = page.request.get(journey.url("/people/"), max_redirects=0)
    assert response.status == 302 and response.headers["location"].startswith("/sign-in")

    # Signing in again goes back to the form, filled in from the draft.
    journey.sign_in("front_door")
    assert journey.path == "/people/new"
    assert "We have filled in what you typed" in page.locator(".govuk-inset-text").inner_text()
    assert page.get_by_label("First name", exact=True).input_value() == "Winifred"
    assert page.get_by_label("Last name", exact=True).input_value() == "Ashby"
    assert page.get_by_label("Postcode", exact=True).input_value() == "NS2 7QT"
    assert page.locator(".govuk-error-summary").count() == 0  # a restored draft is not an error


def test_stay_signed_in_closes_the_warning(journey, staff, settings):
    settings.OPENASC_IDLE_TIMEOUT_SECONDS = 6
    settings.OPENASC_IDLE_WARNING_SECONDS = 4

    journey.sign_in("social_worker", start="/people/")  # (signing in from / lands on the worktray)
    page = journey.page
    search_box = page.get_by_label("Name, NHS number, date of birth, postcode or person id")
    search_box.focus()
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    dialog.wait_for(state="visible", timeout=15_000)
    journey.check()
    with page.expect_response("**/session/extend"):
        dialog.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "q"  # focus goes back where it was
    assert journey.path == "/people/"
    journey.goto("/people/")  # still signed in
    assert page.get_by_role("heading", level=1).inner_text() == "Find a person"
