"""Raising a concern, the decision on the three section 42(1) criteria, and an enquiry carried to its closure: both
sides of every rule, every field's error at once, nothing written when refused, and the relationships that give the
safeguarding team and the enquiry officer access beginning and ending with the work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from openasc.capacity.tests.factories import CapacityAssessmentFactory
from openasc.core import access
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditEvent, RelationshipKind, Role
from openasc.core.tests.factories import UserFactory, opened
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding import calendar, services
from openasc.safeguarding.codes import (
    ConcernDecision,
    Consent,
    LackedCapacity,
    LocationOfRisk,
    MspAchieved,
    MspAsked,
    RiskAssessmentOutcome,
    RiskOutcome,
    SourceOfRisk,
    TypeOfRisk,
)
from openasc.safeguarding.models import Concern, ConcernStatus, Enquiry, EnquiryStatus, LocalSourceType
from openasc.safeguarding.tests.factories import safeguarding_team

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def hub(teams):
    return safeguarding_team()


@pytest.fixture
def lead(hub, staff):
    staff.safeguarding_lead.teams.set([hub])
    return staff.safeguarding_lead


@pytest.fixture
def adult(db):
    return PersonFactory(first_name="Ivy", last_name="Pennant", date_of_birth=dt.date(1936, 2, 9))


def raise_(user, person, **over):
    fields = {
        "received_on": YESTERDAY,
        "referrer_kind": "family",
        "referrer_name": "Jo Neighbour",
        "what_happened": "Neighbour reports bruising and that her grandson takes her pension",
        "consent": Consent.GIVEN,
        "harm_person_known": "yes",
    }
    fields.update(over)
    return services.concern_raise(record=opened(user, person), **fields)


def decide_s42(lead, concern, **over):
    fields = {
        "care_and_support_needs": True,
        "abuse_or_neglect": True,
        "unable_to_protect": True,
        "decision": "s42",
    }
    fields.update(over)
    return services.concern_decide(record=opened(lead, concern.person), concern=concern, **fields)


def _team_rel_active(concern) -> bool:
    concern.team_relationship.refresh_from_db()
    return concern.team_relationship.ends_at is None


class TestWorkingDays:
    def test_friday_plus_two_is_tuesday(self):
        assert calendar.add_working_days(dt.date(2026, 11, 27), 2) == dt.date(2026, 12, 1)

    def test_bank_holiday_skipped(self):
        # Thursday 24 Dec 2026: Friday 25th and Monday 28th are bank holidays
        assert calendar.add_working_days(dt.date(2026, 12, 24), 2) == dt.date(2026, 12, 30)

    def test_midweek(self):
        assert calendar.add_working_days(dt.date(2026, 12, 2), 2) == dt.date(2026, 12, 4)


class TestRaise:
    def test_lands_in_the_hub_with_a_timer_and_access(self, staff, hub, lead, adult):
        concern = raise_(staff.front_door, adult)
        assert concern.status == ConcernStatus.AWAITING_DECISION
        assert concern.team == hub
        assert concern.decision_due_on == calendar.add_working_days(YESTERDAY, 2)
        assert concern.team_relationship.kind == RelationshipKind.SAFEGUARDING_ENQUIRY
        assert access.explain(lead, adult).allowed  # no break-glass needed
        assert AuditEvent.objects.filter(object_type="safeguarding.concern", action="create").count() == 1

    def test_nhs_partner_may_raise(self, staff, hub, adult):
        concern = raise_(
            staff.nhs_partner, adult, referrer_kind="health", referrer_organisation="City Hospital"
        )
        assert concern.raised_by == staff.nhs_partner

    def test_analyst_may_not(self, staff, hub, adult):
        with pytest.raises(AccessDenied):
            raise_(staff.performance_analyst, adult)
        assert not Concern.objects.exists()

    def test_every_error_at_once_and_nothing_written(self, staff, hub, adult):
        with pytest.raises(ValidationFailed) as exc:
            raise_(
                staff.front_door,
                adult,
                received_on=TODAY + dt.timedelta(days=1),
                referrer_kind="provider",
                referrer_name="",
                what_happened="  ",
                consent=Consent.OVERRIDDEN,
                harm_person_known="maybe",
            )
        assert set(exc.value.errors) == {
            "received_on",
            "referrer_name",
            "referrer_organisation",
            "what_happened",
            "consent_override_reason",
            "harm_person_known",
        }
        assert not Concern.objects.exists()

    def test_override_with_reason(self, staff, hub, adult):
        c = raise_(
            staff.front_door, adult, consent=Consent.OVERRIDDEN, consent_override_reason="Risk to others"
        )
        assert c.consent_override_reason == "Risk to others"

    @override_settings(OPENASC_SAFEGUARDING_TEAM="no-such-team")
    def test_no_hub_says_so(self, staff, hub, adult):
        with pytest.raises(ValidationFailed) as exc:
            raise_(staff.front_door, adult)
        assert "OPENASC_SAFEGUARDING_TEAM" in exc.value.errors["team"]


class TestDecision:
    def test_all_three_met_must_be_s42(self, staff, lead, adult):
        concern = raise_(staff.front_door, adult)
        with pytest.raises(ValidationFailed) as exc:
            decide_s42(lead, concern, decision="other", other_reason="x")
        assert "must make a section 42 enquiry" in exc.value.errors["decision"]

    def test_one_not_met_cannot_be_s42(self, staff, lead, adult):
        concern = raise_(staff.front_door, adult)
        with pytest.raises(ValidationFailed) as exc:
            decide_s42(lead, concern, unable_to_protect=False)
        assert "needs all three" in exc.value.errors["decision"]

    def test_each_criterion_must_be_answered(self, staff, lead, adult):
        concern = raise_(staff.front_door, adult)
        with pytest.raises(ValidationFailed) as exc:
            decide_s42(lead, concern, care_and_support_needs=None, abuse_or_neglect="yes")
        assert {"care_and_support_needs", "abuse_or_neglect"} <= set(exc.value.errors)

    def test_s42_starts_an_enquiry_in_planning(self, staff, lead, adult):
        concern = decide_s42(lead, raise_(staff.front_door, adult))
        enquiry = Enquiry.objects.get(concern=concern)
        assert (concern.status, enquiry.kind, enquiry.status) == (ConcernStatus.ENQUIRY, "s42", "planning")
        assert _team_rel_active(concern)

    def test_other_enquiry_needs_a_reason(self, staff, lead, adult):
        concern = raise_(staff.front_door, adult)
        with pytest.raises(ValidationFailed) as exc:
            decide_s42(lead, concern, unable_to_protect=False, decision="other")
        assert "other_reason" in exc.value.errors
        decide_s42(lead, concern, unable_to_protect=False, decision="other", other_reason="Proportionate")
        assert Enquiry.objects.get(concern=concern).kind == "other"

    def test_no_enquiry_ends_the_teams_access(self, staff, lead, adult):
        concern = decide_s42(
            lead,
            raise_(staff.front_door, adult),
            abuse_or_neglect=False,
            decision=ConcernDecision.NO_ENQUIRY,
            no_enquiry_outcome="information_and_advice",
            decision_reason="No abuse found",
        )
        assert concern.status == ConcernStatus.NO_ENQUIRY
        assert not _team_rel_active(concern)
        assert not Enquiry.objects.exists()

    def test_a_social_worker_cannot_decide(self, staff, lead, adult):
        concern = raise_(staff.front_door, adult)
        with pytest.raises(AccessDenied):
            decide_s42(staff.social_worker, concern)
        concern.refresh_from_db()
        assert concern.status == ConcernStatus.AWAITING_DECISION

    def test_decided_before_received_refused(self, staff, lead, adult):
        concern = raise_(staff.front_door, adult)
        with pytest.raises(ValidationFailed) as exc:
            decide_s42(lead, concern, decided_on=YESTERDAY - dt.timedelta(days=1))
        assert "decided_on" in exc.value.errors
        decide_s42(lead, concern, decided_on=YESTERDAY)  # the day it was received is allowed


class TestEnquiry:
    @pytest.fixture
    def enquiry(self, staff, lead, adult):
        concern = decide_s42(lead, raise_(staff.front_door, adult))
        return Enquiry.objects.get(concern=concern)

    def test_cannot_start_without_an_officer(self, lead, enquiry):
        with pytest.raises(ValidationFailed) as exc:
            services.enquiry_start(record=opened(lead, enquiry.person), enquiry=enquiry)
        assert "Allocate an enquiry officer" in exc.value.errors["enquiry"]

    def test_officer_relationship_comes_and_goes(self, staff, lead, enquiry, adult):
        officer = staff.social_worker
        assert not access.explain(officer, adult).allowed
        services.enquiry_allocate(record=opened(lead, adult), enquiry=enquiry, officer=officer)
        decision = access.explain(officer, adult)
        assert decision.allowed and decision.basis == "Open safeguarding enquiry"
        other = UserFactory(username="sw2", role=Role.SOCIAL_WORKER)
        services.enquiry_allocate(record=opened(lead, adult), enquiry=enquiry, officer=other)
        assert not access.explain(officer, adult).allowed

    def test_nhs_partner_cannot_be_officer(self, staff, lead, enquiry):
        with pytest.raises(ValidationFailed):
            services.enquiry_allocate(
                record=opened(lead, enquiry.person), enquiry=enquiry, officer=staff.nhs_partner
            )

    def test_full_journey(self, staff, lead, enquiry, adult):
        officer = staff.social_worker
        services.enquiry_allocate(record=opened(lead, adult), enquiry=enquiry, officer=officer)
        rec = opened(officer, adult)
        services.meeting_record(
            record=rec,
            enquiry=enquiry,
            kind="discussion",
            held_on=TODAY,
            attendees="Sade Guardia (hub), PC Ray (police)",
            agencies=["police", "health"],
            decisions="Section 42 enquiry; bank to be contacted",
        )
        services.enquiry_start(record=rec, enquiry=enquiry)
        with pytest.raises(ValidationFailed) as exc:
            services.enquiry_conclude(
                record=rec,
                enquiry=enquiry,
                concluded_on=TODAY,
                risk_assessment_outcome=RiskAssessmentOutcome.IDENTIFIED_ACTION,
                lacked_capacity=LackedCapacity.NO,
                msp_asked=MspAsked.EXPRESSED,
                msp_desired_outcomes="Keep seeing her grandson",
            )
        assert {"enquiry", "risk_outcome", "msp_achieved"} <= set(exc.value.errors)
        local = LocalSourceType.objects.create(name="Relative, family or carer", national=SourceOfRisk.KNOWN)
        services.allegation_add(
            record=rec,
            enquiry=enquiry,
            type_of_risk=TypeOfRisk.FINANCIAL,
            location_of_risk=LocationOfRisk.OWN_HOME,
            local_source=local,
            source_description="Grandson",
        )
        services.protection_plan_set(
            record=rec,
            enquiry=enquiry,
            agreed_on=TODAY,
            summary="Bank alerted; daily calls",
            review_due_on=TODAY + dt.timedelta(days=28),
            actions=[{"action": "Call the bank", "owner": "Enquiry officer", "due_on": TODAY}],
        )
        services.enquiry_conclude(
            record=rec,
            enquiry=enquiry,
            concluded_on=TODAY,
            risk_assessment_outcome=RiskAssessmentOutcome.IDENTIFIED_ACTION,
            risk_outcome=RiskOutcome.REDUCED,
            lacked_capacity=LackedCapacity.NO,
            msp_asked=MspAsked.EXPRESSED,
            msp_desired_outcomes="Keep seeing her grandson",
            msp_achieved=MspAchieved.FULLY,
        )
        enquiry.refresh_from_db()
        assert enquiry.status == EnquiryStatus.CONCLUDED
        assert enquiry.allegations.get().source_of_risk == SourceOfRisk.KNOWN
        services.enquiry_close(record=rec, enquiry=enquiry)
        enquiry.refresh_from_db()
        assert enquiry.status == EnquiryStatus.CLOSED
        assert enquiry.protection_plan.ended_on == TODAY
        assert not access.explain(officer, adult).allowed
        assert not _team_rel_active(enquiry.concern)

    def test_lacked_capacity_needs_the_assessment(self, staff, lead, enquiry, adult):
        officer = staff.social_worker
        services.enquiry_allocate(record=opened(lead, adult), enquiry=enquiry, officer=officer)
        rec = opened(officer, adult)
        services.enquiry_start(record=rec, enquiry=enquiry)
        services.allegation_add(
            record=rec,
            enquiry=enquiry,
            type_of_risk="Neglect and Acts of Omission",
            location_of_risk="Own Home",
            source_of_risk="Service Provider",
        )
        fields = {
            "record": rec,
            "enquiry": enquiry,
            "concluded_on": TODAY,
            "risk_assessment_outcome": RiskAssessmentOutcome.NONE_NO_ACTION,
            "lacked_capacity": LackedCapacity.YES,
            "msp_asked": MspAsked.NO,
        }
        with pytest.raises(ValidationFailed) as exc:
            services.enquiry_conclude(**fields)
        assert {"capacity_assessment", "supported_by_advocate"} == set(exc.value.errors)
        has_capacity = CapacityAssessmentFactory(person=adult, outcome="has_capacity")
        with pytest.raises(ValidationFailed) as exc:
            services.enquiry_conclude(**fields, capacity_assessment=has_capacity, supported_by_advocate=True)
        assert "found the adult has capacity" in exc.value.errors["capacity_assessment"]
        lacks = CapacityAssessmentFactory(person=adult, outcome="lacks_capacity")
        services.enquiry_conclude(**fields, capacity_assessment=lacks, supported_by_advocate=True)
        enquiry.refresh_from_db()
        assert enquiry.capacity_assessment == lacks and enquiry.supported_by_advocate is True
        assert enquiry.risk_outcome == ""

    def test_the_alleged_person_is_not_the_adult(self, staff, lead, enquiry, adult):
        with pytest.raises(ValidationFailed) as exc:
            services.allegation_add(
                record=opened(lead, adult),
                enquiry=enquiry,
                type_of_risk="Physical Abuse",
                location_of_risk="Own Home",
                source_of_risk="Other - Known to individual",
                source_person=adult,
            )
        assert "source_person" in exc.value.errors

    def test_allegation_audited_only_against_the_adult(self, staff, lead, enquiry, adult):
        grandson = PersonFactory(first_name="Kyle", last_name="Pennant")
        services.allegation_add(
            record=opened(lead, adult),
            enquiry=enquiry,
            type_of_risk="Physical Abuse",
            location_of_risk="Own Home",
            source_of_risk="Other - Known to individual",
            source_person=grandson,
        )
        assert not AuditEvent.objects.filter(person_id=grandson.pk).exists()


class TestProtectionPlanReview:
    @pytest.fixture
    def plan(self, staff, lead, adult):
        concern = decide_s42(lead, raise_(staff.front_door, adult))
        enquiry = Enquiry.objects.get(concern=concern)
        return services.protection_plan_set(
            record=opened(lead, adult),
            enquiry=enquiry,
            agreed_on=TODAY,
            summary="Daily calls",
            review_due_on=TODAY + dt.timedelta(days=28),
        )

    def test_a_next_date_keeps_the_plan_going(self, lead, plan, adult):
        nxt = TODAY + dt.timedelta(days=56)
        services.protection_plan_review(
            record=opened(lead, adult),
            plan=plan,
            reviewed_on=TODAY,
            summary="Calls working",
            next_review_on=nxt,
        )
        plan.refresh_from_db()
        assert (plan.review_due_on, plan.ended_on) == (nxt, None)

    def test_no_next_date_ends_the_plan(self, lead, plan, adult):
        services.protection_plan_review(
            record=opened(lead, adult), plan=plan, reviewed_on=TODAY, summary="Safe now", next_review_on=None
        )
        plan.refresh_from_db()
        assert plan.ended_on == TODAY
        ended = AuditEvent.objects.filter(object_type="safeguarding.protectionplan", action="update").get()
        assert ended.details["ended_on"] == TODAY.isoformat()
        with pytest.raises(ValidationFailed) as exc:
            services.protection_plan_review(
                record=opened(lead, adult), plan=plan, reviewed_on=TODAY, summary="Again", next_review_on=None
            )
        assert "has ended" in exc.value.errors["summary"]

    def test_next_review_on_the_same_day_refused(self, lead, plan, adult):
        with pytest.raises(ValidationFailed) as exc:
            services.protection_plan_review(
                record=opened(lead, adult), plan=plan, reviewed_on=TODAY, summary="x", next_review_on=TODAY
            )
        assert "next_review_on" in exc.value.errors
