"""Triage raises the concern, and the return opens the adult: a front-door officer triages an urgent request as a
safeguarding concern; the safeguarding lead finds it at the top of the hub's queue; once the section 42 enquiry has
been concluded (the pages for that are walked in test_safeguarding.py), the SAC cell that counts it opens the adult's
record; and the grandson alleged to take her pension, who has a record of his own, sees nothing of it there. Every
page is checked with axe and for reflow at 320 CSS px (the `journey` fixture)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from openasc.core.models import RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.frontdoor.tests.factories import SupportRequestFactory
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding import services
from openasc.safeguarding.models import Concern, ConcernStatus
from openasc.safeguarding.tests.factories import AllegationFactory

pytestmark = pytest.mark.system

TODAY = timezone.localdate()


def _conclude(concern, lead, officer, alleged):
    """The enquiry as the lead and officer record it on the pages (test_safeguarding.py walks them)."""
    services.concern_decide(
        record=opened(lead, concern.person),
        concern=concern,
        care_and_support_needs=True,
        abuse_or_neglect=True,
        unable_to_protect=True,
        decision="s42",
    )
    concern.refresh_from_db()
    enquiry = concern.enquiry
    services.enquiry_allocate(record=opened(lead, concern.person), enquiry=enquiry, officer=officer)
    record = opened(officer, concern.person)
    services.enquiry_start(record=record, enquiry=enquiry)
    AllegationFactory(enquiry=enquiry, source_person=alleged, source_description="Grandson")
    services.enquiry_conclude(
        record=record,
        enquiry=enquiry,
        concluded_on=TODAY,
        risk_assessment_outcome="Risk identified and action taken",
        risk_outcome="Risk reduced",
        lacked_capacity="No, they did not lack capacity",
        msp_asked="Yes they were asked and outcomes were expressed",
        msp_desired_outcomes="To feel safe and keep seeing her grandson",
        msp_achieved="Partially Achieved",
        conclusion="Bank alerted; her card cancelled",
    )
    return enquiry


def test_triage_raises_the_concern_and_the_sac_cell_opens_the_adult(new_journey, staff, teams):
    adult = PersonFactory(first_name="Ivy", last_name="Pennant")
    alleged = PersonFactory(first_name="Darren", last_name="Pennant-Cole")
    CareRelationshipFactory(person=alleged, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    staff.safeguarding_lead.teams.add(teams.safeguarding)
    request = SupportRequestFactory(
        person=adult,
        received_on=TODAY,
        urgency="urgent",
        contact_by="family",
        contact_name="Jo Neighbour",
        reason="Neighbour reports bruising and that her grandson takes her pension",
    )

    # The front door triages the request as a safeguarding concern: it is raised, not concluded silently
    front = new_journey()
    front.sign_in("front_door", start=f"/front-door/requests/{request.pk}/triage")
    front.page.get_by_role("group", name="What happens next?").get_by_label(
        "Safeguarding concern", exact=True
    ).check()
    front.submit("Save decision", status=200)
    concern = Concern.objects.get(request=request)
    assert concern.status == ConcernStatus.AWAITING_DECISION and concern.team == teams.safeguarding
    assert "safeguarding" in front.page.locator(".govuk-notification-banner").inner_text().lower()

    # The lead finds it in the hub's queue and opens it
    lead = new_journey()
    lead.sign_in("safeguarding_lead", start="/safeguarding/")
    queue = lead.page.locator("main").inner_text()
    assert "Ivy Pennant" in queue and "Due in" in queue
    lead.click_link("Ivy Pennant")
    assert lead.path == f"/safeguarding/concerns/{concern.pk}"

    enquiry = _conclude(concern, staff.safeguarding_lead, staff.social_worker, alleged)

    # The SAC for this reporting year: the cell counting the enquiry opens the adult's record
    year = TODAY.year if TODAY.month >= 4 else TODAY.year - 1
    lead.goto(f"/safeguarding/sac/?year={year}&refresh=1")
    assert lead.page.locator("#SG2a").is_visible()
    lead.goto(
        f"/safeguarding/sac/SG2a/?year={year}&row=Financial%20or%20Material%20Abuse"
        "&column=Other%20-%20Known%20to%20individual"
    )
    cell = lead.page.locator("main").inner_text()
    assert "Ivy Pennant" in cell and f"section 42 enquiry concluded {TODAY.day} {TODAY:%B %Y}" in cell
    lead.click_link(adult.la_person_id)
    assert lead.path == f"/people/{adult.pk}"
    assert "Safeguarding concern received" in lead.page.locator("main").inner_text()

    # The grandson's own record, opened by his own worker, shows nothing of the enquiry
    worker = new_journey()
    worker.sign_in("social_worker", start=f"/people/{alleged.pk}")
    text = worker.page.locator("main").inner_text()
    assert "Darren Pennant-Cole" in text and "No safeguarding concern you can see" in text
    assert "Ivy" not in text and "enquiry" not in text.lower()
    assert worker.page.locator(f"a[href='/safeguarding/enquiries/{enquiry.pk}']").count() == 0


def test_the_leads_pages_read_at_320_pixels_with_a_chart_beside_its_table(journey, staff, teams):
    from openasc.safeguarding.tests.factories import ConcernFactory, EnquiryFactory, ProtectionPlanFactory

    staff.safeguarding_lead.teams.add(teams.safeguarding)
    for n in range(3):
        adult = PersonFactory(first_name=f"Adult{n}", last_name="Longsurname-Doublebarrelled")
        CareRelationshipFactory(
            person=adult, user=None, team=teams.safeguarding, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
        )
        concern = ConcernFactory(person=adult, team=teams.safeguarding, decided=True, received_on=TODAY)
        enquiry = EnquiryFactory(concern=concern, in_progress=True, officer=staff.social_worker)
        ProtectionPlanFactory(enquiry=enquiry, person=adult)
    journey.sign_in("safeguarding_lead", start="/safeguarding/dashboard/")
    main = journey.page.locator("main").inner_text()
    assert "The figures in the chart" in main and "Conversion rate" in main
    assert journey.page.locator("svg.app-chart__svg rect.app-chart__bar").count() >= 2
    journey.click_link("Enquiries by stage and officer")
    assert "Adult0 Longsurname-Doublebarrelled" in journey.page.locator("main").inner_text()
    journey.click_link("Overdue protection plan reviews")
    assert "2 days overdue" in journey.page.locator("main").inner_text()
