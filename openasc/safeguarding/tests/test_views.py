"""The safeguarding pages: each one for the people who do the work, refused (403, audited against the adult) to
someone who may open the record but not the safeguarding detail; every form saves on success and, with errors, shows
them on the fields (400) and saves nothing. The alleged person is never named from their own record."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from openasc.capacity.tests.factories import CapacityAssessmentFactory
from openasc.core.models import AuditAction, AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding import calendar
from openasc.safeguarding.codes import (
    Consent,
    EnquiryKind,
    LackedCapacity,
    MspAchieved,
    MspAsked,
    RiskAssessmentOutcome,
    RiskOutcome,
)
from openasc.safeguarding.models import (
    AgencyInformation,
    Allegation,
    Concern,
    ConcernStatus,
    Enquiry,
    EnquiryStatus,
    ProtectionPlan,
    ProtectionPlanReview,
    StrategyMeeting,
)
from openasc.safeguarding.tests.factories import (
    AllegationFactory,
    ConcernFactory,
    EnquiryFactory,
    ProtectionPlanFactory,
)

TODAY = timezone.localdate()
TOMORROW = timezone.now() + dt.timedelta(days=1)


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _label(response, text: str) -> bool:
    """Whether the page has a form label (a radio's or checkbox's) that reads exactly `text`."""
    return re.search(rf"<label[^>]*>\s*{re.escape(text)}\s*</label>", _text(response)) is not None


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def adult(db):
    return PersonFactory(first_name="Ivy", last_name="Pennant")


@pytest.fixture
def lead(client, staff, teams):
    staff.safeguarding_lead.teams.add(teams.safeguarding)
    return staff.safeguarding_lead


@pytest.fixture
def make_concern(adult, staff, teams):
    """A concern the front door raised, waiting for a decision, with the hub's relationship with the adult."""

    def make(**kwargs):
        rel = CareRelationshipFactory(
            person=adult, user=None, team=teams.safeguarding, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
        )
        return ConcernFactory(
            person=adult, raised_by=staff.front_door, team=teams.safeguarding, team_relationship=rel, **kwargs
        )

    return make


@pytest.fixture
def concern(make_concern):
    return make_concern()


@pytest.fixture
def make_enquiry(make_concern, adult, staff):
    """A section 42 enquiry from a decided concern; `officer` allocates one (with their own relationship)."""

    def make(*, officer=None, **kwargs):
        if officer is not None:
            kwargs["officer"] = officer
            kwargs["officer_relationship"] = CareRelationshipFactory(
                person=adult, user=officer, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
            )
        return EnquiryFactory(
            concern=make_concern(decided=True), created_by=staff.safeguarding_lead, **kwargs
        )

    return make


@pytest.fixture
def officer(staff):
    return staff.social_worker


@pytest.fixture
def enquiry(request, make_enquiry, staff):
    """In planning; allocated to the social worker when the test asks for `officer` too."""
    return make_enquiry(officer=staff.social_worker if "officer" in request.fixturenames else None)


@pytest.fixture
def broker(staff, adult):
    """May open the adult's record (a grant) but not see the safeguarding detail."""
    CareRelationshipFactory(person=adult, user=staff.broker, kind=RelationshipKind.GRANT, ends_at=TOMORROW)
    return staff.broker


def _refused(client, user, url, adult, method="get", data=None):
    client.force_login(user)
    before = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, person_id=adult.pk).count()
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 403
    after = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, person_id=adult.pk).count()
    assert after == before + 1
    page = _text(response)
    assert "bruising" not in page and "grandson" not in page.lower()
    return page


# --- raise --------------------------------------------------------------------------------------------------------


def raise_form(**overrides) -> dict:
    data = {
        **_date("received_on", TODAY),
        "referrer_kind": "family",
        "referrer_name": "Jo Brook (neighbour)",
        "referrer_contact": "07700 900123",
        "what_happened": "Neighbour reports bruising on her arms and that her grandson takes her pension.",
        "adult_views": "Does not want her grandson in trouble",
        "consent": "given",
        "immediate_actions": "",
        "harm_person_known": "yes",
    }
    data.update(overrides)
    return data


