"""A safeguarding concern from the front door to a concluded section 42 enquiry: a front-door officer raises it (refused
first when empty), the safeguarding lead decides on the three s.42(1) criteria, records a strategy meeting and
allocates the enquiry officer, and the officer starts the enquiry, adds an allegation line and concludes it with
Making Safeguarding Personal. Every page is checked with axe and for reflow at 320 CSS px (the `journey` fixture)."""

import pytest
from django.utils import timezone

from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding.models import Concern, ConcernStatus, Enquiry, EnquiryStatus, StrategyMeeting

pytestmark = pytest.mark.system


def _choose(page, legend: str, answer: str) -> None:
    page.get_by_role("group", name=legend).get_by_label(answer, exact=True).check()


def _today(page, prefix: str) -> None:
    today = timezone.localdate()
    page.locator(f"#{prefix}-day").fill(str(today.day))
    page.locator(f"#{prefix}-month").fill(str(today.month))
    page.locator(f"#{prefix}-year").fill(str(today.year))


def test_a_concern_raised_at_the_front_door_becomes_a_concluded_section_42_enquiry(new_journey, staff, teams):
    person = PersonFactory(first_name="Ivy", last_name="Pennant")
    staff.safeguarding_lead.teams.add(teams.safeguarding)

    # The front door raises the concern from the person's record
    front = new_journey()
    page = front.page
    front.sign_in("front_door", start=f"/people/{person.pk}")
    front.click_link("Raise a safeguarding concern")
    assert front.path == f"/safeguarding/people/{person.pk}/concerns/new"
    assert "Raise a safeguarding concern about Ivy Pennant" in page.locator("h1").inner_text()
    page.get_by_label("What was seen or reported?").fill("")
    front.submit("Raise the concern", status=400)
    links = {href for href, _ in front.error_links()}
    assert {"#what_happened", "#referrer_kind", "#consent", "#harm_person_known"} <= links
    assert not Concern.objects.exists()

    page.get_by_label("What was seen or reported?").fill(
        "Neighbour reports bruising on her arms and that her grandson takes her pension"
    )
    _choose(page, "Who raised the concern?", "Family member, friend or neighbour")
    page.get_by_label("Their name").fill("Jo Brook")
    page.get_by_label("What are the adult's views and wishes? (optional)").fill(
        "Wants to be safe but does not want her grandson in trouble"
    )
    _choose(page, "Did the adult consent to the concern being shared?", "The adult consented")
    _choose(page, "Is the person causing harm known?", "Yes")
    front.submit("Raise the concern", status=200)
    concern = Concern.objects.get()
    assert front.path == f"/safeguarding/concerns/{concern.pk}"
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Safeguarding adults hub's queue" in banner
    assert f"{concern.decision_due_on:%-d %B %Y}" in banner
    front.screenshot("safeguarding-concern")

    # The safeguarding lead decides: all three criteria met, a section 42 enquiry
    lead = new_journey()
    page = lead.page
    lead.sign_in("safeguarding_lead", start=f"/safeguarding/concerns/{concern.pk}")
    assert "Decision due by" in page.locator("main").inner_text()
    lead.click_link("Decide what happens")
    _choose(page, "1. Does Ivy have needs for care and support?", "Yes")
    _choose(page, "2. Is Ivy experiencing, or at risk of, abuse or neglect?", "Yes")
    _choose(page, "What is the decision?", "Other safeguarding enquiry")
    page.get_by_label("Why is an other safeguarding enquiry necessary and proportionate?").fill("To check")
    lead.submit("Record the decision", status=400)
    assert [href for href, _ in lead.error_links()] == ["#unable_to_protect"]
    _choose(
        page,
        "3. As a result of those needs, is Ivy unable to protect themselves against the abuse or neglect or the "
        "risk of it?",
        "Yes",
    )
    lead.submit("Record the decision", status=400)
    assert [href for href, _ in lead.error_links()] == ["#decision"]
    assert "the council must make a section 42 enquiry" in " ".join(lead.error_messages())
    _choose(page, "What is the decision?", "Section 42 enquiry")
    page.get_by_label("Why is an other safeguarding enquiry necessary and proportionate?").fill("")
    lead.submit("Record the decision", status=200)
    enquiry = Enquiry.objects.get()
    assert lead.path == f"/safeguarding/enquiries/{enquiry.pk}"
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ENQUIRY and concern.criteria_met

    # A strategy meeting, then the officer
    lead.click_link("Record a strategy discussion, meeting or conference")
    _choose(page, "What kind of meeting was it?", "Strategy meeting")
    _today(page, "held_on")
    page.get_by_label("Who attended?").fill("Sam Worthing, social worker\nPC Hale, Northshire Police")
    page.get_by_label("Police", exact=True).check()
    page.get_by_label("What was decided?").fill(
        "Section 42 enquiry to proceed; police to look at the pension"
    )
    lead.submit("Save", status=200)
    assert StrategyMeeting.objects.get().agency_list == ["police"]
    assert "PC Hale, Northshire Police" in page.locator("main").inner_text()

    lead.click_link("Allocate an enquiry officer")
    page.get_by_label("Who is the enquiry officer?").select_option(str(staff.social_worker.pk))
    lead.submit("Allocate", status=200)
    enquiry.refresh_from_db()
    assert enquiry.officer == staff.social_worker
    lead.screenshot("safeguarding-enquiry-planning")

    # The officer starts the enquiry, adds the allegation and concludes with the adult's outcomes
    officer = new_journey()
    page = officer.page
    officer.sign_in("social_worker", start=f"/safeguarding/enquiries/{enquiry.pk}")
    officer.submit("Start the enquiry", status=200)
    assert "The enquiry has started" in page.locator(".govuk-notification-banner").inner_text()

    officer.click_link("Conclude the enquiry")
    _today(page, "concluded_on")
    _choose(page, "What was the outcome of the risk assessment?", "Risk identified and action taken")
    _choose(
        page,
        "Where a risk was identified, did it remain, reduce or was it removed?",
        "Risk reduced",
    )
    _choose(
        page,
        "Did the adult lack capacity to make decisions about the enquiry?",
        "No, they did not lack capacity",
    )
    _choose(
        page,
        "Was the adult, or their representative, asked what outcomes they wanted?",
        "Yes they were asked and outcomes were expressed",
    )
    page.get_by_label("What outcomes did they want?").fill(
        "To feel safe at home and keep seeing her grandson"
    )
    _choose(page, "Were those outcomes achieved?", "Partially Achieved")
    page.locator(".app-draft-status", has_text="Draft saved at").wait_for()
    officer.submit("Conclude the enquiry", status=400)
    assert "Record at least one allegation" in " ".join(officer.error_messages())
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.IN_PROGRESS

    officer.click_link("Back")
    officer.click_link("Add an allegation line")
    page.get_by_label("Type of risk").select_option("Financial or Material Abuse")
    page.get_by_label("Location of risk").select_option("Own Home")
    _choose(page, "Source of risk", "Other - Known to individual")
    page.get_by_label("Who or what is the source of risk? (optional)").fill("Her grandson")
    officer.submit("Save", status=200)
    assert "Her grandson" in page.locator("main").inner_text()

    # The conclusion form kept what was typed (a draft), so the officer only submits it
    officer.click_link("Conclude the enquiry")
    assert page.get_by_label("What outcomes did they want?").input_value().startswith("To feel safe")
    officer.submit("Conclude the enquiry", status=200)
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CONCLUDED and enquiry.msp_achieved == "Partially Achieved"
    main = page.locator("main").inner_text()
    assert "Enquiry concluded" in main and "To feel safe at home and keep seeing her grandson" in main
    officer.screenshot("safeguarding-enquiry-concluded")


