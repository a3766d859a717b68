"""Signing in through the real form, in a real browser, with axe on every page."""

import pytest

from openasc.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.system


def test_wrong_password_then_sign_in(journey, staff):
    journey.goto("/people/", status=None)  # any page sends a signed-out visitor to sign in
    assert journey.path.startswith("/sign-in?next=/people/")
    assert journey.page.title().startswith("Sign in – ")
    # The generic header names the council; no crown, no GOV.UK.
    assert "Northshire County Council" in journey.page.locator("header").inner_text()
    assert journey.page.locator(".govuk-header__logotype, svg.govuk-header__logotype").count() == 0

    journey.page.get_by_label("Username").fill("social_worker")
    journey.page.get_by_label("Password", exact=True).fill("not-the-password")
    journey.submit("Sign in")  # the error summary's title, focus and links are checked with axe
    assert journey.error_links() == [("#username", "Enter a correct username and password")]
    assert journey.page.title().startswith("Error: Sign in")
    assert (
        journey.page.locator("#username-error")
        .inner_text()
        .strip()
        .endswith("Enter a correct username and password")
    )
    # The link in the summary takes keyboard focus to the field.
    journey.page.locator(".govuk-error-summary__list a").click()
    assert journey.page.evaluate("document.activeElement.id") == "username"
    assert journey.page.get_by_label("Username").input_value() == "social_worker"

    journey.page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    journey.submit("Sign in")
    assert journey.path == "/people/"
    assert journey.page.get_by_role("heading", level=1).inner_text() == "Find a person"
    assert journey.page.get_by_role("link", name="Sign out").count() == 1
    assert AuditEvent.objects.filter(actor=staff.social_worker, action=AuditAction.SIGN_IN).count() == 1
    assert (
        AuditEvent.objects.filter(actor=staff.social_worker, action=AuditAction.SIGN_IN_FAILED).count() == 1
    )


def test_empty_form_names_both_fields(journey, staff):
    journey.goto("/sign-in")
    journey.submit("Sign in", status=200)
    assert journey.error_links() == [
        ("#username", "Enter your username"),
        ("#password", "Enter your password"),
    ]