def test_the_front_door_sees_the_raise_form_named_for_the_person(client, staff, adult, teams):
    client.force_login(staff.front_door)
    response = client.get(f"/safeguarding/people/{adult.pk}/concerns/new")
    page = _text(response)
    assert response.status_code == 200
    assert "Raise a safeguarding concern about Ivy Pennant" in page
    assert "data-autosave" in page and f'value="{TODAY.day}"' in page


def test_raising_a_concern_puts_it_in_the_hubs_queue_with_its_due_date(client, staff, adult, teams):
    client.force_login(staff.front_door)
    response = client.post(f"/safeguarding/people/{adult.pk}/concerns/new", raise_form(), follow=True)
    c = Concern.objects.get()
    assert response.redirect_chain[-1][0] == f"/safeguarding/concerns/{c.pk}"
    due = calendar.add_working_days(TODAY, calendar.decision_days())
    assert c.decision_due_on == due and c.team == teams.safeguarding and c.raised_by == staff.front_door
    page = _text(response)
    assert f"in the Safeguarding adults hub's queue: a decision is due by {due:%-d %B %Y}" in page
    assert "Jo Brook (neighbour)" in page and "Does not want her grandson in trouble" in page


def test_raising_with_errors_shows_each_on_its_field_and_saves_nothing(client, staff, adult, teams):
    client.force_login(staff.front_door)
    response = client.post(
        f"/safeguarding/people/{adult.pk}/concerns/new",
        raise_form(what_happened="", consent="overridden", referrer_name="", **{"received_on-month": "13"}),
    )
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page
    assert 'href="#what_happened"' in page and "Describe what was seen or reported" in page
    assert "Explain why the adult's refusal was overridden" in page
    assert "Enter the name of the person who raised the concern" in page
    assert "The date the concern was received must be a real date" in page
    assert not Concern.objects.exists()


@pytest.mark.django_db
def test_with_no_hub_team_the_page_says_whom_to_ask_and_saves_nothing(client, staff, adult, settings):
    settings.OPENASC_SAFEGUARDING_TEAM = "no-such-team"
    client.force_login(staff.front_door)
    page = client.get(f"/safeguarding/people/{adult.pk}/concerns/new")
    assert "decide within 2 working days" in _text(page)
    response = client.post(f"/safeguarding/people/{adult.pk}/concerns/new", raise_form())
    assert response.status_code == 400
    assert "There is no open safeguarding team with the code 'no-such-team'" in _text(response)
    assert not Concern.objects.exists()


def test_a_role_that_cannot_open_the_record_is_refused_the_raise_form(client, staff, adult):
    client.force_login(staff.performance_analyst)
    response = client.get(f"/safeguarding/people/{adult.pk}/concerns/new")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).exists()


# --- the concern --------------------------------------------------------------------------------------------------


def test_the_lead_sees_the_concern_its_timer_and_what_they_can_do(client, lead, concern, adult):
    client.force_login(lead)
    response = client.get(f"/safeguarding/concerns/{concern.pk}")
    page = _text(response)
    assert response.status_code == 200
    assert "Safeguarding concern about Ivy Pennant" in page and "bruising on her arms" in page
    assert f"Decision due by <strong>{concern.decision_due_on:%-d %B %Y}</strong>" in page
    assert f"/safeguarding/concerns/{concern.pk}/decide" in page
    assert f"/safeguarding/concerns/{concern.pk}/agency-information/new" in page
    assert f"/safeguarding/concerns/{concern.pk}/cancel" in page
    view = AuditEvent.objects.filter(action=AuditAction.VIEW, actor=lead, person_id=adult.pk).get()
    assert view.object_type == "safeguarding.concern"


def test_an_overdue_concern_is_tagged_overdue_and_one_in_time_is_not(client, lead, make_concern):
    late = make_concern(
        received_on=TODAY - dt.timedelta(days=14), decision_due_on=TODAY - dt.timedelta(days=7)
    )
    in_time = make_concern(received_on=TODAY, decision_due_on=TODAY + dt.timedelta(days=7))
    client.force_login(lead)
    assert "Overdue by" not in _text(client.get(f"/safeguarding/concerns/{in_time.pk}"))
    concern = late
    client.force_login(lead)
    page = _text(client.get(f"/safeguarding/concerns/{concern.pk}"))
    assert "Overdue by" in page and "govuk-tag--red" in page