def test_the_leads_other_pages_agency_information_plan_review_removal_cancel_and_close(journey, staff, teams):
    """The pages the first journey does not pass through, each checked with axe and at 320 px."""
    from openasc.core.models import RelationshipKind
    from openasc.core.tests.factories import CareRelationshipFactory
    from openasc.safeguarding.models import AgencyInformation, Allegation, ProtectionPlan
    from openasc.safeguarding.tests.factories import AllegationFactory, ConcernFactory, EnquiryFactory

    person = PersonFactory(first_name="Ivy", last_name="Pennant")
    staff.safeguarding_lead.teams.add(teams.safeguarding)
    CareRelationshipFactory(
        person=person, user=None, team=teams.safeguarding, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
    )
    waiting = ConcernFactory(person=person, raised_by=staff.front_door, team=teams.safeguarding)
    enquiry = EnquiryFactory(
        concern=ConcernFactory(
            person=person, raised_by=staff.front_door, team=teams.safeguarding, decided=True
        ),
        in_progress=True,
        officer=staff.safeguarding_lead,
    )
    allegation = AllegationFactory(enquiry=enquiry)
    AllegationFactory(enquiry=enquiry, type_of_risk="Neglect and Acts of Omission")
    concluded = EnquiryFactory(
        concern=ConcernFactory(
            person=person, raised_by=staff.front_door, team=teams.safeguarding, decided=True
        ),
        concluded=True,
        concluded_on=timezone.localdate(),
        officer=staff.safeguarding_lead,
    )
    page = journey.page
    journey.sign_in("safeguarding_lead", start=f"/safeguarding/concerns/{waiting.pk}")

    journey.click_link("Add information from another agency")
    journey.submit("Save", status=400)
    assert "Enter what the agency shared" in " ".join(journey.error_messages())
    _choose(page, "Which agency shared the information?", "Police")
    page.get_by_label("What did they share?").fill("Two call-outs to the address this year")
    _choose(page, "On what basis was it shared?", "Prevention or detection of crime")
    journey.submit("Save", status=200)
    assert AgencyInformation.objects.get().concern == waiting
    assert "Two call-outs to the address this year" in page.locator("main").inner_text()

    journey.click_link("Recorded in error")
    assert "Why was the concern recorded in error?" in page.locator("main").inner_text()

    journey.goto(f"/safeguarding/enquiries/{enquiry.pk}")
    journey.click_link("Agree a protection plan")
    _today(page, "agreed_on")
    page.get_by_label("What will keep the adult safe?").fill("Bank to stop third-party withdrawals")
    page.locator("#review_due_on-day").fill("1")
    page.locator("#review_due_on-month").fill("1")
    page.locator("#review_due_on-year").fill(str(timezone.localdate().year + 1))
    page.get_by_label("Action 1", exact=True).fill("Call the bank")
    journey.submit("Save", status=400)
    assert [href for href, _ in journey.error_links()] == ["#actions-0-owner"]
    page.get_by_label("Who will do action 1").fill("Sam Worthing")
    journey.submit("Save", status=200)
    assert ProtectionPlan.objects.get().actions.get().owner == "Sam Worthing"

    journey.click_link("Review the protection plan")
    page.get_by_label("What did the review find?").fill("Bank has acted; calls continue")
    journey.submit("Save", status=200)
    assert "Bank has acted; calls continue" in page.locator("main").inner_text()

    journey.click_link("Remove the financial or material abuse allegation")
    page.get_by_label("Why is this allegation line removed?").fill("Recorded twice")
    journey.submit("Remove the allegation line", status=200)
    assert not Allegation.objects.filter(pk=allegation.pk).exists()

    journey.goto(f"/safeguarding/enquiries/{concluded.pk}")
    journey.click_link("Close the enquiry")
    page.get_by_label("Closing note (optional)").fill("Safe at home; nothing more to do")
    journey.submit("Close the enquiry", status=200)
    concluded.refresh_from_db()
    assert concluded.closed_on == timezone.localdate()
    main = page.locator("main").inner_text()
    assert "Enquiry closed" in main and "Safe at home; nothing more to do" in main
