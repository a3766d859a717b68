"""Break-glass in a real browser: emergency access with a coded reason, then the manager's review."""

import pytest

from openasc.core.models import AuditAction, AuditEvent, BreakGlassAccess, Role
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory
from openasc.people.tests.factories import PersonFactory

pytestmark = pytest.mark.system


def test_social_worker_breaks_glass_and_team_manager_reviews_it(new_journey, staff, teams):
    south_worker = UserFactory(
        username="south_worker",
        first_name="Priya",
        last_name="Shah",
        role=Role.SOCIAL_WORKER,
        teams=[teams.south],
    )
    grace = PersonFactory(first_name="Grace", last_name="Holt", nhs_number="4010232137")
    CareRelationshipFactory(person=grace, user=south_worker)  # someone else's case, in another team

    # The social worker has no relationship with her: even her exact NHS number finds no one they can open, and the
    # page does not say whether a record exists (ADR 0009).
    worker = new_journey()
    worker.sign_in("social_worker", start="/people/")  # (signing in from / lands on the worktray)
    page = worker.page
    page.get_by_label("Name, NHS number, date of birth, postcode or person id").fill("401 023 2137")
    with page.expect_response(lambda r: "/people/?q=" in r.url):
        page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#results h2").wait_for()
    worker.check()
    assert page.locator("#results tbody tr").count() == 0
    assert "No one you can open matches" in page.locator("#results").inner_text()
    assert "Holt" not in page.locator("#results").inner_text()

    # Opening the record from a link (the out-of-hours duty log) sends them to break-glass, which names the record
    # by its person id only.
    worker.goto(f"/people/{grace.pk}")
    assert worker.path == f"/people/{grace.pk}/break-glass"
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot open this record"
    caption = page.locator(".govuk-caption-l").inner_text()
    assert grace.la_person_id in caption and "Holt" not in caption
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(grace.pk)).exists()

    worker.submit("Open the record", status=400)
    assert worker.error_links() == [("#reason_code", "Select why you need access")]

    reasons = page.get_by_role("group", name="Why do you need access?")
    reasons.get_by_label("Other").check()  # reveals "Explain why you need access"
    page.get_by_label("Explain why you need access").wait_for()
    worker.check()  # the conditionally revealed question, with GOV.UK's aria-expanded
    reasons.get_by_label("Out-of-hours duty").check()
    assert page.get_by_label("Explain why you need access").is_hidden()
    worker.submit("Open the record", status=200)

    assert worker.path == f"/people/{grace.pk}"
    assert page.get_by_role("heading", level=1).inner_text() == "Grace Holt"
    assert (
        "You are using emergency (break-glass) access until"
        in page.locator(".govuk-warning-text").inner_text()
    )
    assert (
        "You have break-glass access to this record"
        in page.locator(".govuk-notification-banner__heading").inner_text()
    )
    grant = BreakGlassAccess.objects.get()
    assert (grant.user, grant.person, grant.reason_code) == (staff.social_worker, grace, "out_of_hours")
    assert (
        AuditEvent.objects.filter(actor=staff.social_worker, action=AuditAction.BREAK_GLASS_START).count()
        == 1
    )
    assert (
        AuditEvent.objects.filter(
            actor=staff.social_worker, action=AuditAction.VIEW, object_id=str(grace.pk), basis="Break-glass"
        ).count()
        == 1
    )

    # The team manager, in another browser, sees it in the review queue and reviews it.
    manager = new_journey()
    manager.sign_in("team_manager")
    manager.click_link("Break-glass reviews")
    assert manager.path == "/break-glass/reviews"
    mpage = manager.page
    queue = mpage.locator("table").inner_text()
    assert (
        staff.social_worker.display_name in queue and "Grace Holt" in queue and "Out-of-hours duty" in queue
    )
    manager.click_link(f"Review access by {staff.social_worker.display_name} to Grace Holt’s record")
    assert manager.path == f"/break-glass/reviews/{grant.pk}"
    opened = mpage.locator("main ul.govuk-list").inner_text()
    assert "View for view" in opened  # what the social worker opened while the grant was in force

    outcome = mpage.get_by_role("group", name="Was this access appropriate?")
    outcome.get_by_label("Not appropriate: referred to information governance").check()
    manager.submit("Record review", status=400)
    assert manager.error_links() == [("#note", "Explain why the access was not appropriate")]

    mpage.get_by_role("group", name="Was this access appropriate?").get_by_label(
        "Appropriate", exact=True
    ).check()
    mpage.get_by_label("Notes").fill("Out-of-hours call from the care home; checked with the duty manager.")
    manager.submit("Record review", status=200)
    assert manager.path == "/break-glass/reviews"
    assert "Review recorded." in mpage.locator(".govuk-notification-banner__heading").inner_text()
    assert "There is nothing to review." in mpage.locator("main").inner_text()
    grant.refresh_from_db()
    assert (grant.reviewed_by, grant.review_outcome) == (staff.team_manager, "appropriate")
    assert grant.review_note.startswith("Out-of-hours call")