def test_whoever_raised_it_sees_it_but_cannot_decide(client, staff, concern):
    client.force_login(staff.front_door)
    page = _text(client.get(f"/safeguarding/concerns/{concern.pk}"))
    assert "bruising on her arms" in page
    assert "/decide" not in page and f"/safeguarding/concerns/{concern.pk}/cancel" in page


def test_the_concern_is_refused_to_someone_without_the_detail(client, broker, concern, adult):
    page = _refused(client, broker, f"/safeguarding/concerns/{concern.pk}", adult)
    assert "safeguarding team" in page


# --- decide -------------------------------------------------------------------------------------------------------


def decide_form(**overrides) -> dict:
    data = {
        "care_and_support_needs": "yes",
        "abuse_or_neglect": "yes",
        "unable_to_protect": "yes",
        "decision": "s42",
    }
    data.update(overrides)
    return data


def test_the_decision_page_asks_the_three_criteria_one_by_one(client, lead, concern):
    client.force_login(lead)
    response = client.get(f"/safeguarding/concerns/{concern.pk}/decide")
    page = _text(response)
    assert response.status_code == 200
    assert "1. Does Ivy have needs for care and support?" in page
    assert "2. Is Ivy experiencing, or at risk of, abuse or neglect?" in page
    assert "3. As a result of those needs, is Ivy unable to protect themselves" in page


def test_deciding_a_section_42_enquiry_starts_it(client, lead, concern):
    client.force_login(lead)
    response = client.post(f"/safeguarding/concerns/{concern.pk}/decide", decide_form())
    e = Enquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/safeguarding/enquiries/{e.pk}"
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ENQUIRY and concern.criteria_met and concern.decided_by == lead
    assert e.kind == EnquiryKind.SECTION_42 and e.status == EnquiryStatus.PLANNING


def test_deciding_no_enquiry_keeps_the_outcome_and_reason(client, lead, concern):
    client.force_login(lead)
    response = client.post(
        f"/safeguarding/concerns/{concern.pk}/decide",
        decide_form(
            abuse_or_neglect="no",
            decision="none",
            no_enquiry_outcome="information_and_advice",
            decision_reason="Advice on banking given",
        ),
    )
    concern.refresh_from_db()
    assert (
        concern.status == ConcernStatus.NO_ENQUIRY and concern.no_enquiry_outcome == "information_and_advice"
    )
    assert not Enquiry.objects.exists()
    # The hub's relationship ended with "no enquiry": the lead lands on their worktray, not on a refusal
    assert concern.team_relationship.ends_at is not None
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Decision recorded: no enquiry" in _text(client.get("/"))


def test_all_three_met_refuses_anything_but_a_section_42_on_the_decision(client, lead, concern):
    client.force_login(lead)
    response = client.post(
        f"/safeguarding/concerns/{concern.pk}/decide", decide_form(decision="other", other_reason="Because")
    )
    assert response.status_code == 400
    page = _text(response)
    assert 'href="#decision"' in page and "the council must make a section 42 enquiry" in page
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.AWAITING_DECISION and not Enquiry.objects.exists()


def test_unanswered_criteria_are_each_named(client, lead, concern):
    client.force_login(lead)
    response = client.post(f"/safeguarding/concerns/{concern.pk}/decide", {"decision": "s42"})
    assert response.status_code == 400
    page = _text(response)
    assert "Answer whether the adult has needs for care and support" in page
    assert 'href="#abuse_or_neglect"' in page and 'href="#unable_to_protect"' in page
    assert not Enquiry.objects.exists()


def test_the_front_door_cannot_decide(client, staff, concern, adult):
    client.force_login(staff.front_door)
    response = client.get(f"/safeguarding/concerns/{concern.pk}/decide")
    assert response.status_code == 403


