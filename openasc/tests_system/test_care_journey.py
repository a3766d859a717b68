"""The whole care journey for one person in a real browser, with axe on every page.

A front door officer records a request for support and triages it to a team for assessment; the team manager
allocates a social worker; the worker assesses (eligible), the manager signs the assessment off; the worker writes
the care and support plan from the assessment, the manager signs it off; the worker starts home care from the plan,
and completes the first review, which was scheduled when the service started. The person's timeline shows it all.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from openasc.assessments.models import Assessment, AssessmentStatus
from openasc.core.models import CareRelationship, RelationshipKind
from openasc.frontdoor.models import RequestStatus, SupportRequest
from openasc.people.tests.factories import PersonFactory
from openasc.planning import bands
from openasc.planning.models import Plan, PlanStatus, Review, ReviewStatus
from openasc.providers.tests.factories import ProviderLocationFactory
from openasc.services.models import Service

pytestmark = pytest.mark.system

WHAT_MATTERS = "I want to stay in my own home and keep going to the lunch club on Thursdays."
NUTRITION_NOTES = "Cannot stand at the cooker since the stroke; has been skipping hot meals."
HYGIENE_NOTES = "Has fallen twice getting out of the bath; now only washes at the sink."
# Everything the social worker answers "can achieve" for; nutrition and hygiene are the unmet outcomes.
ACHIEVABLE = (
    "Managing toilet needs",
    "Being appropriately clothed",
    "Being able to make use of the home safely",
    "Maintaining a habitable home environment",
    "Developing and maintaining family or other personal relationships",
    "Accessing and engaging in work, training, education or volunteering",
    "Making use of necessary facilities or services in the local community, including public transport and "
    "recreational facilities or services",
    "Carrying out any caring responsibilities the adult has for a child",
)


def uk(day: dt.date) -> str:
    return f"{day:%-d %B %Y}"


def heading(journey) -> str:
    return journey.page.get_by_role("heading", level=1).inner_text().strip()


def banner(journey) -> str:
    return journey.page.locator(".govuk-notification-banner").inner_text()


def summary(journey) -> dict[str, str]:
    """The first summary list on the page, as {key: value}."""
    rows = journey.page.locator(".govuk-summary-list").first.locator(".govuk-summary-list__row")
    return {
        row.locator(".govuk-summary-list__key").inner_text().strip(): row.locator(
            ".govuk-summary-list__value"
        )
        .inner_text()
        .strip()
        for row in rows.all()
    }


def table_rows(journey, scope: str = "main") -> list[list[str]]:
    rows = journey.page.locator(f"{scope} table tbody tr").all()
    return [[c.strip() for c in row.locator("th, td").all_inner_texts()] for row in rows]


def fill_date(journey, legend: str, day: dt.date) -> None:
    group = journey.page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def choose(journey, legend: str, label: str) -> None:
    journey.page.get_by_role("group", name=legend).get_by_label(label, exact=True).check()


def select(journey, label: str, option: str) -> None:
    journey.page.get_by_label(label, exact=True).select_option(label=option)


def search(journey, query: str) -> None:
    """The search box on the home page: htmx swaps the results in (checked with axe too)."""
    journey.page.get_by_label("Name, NHS number, date of birth, postcode or person id").fill(query)
    with journey.page.expect_response(lambda r: "/people/?q=" in r.url and r.request.method == "GET"):
        journey.page.get_by_role("button", name="Search", exact=True).click()
    journey.page.locator("#results h2").wait_for()
    journey.check()


@pytest.fixture
def arthur(db):
    return PersonFactory(
        first_name="Arthur",
        last_name="Pennington",
        date_of_birth=dt.date(1936, 3, 14),
        nhs_number="9434765919",
        postcode="NS2 7QT",
    )


@pytest.fixture
def home_care_branch(db):
    return ProviderLocationFactory(
        name="Northtown branch", provider__name="Riverside Home Care Ltd", cqc_location_id="1-555000111"
    )


def test_one_person_from_first_contact_to_first_review(new_journey, staff, teams, arthur, home_care_branch):
    assert (
        settings.OPENASC_ASSESSMENT_SIGN_OFF and settings.OPENASC_PLAN_SIGN_OFF
    )  # the manager signs both off
    bands.load_bands()  # the resource allocation table (a transactional test starts with empty tables)
    today = timezone.localdate()

    front_door = new_journey()
    front_door.sign_in("front_door")
    request_for_support = record_and_triage_the_request(front_door, arthur, today)

    manager = new_journey()
    manager.sign_in("team_manager")
    allocate_a_social_worker(manager, arthur, staff)

    worker = new_journey()
    worker.sign_in("social_worker")
    assessment = assess(worker, arthur, request_for_support, today)

    sign_off_the_assessment(manager, arthur, assessment, staff)

    plan = write_and_agree_the_plan(worker, arthur, assessment, today)
    sign_off_the_plan(manager, arthur, plan, staff)

    service = start_home_care(worker, arthur, plan, home_care_branch, today)
    complete_the_first_review(worker, arthur, service, staff, today)

    the_timeline_tells_the_story(worker, arthur, staff)
    cancel_an_assessment_started_in_error(worker, arthur)


def record_and_triage_the_request(journey, person, today) -> SupportRequest:
    page = journey.page
    assert journey.path == "/"  # signing in lands on the worktray
    journey.click_link("Find a person", exact=True)
    assert journey.path == "/people/"
    search(journey, "Arthur Penington")  # misspelt, as on the phone
    journey.click_link("PENNINGTON, Arthur")
    assert journey.path == f"/people/{person.pk}"
    assert "No requests for support recorded." in page.locator("main").inner_text()

    journey.submit("Record a request for support")  # a GOV.UK button that is a link
    assert journey.path == f"/front-door/people/{person.pk}/requests/new"
    assert heading(journey) == "Record a request for support"
    assert page.get_by_label("Routine", exact=True).is_checked()  # the usual answers are filled in
    assert page.get_by_label("Service user", exact=True).is_checked()

    assert page.get_by_label("Day", exact=True).input_value() == str(
        today.day
    )  # received today, unless changed
    journey.submit("Save request", status=400)
    assert journey.error_links() == [
        ("#route_of_access", "Select the route of access from the list"),
        ("#contact_by", "Select who made contact"),
        ("#what_matters", "Enter what matters to the person, in their words"),
    ]

    fill_date(journey, "Date received", today)
    select(journey, "Route of access", "Community or other route")
    choose(journey, "Who made contact?", "Family member, friend or neighbour")
    page.get_by_label("Their phone number (optional)").fill("01234 567890")
    page.get_by_label("What matters to the person", exact=True).fill(WHAT_MATTERS)
    page.get_by_label("Why they contacted us (optional)").fill(
        "His daughter says he is not coping since the stroke."
    )
    journey.submit("Save request", status=400)  # someone else called: we need their name
    assert journey.error_links() == [("#contact_name", "Enter the name of the person who made contact")]
    assert page.get_by_label("What matters to the person", exact=True).input_value() == WHAT_MATTERS

    page.get_by_label("Their name", exact=True).fill("Susan Pennington")
    journey.submit("Save request", status=200)
    request = SupportRequest.objects.get(person=person)
    assert journey.path == f"/front-door/requests/{request.pk}"
    assert heading(journey) == f"Request for support received {uk(today)}"
    assert "Request for support recorded for Arthur Pennington" in banner(journey)
    assert page.locator(".govuk-tag").first.inner_text().strip() == "Waiting for triage"
    facts = summary(journey)
    assert facts["Contact made by"] == "Family member, friend or neighbour: Susan Pennington, 01234 567890"
    assert facts["Route of access"] == "Community or other route"

    journey.submit("Triage this request")
    assert journey.path == f"/front-door/requests/{request.pk}/triage"
    assert heading(journey) == "Triage the request"
    choose(journey, "What happens next?", "Assessment of needs")
    journey.submit("Save decision", status=400)
    assert journey.error_links() == [("#team", "Select the team to pass the request to")]
    select(journey, "Team", "Locality team north")
    journey.submit("Save decision", status=200)
    assert journey.path == f"/front-door/requests/{request.pk}"
    assert "Request triaged: Assessment of needs, passed to Locality team north" in banner(journey)
    assert page.locator(".govuk-tag").first.inner_text().strip() == "Passed to a team"
    facts = summary(journey)
    assert facts["Event outcome (CLD)"] == "Progress to assessment, review or reassessment"
    assert facts["Passed to"] == "Locality team north"
    request.refresh_from_db()
    assert request.status == RequestStatus.ROUTED
    return request


def allocate_a_social_worker(journey, person, staff) -> None:
    page = journey.page
    journey.click_link("My teams")
    assert journey.path == "/my/teams"
    north = next(row for row in table_rows(journey) if row[0] == "Locality team north")
    assert north[1:3] == ["1", "1"]  # one person allocated to the team (at triage), one waiting for a worker
    assert page.get_by_role("link", name="Locality team north", exact=True).count() == 1
    journey.screenshot("care-journey-my-teams")

    journey.click_link("People waiting for allocation")
    assert journey.path == "/front-door/team-queue"
    assert page.locator("main h2").first.inner_text().strip() == "Waiting for allocation (1)"
    [row] = table_rows(journey)
    assert row[0].startswith("Arthur Pennington") and row[4] == "Locality team north"

    journey.click_link("Allocate Arthur Pennington", exact=True)
    assert journey.path == f"/front-door/people/{person.pk}/allocate"
    assert heading(journey) == "Allocate"
    assert [r[:2] for r in table_rows(journey)] == [["Allocated team", "Locality team north"]]
    worker = staff.social_worker
    picker = page.get_by_label("Named worker (optional)")
    option = picker.locator(f"option[value='{worker.pk}']").inner_text()
    assert option.startswith(f"{worker.display_name} ({worker.get_role_display()})") and "allocated" in option
    picker.select_option(value=str(worker.pk))
    journey.submit("Allocate", status=200)
    assert f"Arthur Pennington allocated to {worker.display_name}" in banner(journey)
    assert [r[1] for r in table_rows(journey)] == ["Locality team north", worker.display_name]
    assert CareRelationship.objects.filter(
        person=person, user=worker, kind=RelationshipKind.ALLOCATED_WORKER
    ).exists()


def complete_section(journey, title: str) -> None:
    """Save and continue: on to the next section (the task list after the last), then back to the task list, where
    the section is marked completed."""
    journey.submit("Save and continue", status=200)
    assert f"{title}: completed" in banner(journey)
    if journey.page.locator(".govuk-task-list").count() == 0:  # on the next section's page
        assert heading(journey) != title
        journey.click_link("Back to the assessment")
    status = journey.page.locator(".govuk-task-list__item", has_text=title).locator(
        ".govuk-task-list__status"
    )
    assert status.inner_text().strip() == "Completed"


def assess(journey, person, request, today) -> Assessment:
    page = journey.page
    journey.click_link("My caseload")
    assert journey.path == "/my/caseload"
    [row] = table_rows(journey)
    assert row[0].startswith("PENNINGTON, Arthur") and row[2] == "None scheduled" and row[5] == "No"
    journey.click_link("PENNINGTON, Arthur")
    assert journey.path == f"/people/{person.pk}"

    journey.click_link("start an assessment")
    assert heading(journey) == "Start an assessment"
    assert page.get_by_label("Needs assessment", exact=True).is_checked()
    assert page.get_by_label("Long term assessment", exact=True).is_checked()
    select(journey, "How is the assessment being carried out?", "Face to face")
    request_choice = page.get_by_label("Which request for support is this assessment for? (optional)")
    request_choice.select_option(
        label=f"Received {uk(today)}: His daughter says he is not coping since the stroke."
    )
    journey.submit("Start assessment", status=200)

    assessment = Assessment.objects.get(person=person)
    assert assessment.request == request
    assert journey.path == f"/assessments/{assessment.pk}"
    assert heading(journey) == "Needs assessment"
    assert "Needs assessment started" in banner(journey)
    assert page.locator("#progress").inner_text().startswith("You have completed 0 of 14 sections.")
    complete_item = page.locator(".govuk-task-list__item", has_text="Complete the assessment")
    assert complete_item.get_by_role("link").count() == 0  # not until every section is done
    assert "Cannot start yet" in complete_item.inner_text()

    journey.click_link("About the person: what matters, strengths and support", exact=True)
    page.get_by_label("What matters to the person", exact=True).fill(WHAT_MATTERS)
    page.get_by_label("Strengths (optional)").fill("Sharp, sociable, manages his own medication and money.")
    page.get_by_label("Support from family, friends and the community (optional)").fill(
        "Daughter Susan shops for him on Saturdays."
    )
    complete_section(journey, "About the person: what matters, strengths and support")

    journey.click_link("Needs arising from an impairment or illness", exact=True)
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("The impairment or illness", exact=True).fill(
        "Stroke in August: weakness on his left side."
    )
    complete_section(journey, "Needs arising from an impairment or illness")

    # Condition 2: he cannot manage nutrition or personal hygiene without help.
    journey.click_link("Managing and maintaining nutrition", exact=True)
    assert heading(journey) == "Managing and maintaining nutrition"
    page.get_by_label("No", exact=True).check()
    limbs = page.get_by_role("group", name="In what way can the person not achieve it?")
    limbs.wait_for()
    journey.check()  # the conditionally revealed checkboxes
    limbs.get_by_label("(a) Unable to achieve it without assistance").check()
    page.get_by_label("Notes (optional)").fill(NUTRITION_NOTES)
    complete_section(journey, "Managing and maintaining nutrition")

    journey.click_link("Maintaining personal hygiene", exact=True)
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Notes (optional)").fill(HYGIENE_NOTES)
    journey.submit("Save and continue", status=400)  # "No", but not how
    assert journey.error_links() == [
        ("#limbs", "Select at least one way in which the person is unable to achieve this outcome")
    ]
    limbs = page.get_by_role("group", name="In what way can the person not achieve it?")
    assert limbs.is_visible()  # still open, with the error, after the page came back
    limbs.get_by_label("(a) Unable to achieve it without assistance").check()
    limbs.get_by_label("(c) Able to achieve it without assistance, but doing so endangers").check()
    complete_section(journey, "Maintaining personal hygiene")

    for outcome in ACHIEVABLE:
        journey.click_link(outcome, exact=True)
        page.get_by_label("Yes", exact=True).check()
        complete_section(journey, outcome)

    journey.click_link("Impact on wellbeing", exact=True)
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("The impact on wellbeing", exact=True).fill(
        "Physical health and control over daily life: he is losing weight and afraid of falling."
    )
    complete_section(journey, "Impact on wellbeing")
    assert page.locator("#progress").inner_text().startswith("You have completed 13 of 14 sections.")

    journey.click_link("Eligibility determination", exact=True)
    determination = page.locator("#determination")
    assert determination.locator("h2").inner_text().strip() == "The needs meet the eligibility criteria"
    reasons = determination.locator("li").all_inner_texts()
    assert reasons == [
        "The needs arise from or are related to a physical or mental impairment or illness.",
        "Unable to achieve 2 of the 10 outcomes: managing and maintaining nutrition; maintaining personal hygiene.",
        "As a consequence there is, or is likely to be, a significant impact on wellbeing.",
    ]
    journey.screenshot("care-journey-eligibility")
    choose(journey, "Do you agree with the determination?", "Agree with the determination")
    complete_section(journey, "Eligibility determination")
    assert page.locator("#progress").inner_text().startswith("You have completed 14 of 14 sections.")

    journey.click_link("Complete the assessment", exact=True)
    assert journey.path == f"/assessments/{assessment.pk}/complete"
    assert summary(journey) == {"Eligibility": "Eligible", "Determination": "Eligible"}
    assert "A team manager will be asked to sign off the assessment." in page.locator("main").inner_text()
    journey.submit("Complete assessment", status=200)
    assert journey.path == f"/assessments/{assessment.pk}"
    assert "Assessment completed: it is waiting for a team manager to sign it off" in banner(journey)
    facts = summary(journey)
    assert facts["Status"] == "Waiting for a manager to sign off"
    assert facts["Eligibility"] == "Eligible"
    assert facts["Outcome"] == "Progress to support planning or services"
    assessment.refresh_from_db()
    assert (assessment.status, assessment.eligible) == (AssessmentStatus.AWAITING_SIGN_OFF, True)
    return assessment


def sign_off_the_assessment(journey, person, assessment, staff) -> None:
    page = journey.page
    journey.click_link("My teams")
    north = next(row for row in table_rows(journey) if row[0] == "Locality team north")
    assert north[3] == "1"  # one assessment to sign off
    journey.click_link("Assessments waiting for sign-off")
    assert journey.path == "/assessments/sign-off"
    [row] = table_rows(journey)
    assert row[1:] == [
        "Needs assessment",
        staff.social_worker.display_name,
        uk(assessment.completed_on),
        "Eligible",
    ]

    journey.click_link(f"Arthur Pennington ({person.la_person_id})")
    assert journey.path == f"/assessments/{assessment.pk}/sign-off"
    assert heading(journey) == "Sign off the assessment"
    facts = summary(journey)
    assert facts["Assessor"] == staff.social_worker.display_name and facts["Eligibility"] == "Eligible"
    assert facts["What matters"] == WHAT_MATTERS
    needs = page.locator("h2:has-text('Outcomes the person cannot achieve') + ul li").all_inner_texts()
    assert needs == [
        f"Managing and maintaining nutrition: {NUTRITION_NOTES}",
        f"Maintaining personal hygiene: {HYGIENE_NOTES}",
    ]
    choose(journey, "Your decision", "Sign off the assessment")
    journey.submit("Save decision", status=200)
    assert journey.path == "/assessments/sign-off"
    assert "Assessment signed off" in banner(journey)
    assert "There are no assessments waiting for you to sign off." in page.locator("main").inner_text()
    assessment.refresh_from_db()
    assert (assessment.status, assessment.signed_off_by) == (AssessmentStatus.COMPLETED, staff.team_manager)


def write_and_agree_the_plan(journey, person, assessment, today) -> Plan:
    page = journey.page
    journey.goto(f"/people/{person.pk}")
    journey.click_link("write a care and support plan")
    assert journey.path == f"/plans/people/{person.pk}/new"
    assert heading(journey) == "Care and support plan"
    main = page.locator("main").inner_text()
    assert f"The needs below come from the assessment completed on {uk(today)}." in main
    # Nothing keyed twice: the goals, the two unmet outcomes and their notes come from the assessment.
    assert page.get_by_label("The person's goals, in their own words").input_value() == WHAT_MATTERS
    assert page.locator("main h3").all_inner_texts() == [
        "Managing and maintaining nutrition",
        "Maintaining personal hygiene",
    ]
    assert page.locator("#need-nutrition").inner_text().count("Assessed: unable to achieve (a)") == 1
    assert "Assessed: unable to achieve (a, c)" in page.locator("#need-hygiene").inner_text()
    nutrition = "Describe how the need for managing and maintaining nutrition will be met"
    hygiene = "Describe how the need for maintaining personal hygiene will be met"
    assert page.get_by_label(nutrition).input_value() == NUTRITION_NOTES
    assert page.get_by_label(hygiene).input_value() == HYGIENE_NOTES
    # 2 unmet outcomes (10 points each) and 3 limbs (5 each) = 35 points: the £95 band.
    assert "Indicative weekly amount from the resource allocation table: £95.00" in main
    journey.screenshot("care-journey-plan-form")

    choose(
        journey,
        "How will the need for managing and maintaining nutrition be met?",
        "A commissioned or paid-for service",
    )
    choose(
        journey,
        "How will the need for maintaining personal hygiene be met?",
        "A commissioned or paid-for service",
    )
    page.get_by_label(nutrition).fill("Home care at lunchtime and teatime to prepare a hot meal.")
    page.get_by_label(hygiene).fill("Home care in the morning to help him shower safely.")
    page.get_by_label("Who will meet the need for maintaining personal hygiene (optional)").fill(
        "Bluebell Home Care"
    )
    page.get_by_label("When the need for maintaining personal hygiene is met (optional)").fill(
        "Every morning, 7.30 to 8.15"
    )
    page.get_by_label("What happens if the usual support cannot be given (optional)").fill(
        "If a call is missed, Susan rings the agency's out-of-hours line."
    )
    page.get_by_label("Agreed weekly amount (£)").fill("245.00")
    select(journey, "Delivery mechanism (optional)", "CASSR commissioned support")
    journey.submit("Save plan", status=200)

    plan = Plan.objects.get(person=person)
    assert plan.assessment == assessment
    assert journey.path == f"/plans/{plan.pk}"
    assert heading(journey) == "Care and support plan, version 1"
    assert "Plan saved as a draft" in banner(journey)
    assert page.locator("main .govuk-tag").first.inner_text().strip() == "Draft"
    facts = summary(journey)
    assert facts["Goals"] == WHAT_MATTERS
    assert facts["Indicative weekly budget"] == "£95.00" and facts["Agreed weekly budget"] == "£245.00"
    needs_table, who_table = table_rows(journey)[:2], table_rows(journey)[2:]
    assert who_table == [
        [
            "Not recorded",
            "Managing and maintaining nutrition: Home care at lunchtime and teatime to prepare a hot meal.",
            "Not recorded",
            "Formal (paid for)",
        ],
        [
            "Bluebell Home Care",
            "Maintaining personal hygiene: Home care in the morning to help him shower safely.",
            "Every morning, 7.30 to 8.15",
            "Formal (paid for)",
        ],
    ]
    assert "If a call is missed, Susan rings" in page.locator("main").inner_text()
    assert needs_table == [
        [
            "Managing and maintaining nutrition",
            "A commissioned or paid-for service",
            "Home care at lunchtime and teatime to prepare a hot meal.",
        ],
        [
            "Maintaining personal hygiene",
            "A commissioned or paid-for service",
            "Home care in the morning to help him shower safely.",
        ],
    ]

    journey.submit("Agree the plan", status=200)
    assert "Plan sent to a team manager to sign off" in banner(journey)
    assert page.locator("main .govuk-tag").first.inner_text().strip() == "Waiting for sign-off"
    assert page.get_by_role("button", name="Agree the plan").count() == 0
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AWAITING_SIGN_OFF
    return plan


def sign_off_the_plan(journey, person, plan, staff) -> None:
    page = journey.page
    journey.click_link("My teams")
    journey.click_link("Plans waiting for sign-off")
    assert journey.path == "/plans/sign-off"
    [row] = table_rows(journey)
    assert row[:4] == [
        f"Arthur Pennington ({person.la_person_id})",
        "Version 1",
        "£245.00",
        staff.social_worker.display_name,
    ]
    journey.click_link("Arthur Pennington")
    assert journey.path == f"/plans/{plan.pk}"
    choose(journey, "Sign off this plan", "Agree and sign off the plan")
    journey.submit("Save decision", status=200)
    assert "Plan signed off and agreed" in banner(journey)
    assert page.locator("main .govuk-tag").first.inner_text().strip() == "Agreed"
    facts = summary(journey)
    assert facts["Signed off by"] == staff.team_manager.display_name
    assert facts["Agreed on"] == uk(timezone.localdate())
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED


def start_home_care(journey, person, plan, location, today) -> Service:
    page = journey.page
    journey.goto(f"/plans/{plan.pk}")
    journey.click_link("Start a service from this plan")
    assert journey.path == f"/services/people/{person.pk}/new?plan={plan.pk}"
    assert heading(journey) == "Start a service"
    assert "From the agreed plan (version 1)" in page.locator(".govuk-inset-text").inner_text()
    description = page.get_by_label("Description (optional)").input_value()
    assert description == (
        "Managing and maintaining nutrition: Home care at lunchtime and teatime to prepare a hot "
        "meal.\nMaintaining personal hygiene: Home care in the morning to help him shower safely."
    )
    assert page.get_by_label("Delivery mechanism (optional)").input_value() == "CASSR commissioned support"
    starts = page.get_by_role("group", name="Date the service starts")
    assert [starts.get_by_label(part).input_value() for part in ("Day", "Month", "Year")] == [
        str(today.day),
        str(today.month),
        str(today.year),
    ]

    select(journey, "Service type", "Long term support: Community")
    select(journey, "Service component (optional)", "Home support or domiciliary care")
    select(
        journey,
        "Provider location (optional)",
        f"Northtown branch – Riverside Home Care Ltd ({location.cqc_location_id})",
    )
    page.get_by_label("Unit cost (£)").fill("24.50")
    select(journey, "Cost frequency (unit type)", "Hourly")
    journey.submit("Start service", status=400)  # hourly, but how many hours?
    assert journey.error_links() == [
        (
            "#planned_units_per_week",
            "Enter the planned units per week: a cost charged hourly needs them to work out the weekly cost",
        )
    ]
    assert page.get_by_label("Service type").input_value() == "Long term support: Community"  # nothing lost
    page.get_by_label("Planned units per week").fill("10")
    journey.submit("Start service", status=200)

    service = Service.objects.get(person=person)
    assert journey.path == f"/services/{service.pk}"
    assert heading(journey) == "Long term support: Community"
    assert "Service started" in banner(journey)
    facts = summary(journey)
    assert facts["Weekly cost now"] == "£245.00"  # 10 hours at £24.50
    assert facts["Provider location"] == (
        f"Northtown branch – Riverside Home Care Ltd (CQC {location.cqc_location_id})"
    )
    assert facts["Service component"] == "Home support or domiciliary care"
    assert facts["Started"] == uk(today) and facts["Plan"] == "Version 1"
    assert table_rows(journey)[0][:5] == [uk(today), "£24.50", "Hourly", "10.00", "£245.00"]
    journey.screenshot("care-journey-service")
    return service


def complete_the_first_review(journey, person, service, staff, today) -> None:
    page = journey.page
    first_due = today + dt.timedelta(weeks=settings.OPENASC_FIRST_REVIEW_WEEKS)
    next_due = today + dt.timedelta(weeks=settings.OPENASC_REVIEW_INTERVAL_WEEKS)

    journey.click_link("Back")
    assert journey.path == f"/plans/people/{person.pk}"
    assert heading(journey) == "Plans, services and reviews"
    tables = page.locator("main table")
    services, reviews = tables.nth(1), tables.nth(2)
    assert "Long term support: Community" in services.inner_text()
    # Scheduled automatically when the long-term service started.
    assert [
        [c.strip() for c in r.locator("th, td").all_inner_texts()] for r in reviews.locator("tbody tr").all()
    ] == [["Planned", uk(first_due), "Scheduled", "–"]]

    journey.click_link("Planned", exact=True)
    review = Review.objects.get(person=person)
    assert journey.path == f"/plans/reviews/{review.pk}"
    assert heading(journey) == "Complete the review"
    facts = summary(journey)
    assert facts["Due"] == uk(first_due) and facts["Reviewer"] == staff.social_worker.display_name
    assert facts["Plan"] == "Version 1"
    fill_date(journey, "Date the review was completed", today)
    select(journey, "How was the review carried out?", "Face to face")
    select(journey, "Were the person's outcomes achieved?", "Fully achieved")
    choose(journey, "What followed the review?", "No change")
    page.get_by_label("Notes (optional)").fill("Eating well again; showering with help every morning.")
    journey.submit("Complete the review", status=200)

    assert journey.path == f"/plans/people/{person.pk}"
    assert "Review completed. The next review has been scheduled" in banner(journey)
    reviews = page.locator("main table").nth(2)
    assert [
        [c.strip() for c in r.locator("th, td").all_inner_texts()] for r in reviews.locator("tbody tr").all()
    ] == [
        ["Planned", uk(next_due), "Scheduled", "–"],
        ["Planned", uk(first_due), "Completed", "Continuation of support or services"],
    ]
    review.refresh_from_db()
    assert (review.status, review.what_followed) == (ReviewStatus.COMPLETED, "no_change")

    journey.click_link("Planned", exact=True)  # the newest first: the next review
    assert heading(journey) == "Complete the review"
    assert summary(journey)["Due"] == uk(next_due)

    journey.click_link("My caseload")
    [row] = table_rows(journey)
    assert row[0].startswith("PENNINGTON, Arthur")
    assert row[2:] == [f"{next_due:%-d %b %Y}", "–", "–", "Yes"]  # next review, no open work, services now
    journey.screenshot("care-journey-caseload")
    journey.click_link("Overdue reviews")
    assert "No overdue reviews." in page.locator("main").inner_text()


def the_timeline_tells_the_story(journey, person, staff) -> None:
    journey.goto(f"/people/{person.pk}")
    items = journey.page.locator(".app-timeline__item")
    titles = [t.strip() for t in items.locator("h3").all_inner_texts()]
    assert list(reversed(titles)) == [
        "Request for support received",
        "Request triaged: Assessment of needs",
        "Needs assessment started",
        "Needs assessment completed: eligible",
        "Needs assessment signed off",
        "Care and support plan created",
        "Plan version 1 sent for sign-off",
        "Plan version 1 agreed",
        "Service started: Long term support: Community",
        "Review scheduled (Planned)",
        "Review completed",
        "Review scheduled (Planned)",
    ]
    who = [t.strip() for t in items.locator(".app-timeline__date").all_inner_texts()]
    front_door, worker, manager = (
        staff.front_door.display_name,
        staff.social_worker.display_name,
        staff.team_manager.display_name,
    )
    assert [w.rsplit(" by ", 1)[1] for w in reversed(who)] == [
        front_door,
        front_door,
        worker,
        worker,
        manager,
        worker,
        worker,
        manager,
        worker,
        worker,
        worker,
        worker,
    ]
    story = journey.page.locator(".app-timeline").inner_text()
    assert "Progress to assessment, review or reassessment. Passed to Locality team north" in story
    assert "Personal budget £245.00 a week" in story
    assert "No change (Continuation of support or services)" in story
    journey.screenshot("care-journey-timeline")


def cancel_an_assessment_started_in_error(journey, person) -> None:
    """A reassessment started by mistake is cancelled with a reason: kept, read-only, on the timeline."""
    page = journey.page
    journey.goto(f"/people/{person.pk}")
    journey.click_link("start an assessment")
    select(journey, "How is the assessment being carried out?", "Face to face")
    journey.submit("Start assessment", status=200)
    mistake = Assessment.objects.filter(person=person).latest("pk")
    assert journey.path == f"/assessments/{mistake.pk}"
    journey.submit("Cancel this assessment")  # a GOV.UK button that is a link
    assert journey.path == f"/assessments/{mistake.pk}/cancel"
    assert heading(journey) == "Cancel this assessment"
    journey.submit("Cancel this assessment", status=400)  # no reason given
    assert journey.error_links() == [("#reason", "Enter why the assessment is being cancelled")]
    page.get_by_label("Why is this assessment being cancelled?").fill("Started in error: no change in needs")
    journey.submit("Cancel this assessment", status=200)
    assert journey.path == f"/assessments/{mistake.pk}"
    assert "Assessment cancelled" in banner(journey)
    assert summary(journey)["Why it was cancelled"] == "Started in error: no change in needs"
    assert page.get_by_role("button", name="Cancel this assessment").count() == 0
    mistake.refresh_from_db()
    assert mistake.status == AssessmentStatus.CANCELLED
    journey.goto(f"/people/{person.pk}")
    story = page.locator(".app-timeline").inner_text()
    assert "Needs assessment cancelled" in story and "Started in error: no change in needs" in story
