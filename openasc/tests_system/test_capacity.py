"""A worker records a mental capacity assessment (refused first when empty, then when the outcome does not follow from
the answers) and the best-interests decision it leads to, and finds both on the person's section and timeline. Every
page is checked with axe and for reflow at 320 CSS px (the `journey` fixture)."""

import pytest
from django.utils import timezone

from openasc.capacity.models import BestInterestsDecision, CapacityAssessment
from openasc.core.models import RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory

pytestmark = pytest.mark.system


def _yes_no(page, legend: str, answer: str) -> None:
    page.get_by_role("group", name=legend).get_by_label(answer, exact=True).check()


def _today(page, prefix: str) -> None:
    today = timezone.localdate()
    page.locator(f"#{prefix}-day").fill(str(today.day))
    page.locator(f"#{prefix}-month").fill(str(today.month))
    page.locator(f"#{prefix}-year").fill(str(today.year))


def test_a_worker_records_a_capacity_assessment_and_a_best_interests_decision(journey, staff):
    person = PersonFactory(first_name="Edith", last_name="Marlow")
    CareRelationshipFactory(person=person, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    page = journey.page

    journey.sign_in("social_worker", start=f"/people/{person.pk}")
    journey.click_link("Mental capacity, best interests, advocacy and consent")
    assert journey.path == f"/capacity/people/{person.pk}"
    assert "must be assumed to have capacity" in page.locator("main").inner_text()
    journey.click_link("Record a mental capacity assessment")
    assert journey.path == f"/capacity/people/{person.pk}/assessments/new"
    assert "must be assumed to have capacity" in page.locator("main").inner_text()

    # What is typed is kept as a draft (a timeout loses nothing): the page comes back filled in.
    page.get_by_label("What is the decision?").fill("Where to live")
    page.locator(".app-draft-status", has_text="Draft saved at").wait_for()
    journey.goto(f"/capacity/people/{person.pk}/assessments/new")
    assert page.get_by_label("What is the decision?").input_value() == "Where to live"
    assert "We have filled in what you typed" in page.locator(".govuk-inset-text").first.inner_text()
    assert page.locator(".govuk-error-summary").count() == 0
    page.get_by_label("What is the decision?").fill("")
    page.get_by_label("Who assessed").fill("")
    journey.submit("Save", status=400)
    links = [href for href, _ in journey.error_links()]
    assert links[:4] == ["#decision", "#assessed_on-day", "#assessor", "#location"]
    assert {"#impairment", "#understand", "#understand_evidence", "#outcome"} <= set(links)

    page.get_by_label("What is the decision?").fill("Where to live on discharge from hospital")
    _today(page, "assessed_on")
    page.get_by_label("Who assessed").fill("Sam Worthing, social worker")
    page.get_by_label("Where the assessment took place").fill("Ward 7, Northshire General Hospital")
    page.get_by_label("Who else was present (optional)").fill("Ann Marlow (daughter)")
    page.get_by_label("What practicable steps were taken").fill(
        "The quiet room, her hearing aid in, Ann there"
    )
    _yes_no(
        page, "Is there an impairment of, or a disturbance in the functioning of, the mind or brain?", "No"
    )
    for name, answer in (
        ("understand", "Yes"),
        ("retain", "Yes"),
        ("use_weigh", "No"),
        ("communicate", "Yes"),
    ):
        page.locator(f"#{name}{'' if answer == 'Yes' else '-2'}").check()
        page.locator(f"#{name}_evidence").fill(f"What she said and did about {name.replace('_', ' or ')}")
    page.get_by_role("group", name="What is the outcome of the assessment?").get_by_label(
        "Lacks capacity for this decision"
    ).check()
    journey.submit("Save", status=400)
    messages = " ".join(journey.error_messages())
    assert "stage 1 is answered no" in messages
    assert {href for href, _ in journey.error_links()} == {"#impairment", "#outcome"}

    _yes_no(
        page, "Is there an impairment of, or a disturbance in the functioning of, the mind or brain?", "Yes"
    )
    page.get_by_label("What is the impairment or disturbance").fill("Vascular dementia (memory clinic, 2024)")
    _yes_no(
        page,
        "Is the person's inability to make the decision because of the impairment or disturbance?",
        "Yes",
    )
    page.get_by_label("Evidence for the causative nexus").fill(
        "Her difficulty weighing follows from the dementia"
    )
    journey.submit("Save", status=200)
    c = CapacityAssessment.objects.get()
    assert journey.path == f"/capacity/assessments/{c.pk}" and c.lacks_capacity
    main = page.locator("main").inner_text()
    assert "Mental capacity assessment recorded" in main and "Lacks capacity for this decision" in main
    journey.screenshot("capacity-assessment")

    with page.expect_navigation():  # a GOV.UK button that is a link
        page.get_by_role("button", name="Record a best-interests decision").click()
    journey.check()
    assert journey.path == f"/capacity/assessments/{c.pk}/best-interests/new"
    journey.submit("Save", status=400)
    links = [href for href, _ in journey.error_links()]
    assert (
        links[:2] == ["#consulted", "#wishes"] and "#option_1_option" in links and "#decided_on-day" in links
    )

    page.get_by_label("Who was consulted?").fill("Ann Marlow, daughter and attorney (health and welfare)")
    page.get_by_label("The person's past and present wishes").fill(
        "Has always said she wants to stay at home"
    )
    page.get_by_label("Option 1", exact=True).fill("Home with four calls a day")
    page.get_by_label("Benefits of option 1").fill("Her own home and her cat")
    page.get_by_label("Risks of option 1").fill("Falls at night")
    page.get_by_label("Option 2", exact=True).fill("A residential care home")
    page.get_by_label("Benefits of option 2").fill("Help at night")
    page.get_by_label("Risks of option 2").fill("Distress, the loss of her home")
    page.get_by_label("The least restrictive option considered").fill("Home with four calls a day: chosen")
    page.get_by_label("The decision made in the person's best interests").fill(
        "Home with four calls a day and a falls sensor, reviewed in six weeks"
    )
    _today(page, "decided_on")
    journey.submit("Save", status=200)
    decision = BestInterestsDecision.objects.get()
    assert journey.path == f"/capacity/best-interests/{decision.pk}"
    main = page.locator("main").inner_text()
    assert "Best-interests decision recorded" in main and "Distress, the loss of her home" in main
    assert "Ann Marlow (daughter and attorney (health and welfare))" in main
    journey.screenshot("best-interests-decision")

    journey.click_link("Mental capacity and advocacy")
    tables = page.locator("main").inner_text()
    assert "Where to live on discharge from hospital" in tables and "Home with four calls a day" in tables
    journey.click_link("Back to the record")
    timeline = page.locator(".app-timeline").inner_text()
    assert "Mental capacity assessment: Where to live on discharge from hospital" in timeline
    assert "Best-interests decision" in timeline


def test_advocacy_with_the_duty_and_a_refusal_of_consent_shown_on_the_section(journey, staff):
    from openasc.capacity.tests.factories import PROVIDER, CapacityAssessmentFactory, provider

    provider()
    person = PersonFactory(first_name="Harold", last_name="Pike")
    CareRelationshipFactory(person=person, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    CapacityAssessmentFactory(person=person, lacks=True, decision="Moving to a care home")
    page = journey.page
    journey.sign_in("social_worker", start=f"/capacity/people/{person.pk}")

    journey.click_link("Consider independent advocacy")
    page.get_by_role("group", name="What is the person to be involved in?").get_by_label(
        "Care and support planning"
    ).check()
    _today(page, "considered_on")
    for name in ("difficulty_understand", "difficulty_retain", "difficulty_communicate"):
        page.locator(f"#{name}-2").check()  # no
    page.locator("#difficulty_use_weigh").check()  # yes
    page.get_by_label("Evidence of the difficulty").fill("Cannot weigh up the options without support")
    page.locator("#appropriate_individual-2").check()  # no appropriate individual
    page.locator("#referral_made-2").check()  # no referral
    journey.submit("Save", status=400)
    assert journey.error_links() == [
        (
            "#no_referral_reason",
            "The council must arrange an independent advocate (substantial difficulty and no appropriate "
            "individual): refer to an advocacy provider, or say why no referral was made",
        )
    ]
    page.locator("#referral_made").check()
    page.get_by_label("Advocacy provider").select_option(PROVIDER)
    _today(page, "referred_on")
    journey.submit("Save", status=200)
    assert "Duty to arrange an independent advocate (Care Act s.67)" in page.locator("main").inner_text()

    journey.click_link("Mental capacity and advocacy")
    journey.click_link("Refer to an IMCA")
    assert "Moving to a care home" in page.get_by_label("Which mental capacity assessment").inner_text()
    journey.click_link("Back")
    journey.click_link("Record consent to share")
    page.get_by_label("What information is shared?").fill("His care and support plan")
    page.get_by_label("Who is it shared with?").fill("Northshire Housing")
    page.get_by_role("group", name="On what basis?").get_by_label("Consent refused").check()
    _today(page, "recorded_on")
    journey.submit("Save", status=200)
    journey.click_link("Mental capacity and advocacy")
    warning = page.locator(".govuk-warning-text").inner_text()
    assert "Harold refused consent" in warning and "Northshire Housing" in warning