def test_the_decision_page_is_refused_to_someone_who_cannot_see_the_detail(client, broker, concern, adult):
    _refused(client, broker, f"/safeguarding/concerns/{concern.pk}/decide", adult)


def test_a_team_manager_with_no_relationship_with_the_adult_is_refused_and_audited(
    client, staff, concern, adult
):
    _refused(client, staff.team_manager, f"/safeguarding/concerns/{concern.pk}/decide", adult)


def test_agency_information_is_refused_without_the_detail(client, broker, concern, adult):
    _refused(client, broker, f"/safeguarding/concerns/{concern.pk}/agency-information/new", adult)


# --- agency information and cancel --------------------------------------------------------------------------------


def test_agency_information_is_added_and_listed(client, lead, concern):
    client.force_login(lead)
    response = client.post(
        f"/safeguarding/concerns/{concern.pk}/agency-information/new",
        {
            "agency": "police",
            "agency_name": "Northshire Police",
            "information": "Two call-outs to the address this year",
            "sharing_basis": "crime",
            **_date("received_on", TODAY),
        },
        follow=True,
    )
    row = AgencyInformation.objects.get()
    assert row.concern == concern and row.recorded_by == lead
    page = _text(response)
    assert "Police: Northshire Police" in page and "Two call-outs to the address this year" in page
    assert "Prevention or detection of crime" in page


def test_agency_information_with_errors_saves_nothing(client, lead, concern):
    client.force_login(lead)
    response = client.post(
        f"/safeguarding/concerns/{concern.pk}/agency-information/new",
        {"agency": "", "information": "", **_date("received_on", TODAY - dt.timedelta(days=30))},
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Select the agency that shared the information" in page
    assert "Enter what the agency shared" in page
    assert "Select the basis on which the information was shared" in page
    assert "must be on or after the date the concern was received" in page
    assert not AgencyInformation.objects.exists()


def test_the_raiser_cancels_a_concern_recorded_in_error(client, staff, concern):
    client.force_login(staff.front_door)
    assert client.get(f"/safeguarding/concerns/{concern.pk}/cancel").status_code == 200
    response = client.post(f"/safeguarding/concerns/{concern.pk}/cancel", {"reason": "Wrong Ivy Pennant"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CANCELLED and concern.cancel_reason == "Wrong Ivy Pennant"


def test_cancelling_without_a_reason_is_refused_on_the_field(client, staff, concern):
    client.force_login(staff.front_door)
    response = client.post(f"/safeguarding/concerns/{concern.pk}/cancel", {"reason": "  "})
    assert response.status_code == 400
    assert "Explain why the concern was recorded in error" in _text(response)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.AWAITING_DECISION


def test_cancel_is_refused_without_the_detail(client, broker, concern, adult):
    _refused(client, broker, f"/safeguarding/concerns/{concern.pk}/cancel", adult)


# --- the enquiry --------------------------------------------------------------------------------------------------


def test_the_enquiry_page_shows_the_adults_record_and_never_links_the_alleged_person(
    client, lead, enquiry, officer, adult
):
    grandson = PersonFactory(first_name="Dean", last_name="Pennant")
    AllegationFactory(enquiry=enquiry, source_person=grandson, source_description="Her grandson")
    ProtectionPlanFactory(enquiry=enquiry, review_due_on=TODAY + dt.timedelta(days=10))
    client.force_login(lead)
    response = client.get(f"/safeguarding/enquiries/{enquiry.pk}")
    page = _text(response)
    assert response.status_code == 200
    assert "Section 42 enquiry: Ivy Pennant" in page
    assert "Financial or Material Abuse" in page and "Her grandson" in page
    assert "Dean" not in page and f"/people/{grandson.pk}" not in page
    assert "Daily calls from the home care provider" in page
    assert f"/safeguarding/enquiries/{enquiry.pk}/plan/review" in page
    assert not AuditEvent.objects.filter(person_id=grandson.pk).exists()


def test_the_enquiry_is_refused_without_the_detail(client, broker, enquiry, adult):
    _refused(client, broker, f"/safeguarding/enquiries/{enquiry.pk}", adult)


@pytest.mark.parametrize(
    "path",
    ["officer", "meetings/new", "allegations/new", "plan", "plan/review", "conclude", "close"],
)
def test_every_enquiry_form_is_refused_without_the_detail(client, broker, enquiry, adult, path):
    ProtectionPlanFactory(enquiry=enquiry)
    _refused(client, broker, f"/safeguarding/enquiries/{enquiry.pk}/{path}", adult)


def test_start_is_refused_without_the_detail(client, broker, enquiry, adult):
    _refused(client, broker, f"/safeguarding/enquiries/{enquiry.pk}/start", adult, method="post")
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.PLANNING


# --- allocate and start -------------------------------------------------------------------------------------------


def test_the_lead_allocates_the_officer(client, lead, enquiry, staff):
    client.force_login(lead)
    page = _text(client.get(f"/safeguarding/enquiries/{enquiry.pk}/officer"))
    assert f'value="{staff.social_worker.pk}"' in page
    response = client.post(
        f"/safeguarding/enquiries/{enquiry.pk}/officer", {"officer": staff.social_worker.pk}
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.officer == staff.social_worker and enquiry.officer_relationship.user == staff.social_worker


def test_allocating_nobody_is_refused_on_the_field(client, lead, enquiry):
    client.force_login(lead)
    response = client.post(f"/safeguarding/enquiries/{enquiry.pk}/officer", {"officer": ""})
    assert response.status_code == 400
    assert 'href="#officer"' in _text(response) and "Select the enquiry officer" in _text(response)
    enquiry.refresh_from_db()
    assert enquiry.officer is None


def test_the_officer_cannot_allocate(client, officer, enquiry):
    client.force_login(officer)
    assert client.get(f"/safeguarding/enquiries/{enquiry.pk}/officer").status_code == 403


def test_the_officer_starts_the_enquiry(client, officer, enquiry):
    client.force_login(officer)
    page = _text(client.get(f"/safeguarding/enquiries/{enquiry.pk}"))
    assert f'action="/safeguarding/enquiries/{enquiry.pk}/start"' in page
    response = client.post(f"/safeguarding/enquiries/{enquiry.pk}/start")
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.IN_PROGRESS


def test_starting_without_an_officer_says_so_and_changes_nothing(client, lead, enquiry):
    client.force_login(lead)
    page = _text(client.get(f"/safeguarding/enquiries/{enquiry.pk}"))
    assert "Allocate an enquiry officer before the enquiry starts" in page
    response = client.post(f"/safeguarding/enquiries/{enquiry.pk}/start", follow=True)
    assert "Allocate an enquiry officer before the enquiry starts" in _text(response)
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.PLANNING


def test_start_is_a_button_not_a_page(client, officer, enquiry):
    client.force_login(officer)
    assert client.get(f"/safeguarding/enquiries/{enquiry.pk}/start").status_code == 405


# --- meetings -----------------------------------------------------------------------------------------------------


def test_the_officer_records_a_strategy_meeting_with_its_agencies(client, officer, enquiry):
    client.force_login(officer)
    assert client.get(f"/safeguarding/enquiries/{enquiry.pk}/meetings/new").status_code == 200
    response = client.post(
        f"/safeguarding/enquiries/{enquiry.pk}/meetings/new",
        {
            "kind": "meeting",
            **_date("held_on", TODAY),
            "attendees": "Sam Worthing, social worker\nPC Hale, police",
            "agencies": ["police", "health"],
            "decisions": "Section 42 enquiry to proceed; police to investigate the pension",
            "actions": "",
        },
        follow=True,
    )
    m = StrategyMeeting.objects.get()
    assert m.agency_list == ["police", "health"] and m.recorded_by == officer
    page = _text(response)
    assert "Police, Health" in page and "PC Hale, police" in page


def test_a_meeting_with_errors_saves_nothing(client, officer, enquiry):
    client.force_login(officer)
    response = client.post(
        f"/safeguarding/enquiries/{enquiry.pk}/meetings/new",
        {"kind": "", "attendees": "", "decisions": "", "agencies": ["martians"], **_date("held_on", TODAY)},
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Select a strategy discussion, a strategy meeting or a case conference" in page
    assert "Enter who attended, and their roles" in page and "Enter what was decided" in page
    assert "Select the agencies from the list" in page
    assert not StrategyMeeting.objects.exists()


# --- allegations --------------------------------------------------------------------------------------------------


def test_the_officer_adds_an_allegation_line(client, officer, enquiry):
    client.force_login(officer)
    form = client.get(f"/safeguarding/enquiries/{enquiry.pk}/allegations/new")
    assert _label(form, "Other - Known to individual") and not _label(form, "Known")
    client.post(
        f"/safeguarding/enquiries/{enquiry.pk}/allegations/new",
        {
            "type_of_risk": "Financial or Material Abuse",
            "location_of_risk": "Own Home",
            "source_of_risk": "Other - Known to individual",
            "source_description": "Grandson",
        },
    )
    a = Allegation.objects.get()
    assert (a.type_of_risk, a.location_of_risk, a.source_of_risk) == (
        "Financial or Material Abuse",
        "Own Home",
        "Other - Known to individual",
    )
    assert a.source_person is None


def test_a_local_source_of_risk_gives_the_national_one_and_a_mismatch_is_named(client, officer, enquiry):
    from openasc.safeguarding.models import LocalSourceType

    local = LocalSourceType.objects.get(name="Social care provider: private sector")
    client.force_login(officer)
    url = f"/safeguarding/enquiries/{enquiry.pk}/allegations/new"
    base = {"type_of_risk": "Neglect and Acts of Omission", "location_of_risk": "Care Home - Residential"}
    response = client.post(
        url, {**base, "local_source": local.pk, "source_of_risk": "Other - Known to individual"}
    )
    assert response.status_code == 400
    assert "is counted as 'Service Provider'" in _text(response) and not Allegation.objects.exists()
    response = client.post(url, {**base, "local_source": local.pk}, follow=True)
    a = Allegation.objects.get()
    assert (a.local_source, a.source_of_risk) == (local, "Service Provider")
    assert "Service Provider (Social care provider: private sector)" in _text(response)


def test_an_allegation_line_with_errors_saves_nothing(client, officer, enquiry):
    client.force_login(officer)
    response = client.post(f"/safeguarding/enquiries/{enquiry.pk}/allegations/new", {"type_of_risk": "Bad"})
    assert response.status_code == 400
    page = _text(response)
    assert "Select the type of risk" in page and "Select the location of risk" in page
    assert "Select the source of risk" in page
    assert not Allegation.objects.exists()


def test_an_allegation_line_is_removed_with_a_reason(client, officer, enquiry):
    a = AllegationFactory(enquiry=enquiry)
    client.force_login(officer)
    url = f"/safeguarding/enquiries/{enquiry.pk}/allegations/{a.pk}/remove"
    assert "Financial or Material Abuse" in _text(client.get(url))
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "Explain why the allegation line is removed" in _text(response)
    assert Allegation.objects.filter(pk=a.pk).exists()
    assert client.post(url, {"reason": "Recorded twice"}).status_code == 302
    assert not Allegation.objects.filter(pk=a.pk).exists()


def test_another_enquirys_allegation_cannot_be_removed_through_this_one(client, officer, enquiry):
    other = AllegationFactory()
    client.force_login(officer)
    url = f"/safeguarding/enquiries/{enquiry.pk}/allegations/{other.pk}/remove"
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Trying"}).status_code == 404
    assert Allegation.objects.filter(pk=other.pk).exists()


def test_removing_an_allegation_is_refused_without_the_detail(client, broker, enquiry, adult):
    a = AllegationFactory(enquiry=enquiry)
    _refused(client, broker, f"/safeguarding/enquiries/{enquiry.pk}/allegations/{a.pk}/remove", adult)
    assert Allegation.objects.filter(pk=a.pk).exists()


# --- the protection plan ------------------------------------------------------------------------------------------


def test_the_officer_agrees_a_protection_plan_with_actions(client, officer, enquiry):
    client.force_login(officer)
    assert client.get(f"/safeguarding/enquiries/{enquiry.pk}/plan").status_code == 200
    response = client.post(
        f"/safeguarding/enquiries/{enquiry.pk}/plan",
        {
            **_date("agreed_on", TODAY),
            "summary": "Bank to stop third-party withdrawals",
            **_date("review_due_on", TODAY + dt.timedelta(days=28)),
            "actions-0-action": "Call the bank",
            "actions-0-owner": "Sam Worthing",
            **_date("actions-0-due_on", TODAY + dt.timedelta(days=2)),
        },
        follow=True,
    )
    plan = ProtectionPlan.objects.get()
    assert plan.summary == "Bank to stop third-party withdrawals"
    assert [(a.action, a.owner) for a in plan.actions.all()] == [("Call the bank", "Sam Worthing")]
    assert "Call the bank" in _text(response)


def test_a_plan_with_errors_names_the_action_and_saves_nothing(client, officer, enquiry):
    client.force_login(officer)
    response = client.post(
        f"/safeguarding/enquiries/{enquiry.pk}/plan",
        {
            **_date("agreed_on", TODAY),
            "summary": "",
            **_date("review_due_on", TODAY),
            "actions-1-action": "Call the bank",
            "actions-1-owner": "",
        },
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Describe what will keep the adult safe" in page
    assert "The review must be after the date the plan was agreed" in page
    assert 'href="#actions-1-owner"' in page and "Enter who will do action 2" in page
    assert not ProtectionPlan.objects.exists()


def test_a_review_with_no_next_date_ends_the_plan(client, officer, enquiry):
    plan = ProtectionPlanFactory(enquiry=enquiry)
    client.force_login(officer)
    url = f"/safeguarding/enquiries/{enquiry.pk}/plan/review"
    assert client.get(url).status_code == 200
    response = client.post(url, {**_date("reviewed_on", TODAY), "summary": "Safe now; bank has acted"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.ended_on == TODAY and ProtectionPlanReview.objects.get().plan == plan


def test_a_review_with_errors_saves_nothing(client, officer, enquiry):
    plan = ProtectionPlanFactory(enquiry=enquiry)
    client.force_login(officer)
    response = client.post(
        f"/safeguarding/enquiries/{enquiry.pk}/plan/review",
        {**_date("reviewed_on", TODAY), "summary": "", **_date("next_review_on", TODAY)},
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Describe what the review found" in page
    assert "The next review must be after this one" in page
    plan.refresh_from_db()
    assert plan.ended_on is None and not ProtectionPlanReview.objects.exists()


def test_reviewing_with_no_plan_sends_back_to_the_enquiry(client, officer, enquiry):
    client.force_login(officer)
    response = client.get(f"/safeguarding/enquiries/{enquiry.pk}/plan/review")
    assert response.status_code == 302 and response["Location"] == f"/safeguarding/enquiries/{enquiry.pk}"


# --- conclude and close -------------------------------------------------------------------------------------------


def conclude_form(**overrides) -> dict:
    data = {
        **_date("concluded_on", TODAY),
        "risk_assessment_outcome": RiskAssessmentOutcome.IDENTIFIED_ACTION,
        "risk_outcome": RiskOutcome.REDUCED,
        "lacked_capacity": LackedCapacity.NO,
        "msp_asked": MspAsked.EXPRESSED,
        "msp_desired_outcomes": "To feel safe at home",
        "msp_achieved": MspAchieved.PARTIALLY,
    }
    data.update(overrides)
    return data


@pytest.fixture
def in_progress(make_enquiry, officer):
    return make_enquiry(officer=officer, in_progress=True)


def test_the_officer_concludes_with_msp_outcomes(client, officer, in_progress, adult):
    AllegationFactory(enquiry=in_progress)
    client.force_login(officer)
    form = client.get(f"/safeguarding/enquiries/{in_progress.pk}/conclude")
    assert form.status_code == 200
    # the national lists are shown in their own words, not as the names of the code constants
    assert _label(form, "Risk identified and action taken") and _label(form, "Partially Achieved")
    assert not _label(form, "Identified Action")
    response = client.post(f"/safeguarding/enquiries/{in_progress.pk}/conclude", conclude_form(), follow=True)
    in_progress.refresh_from_db()
    assert in_progress.status == EnquiryStatus.CONCLUDED and in_progress.msp_achieved == MspAchieved.PARTIALLY
    page = _text(response)
    assert "Enquiry concluded" in page and "To feel safe at home" in page and "Partially Achieved" in page


def test_concluding_with_capacity_links_the_assessment(client, officer, in_progress, adult):
    AllegationFactory(enquiry=in_progress)
    c = CapacityAssessmentFactory(person=adult, lacks=True)
    client.force_login(officer)
    page = _text(client.get(f"/safeguarding/enquiries/{in_progress.pk}/conclude"))
    assert f'value="{c.pk}"' in page
    response = client.post(
        f"/safeguarding/enquiries/{in_progress.pk}/conclude",
        conclude_form(
            lacked_capacity=LackedCapacity.YES, capacity_assessment=str(c.pk), supported_by_advocate="yes"
        ),
        follow=True,
    )
    in_progress.refresh_from_db()
    assert in_progress.capacity_assessment == c and in_progress.supported_by_advocate is True
    assert f"/capacity/assessments/{c.pk}" in _text(response)


def test_a_section_42_cannot_conclude_without_an_allegation(client, officer, in_progress):
    client.force_login(officer)
    response = client.post(
        f"/safeguarding/enquiries/{in_progress.pk}/conclude",
        conclude_form(msp_desired_outcomes="", lacked_capacity=LackedCapacity.YES),
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Record at least one allegation" in page
    assert "Enter the outcomes the adult wanted, in their words" in page
    assert 'href="#capacity_assessment"' in page and 'href="#supported_by_advocate"' in page
    in_progress.refresh_from_db()
    assert in_progress.status == EnquiryStatus.IN_PROGRESS and in_progress.concluded_on is None


def test_concluding_before_the_enquiry_starts_sends_back(client, officer, enquiry):
    client.force_login(officer)
    response = client.get(f"/safeguarding/enquiries/{enquiry.pk}/conclude")
    assert response.status_code == 302


def test_the_officer_closes_a_concluded_enquiry_and_access_ends(client, officer, make_enquiry):
    enquiry = make_enquiry(officer=officer, concluded=True, concluded_on=TODAY)
    client.force_login(officer)
    assert client.get(f"/safeguarding/enquiries/{enquiry.pk}/close").status_code == 200
    response = client.post(
        f"/safeguarding/enquiries/{enquiry.pk}/close", {"note": "Safe; nothing more to do"}
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CLOSED and enquiry.closed_on == TODAY
    assert enquiry.officer_relationship.ends_at is not None


def test_closing_with_a_date_before_the_conclusion_saves_nothing(client, officer, make_enquiry):
    enquiry = make_enquiry(officer=officer, concluded=True, concluded_on=TODAY)
    client.force_login(officer)
    response = client.post(
        f"/safeguarding/enquiries/{enquiry.pk}/close", _date("closed_on", TODAY - dt.timedelta(days=3))
    )
    assert response.status_code == 400
    assert "must be on or after the date it concluded" in _text(response)
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CONCLUDED


def test_consent_overridden_is_shown_with_its_reason(client, lead, make_concern):
    concern = make_concern(
        consent=Consent.OVERRIDDEN, consent_override_reason="Risk to her life from the grandson"
    )
    client.force_login(lead)
    page = _text(client.get(f"/safeguarding/concerns/{concern.pk}"))
    assert "Why consent was overridden" in page and "Risk to her life" in page


def test_a_decided_concern_sends_the_decision_page_back_to_the_concern(client, lead, make_concern):
    decided = make_concern(no_enquiry=True)
    client.force_login(lead)
    response = client.get(f"/safeguarding/concerns/{decided.pk}/decide", follow=True)
    assert response.redirect_chain[-1][0] == f"/safeguarding/concerns/{decided.pk}"
    page = _text(response)
    assert "no longer waiting for a decision: No enquiry" in page
    assert "Information and advice" in page and "No abuse or neglect found; advice given" in page
    assert f"/safeguarding/concerns/{decided.pk}/decide" not in page
