import datetime as dt

import pytest
from django.utils import timezone

from openasc.assessments import sections, services
from openasc.assessments.models import Assessment, AssessmentStatus, AssessmentStatusChange, OutcomeAssessment
from openasc.assessments.tests.factories import answer_all
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory, opened
from openasc.people.tests.factories import CarerLinkFactory, PersonFactory


@pytest.fixture
def person(staff, teams):
    person = PersonFactory(first_name="Ivy", last_name="Lane")
    CareRelationshipFactory(person=person, user=staff.social_worker)
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    return person


def start(actor, person, **kwargs):
    return services.assessment_start(record=opened(actor, person), **{"method": "Face to face", **kwargs})


def test_start_writes_status_row_and_audit(staff, person):
    a = start(staff.social_worker, person, assessment_type="Short term assessment")
    assert (a.status, a.assessment_type, a.assessor, a.started_on) == (
        AssessmentStatus.IN_PROGRESS,
        "Short term assessment",
        staff.social_worker,
        timezone.localdate(),
    )
    assert list(a.status_changes.values_list("status", "note")) == [("in_progress", "Started")]
    event = AuditEvent.objects.get(object_type="assessments.assessment", object_id=str(a.pk))
    assert (event.action, event.person_id, event.basis) == ("create", person.pk, "Allocated worker")


def test_start_checks_coded_values_and_dates(staff, person):
    with pytest.raises(ValidationFailed) as exc:
        start(
            staff.social_worker,
            person,
            assessment_type="Long-term",
            method="By post",
            started_on=dt.date.today() + dt.timedelta(days=1),
        )
    assert exc.value.errors == {
        "assessment_type": "Select whether this is a long term or short term assessment",
        "method": "Select how the assessment is being carried out",
        "started_on": "The start date must be today or in the past",
    }
    assert not Assessment.objects.exists()


def test_worker_without_relationship_cannot_start(staff, person):
    from openasc.core import access

    stranger = UserFactory(username="stranger", role="social_worker")
    with pytest.raises(
        AccessDenied
    ):  # the record cannot be opened, so there is nothing to start the assessment on
        access.open_record(stranger, person, "start assessment")
    assert not Assessment.objects.exists()
    assert AuditEvent.objects.filter(actor=stranger, action="access_refused", person_id=person.pk).exists()


def test_a_bare_person_is_refused(staff, person):
    with pytest.raises(TypeError, match="open_record"):
        services.assessment_start(record=person, method="Face to face")
    assert not Assessment.objects.exists()


def test_an_assessment_of_someone_else_is_refused_on_this_record(staff, person):
    other = PersonFactory()
    a = start(staff.social_worker, person)
    before = AuditEvent.objects.filter(action="update").count()
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_section_save(
            record=opened(staff.social_worker, other),
            assessment=a,
            section="about",
            data={"what_matters": "Somebody else's words"},
        )
    assert list(exc.value.errors) == ["assessment"]
    assert "another person's record" in exc.value.errors["assessment"]
    a.refresh_from_db()
    assert a.what_matters == "" and AuditEvent.objects.filter(action="update").count() == before


def test_role_that_does_not_assess_cannot_start(staff, person):
    with pytest.raises(PermissionError):
        start(staff.broker, person)


def test_from_a_request_of_the_same_person_only(staff, person):
    from openasc.core import audit
    from openasc.frontdoor.models import SupportRequest

    with audit.exempt_from_safety_net():
        other = SupportRequest.objects.create(
            person=PersonFactory(),
            received_on=dt.date.today(),
            contact_by="self",
            what_matters="x",
            created_by=staff.front_door,
        )
        own = SupportRequest.objects.create(
            person=person,
            received_on=dt.date.today(),
            contact_by="self",
            what_matters="x",
            created_by=staff.front_door,
        )
    with pytest.raises(ValidationFailed) as exc:
        start(staff.social_worker, person, request=other)
    assert exc.value.errors == {"request": "Choose a request for support made for this person"}
    assert start(staff.social_worker, person, request=own).request == own


def test_carers_assessment_requires_the_carer_link(staff, person):
    carer = PersonFactory(client_type="Unpaid carer")
    CareRelationshipFactory(person=carer, user=staff.social_worker)
    with pytest.raises(ValidationFailed) as exc:
        start(staff.social_worker, carer, kind="carer", cared_for=person)
    assert exc.value.errors == {
        "cared_for": "The carer is not linked to this person: link them on the cared-for "
        "person's record first"
    }
    with pytest.raises(ValidationFailed) as exc:
        start(staff.social_worker, carer, kind="carer")
    assert exc.value.errors == {"cared_for": "Select the person the carer looks after"}
    CarerLinkFactory(carer=carer, cared_for=person)
    a = start(staff.social_worker, carer, kind="carer", cared_for=person)
    assert (a.kind, a.person, a.cared_for) == ("carer", carer, person)


def test_ended_carer_link_does_not_count(staff, person):
    carer = PersonFactory(client_type="Unpaid carer")
    CareRelationshipFactory(person=carer, user=staff.social_worker)
    CarerLinkFactory(carer=carer, cared_for=person, ended_on=dt.date.today())
    with pytest.raises(ValidationFailed):
        start(staff.social_worker, carer, kind="carer", cared_for=person)


def test_section_saved_later_is_work_in_progress_then_completed(staff, person):
    a = start(staff.social_worker, person)
    services.assessment_section_save(
        record=opened(staff.social_worker, a.person),
        assessment=a,
        section="about",
        data={"what_matters": "Gardening", "strengths": ""},
        complete=False,
    )
    a.refresh_from_db()
    assert a.section_drafts == {"about": {"what_matters": "Gardening", "strengths": ""}}
    assert a.sections_done == [] and a.what_matters == ""
    services.assessment_section_save(
        record=opened(staff.social_worker, a.person),
        assessment=a,
        section="about",
        data={"what_matters": " Gardening ", "strengths": "Determined"},
    )
    a.refresh_from_db()
    assert (a.what_matters, a.strengths, a.sections_done, a.section_drafts) == (
        "Gardening",
        "Determined",
        ["about"],
        {},
    )
    events = AuditEvent.objects.filter(object_type="assessments.assessment", action="update")
    assert [e.details["complete"] for e in events.order_by("pk")] == [False, True]


def test_work_in_progress_need_not_be_valid_but_completion_must(staff, person):
    a = start(staff.social_worker, person)
    services.assessment_section_save(
        record=opened(staff.social_worker, a.person),
        assessment=a,
        section="outcome-nutrition",
        data={"can_achieve": "no", "limbs": [], "notes": "Skips meals"},
        complete=False,
    )
    assert not OutcomeAssessment.objects.exists()
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_section_save(
            record=opened(staff.social_worker, a.person),
            assessment=a,
            section="outcome-nutrition",
            data={"can_achieve": "no", "limbs": [], "notes": "Skips meals"},
        )
    assert exc.value.errors == {
        "limbs": "Select at least one way in which the person is unable to achieve this outcome"
    }
    a.refresh_from_db()
    assert "outcome-nutrition" in a.section_drafts  # the work in progress is still there


def test_outcome_answer_is_stored_and_limbs_cleared_when_achievable(staff, person):
    a = start(staff.social_worker, person)
    services.assessment_section_save(
        record=opened(staff.social_worker, a.person),
        assessment=a,
        section="outcome-hygiene",
        data={"can_achieve": "no", "limbs": ["b", "a"], "notes": "Cannot bathe"},
    )
    services.assessment_section_save(
        record=opened(staff.social_worker, a.person),
        assessment=a,
        section="outcome-toilet",
        data={"can_achieve": True, "limbs": ["a"]},
    )
    assert {o.code: (o.can_achieve, o.limbs) for o in OutcomeAssessment.objects.all()} == {
        "hygiene": (False, ["a", "b"]),
        "toilet": (True, []),
    }


def test_carer_cannot_record_limb_d(staff, person):
    carer = PersonFactory(client_type="Unpaid carer")
    CareRelationshipFactory(person=carer, user=staff.social_worker)
    CarerLinkFactory(carer=carer, cared_for=person)
    a = start(staff.social_worker, carer, kind="carer", cared_for=person)
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_section_save(
            record=opened(staff.social_worker, a.person),
            assessment=a,
            section="outcome-recreation",
            data={"can_achieve": False, "limbs": ["d"]},
        )
    assert "does not apply to carers" in exc.value.errors["limbs"]
    with pytest.raises(ValidationFailed):
        services.assessment_section_save(
            record=opened(staff.social_worker, a.person),
            assessment=a,
            section="outcome-hygiene",
            data={"can_achieve": False, "limbs": ["a"]},
        )  # an adult outcome only


@pytest.mark.parametrize(
    ("section", "data", "errors"),
    [
        (
            "about",
            {"what_matters": " "},
            {"what_matters": "Enter what matters to the person, in their words"},
        ),
        (
            "condition",
            {},
            {
                "condition_met": "Select whether the needs arise from a physical or mental impairment or "
                "illness"
            },
        ),
        (
            "condition",
            {"condition_met": "yes"},
            {"condition_description": "Describe the impairment or illness"},
        ),
        (
            "wellbeing",
            {"wellbeing_impact": "maybe"},
            {
                "wellbeing_impact": "Select whether there is, or is likely to be, a "
                "significant impact on the person's wellbeing"
            },
        ),
        (
            "outcome-nutrition",
            {"notes": "x"},
            {"can_achieve": "Select whether the person can achieve this outcome"},
        ),
        ("about", {"colour": "blue"}, {"colour": "This field cannot be set in this section"}),
    ],
)
def test_section_messages(staff, person, section, data, errors):
    a = start(staff.social_worker, person)
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_section_save(
            record=opened(staff.social_worker, a.person), assessment=a, section=section, data=data
        )
    assert exc.value.errors == errors


def test_eligibility_needs_the_other_sections_first(staff, person):
    a = start(staff.social_worker, person)
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_section_save(
            record=opened(staff.social_worker, a.person),
            assessment=a,
            section="eligibility",
            data={"judgement": "agree"},
        )
    assert exc.value.errors["judgement"].startswith(
        "Finish these sections before deciding eligibility: About the"
    )


def test_determination_from_recorded_answers(staff, person):
    a = answer_all(start(staff.social_worker, person), staff.social_worker)
    assert (a.computed_eligible, a.eligible, a.judgement) == (True, True, "agree")
    assert a.computed_reasons[1].startswith("Unable to achieve 2 of the 10 outcomes")
    b = answer_all(start(staff.social_worker, person), staff.social_worker, unable=("nutrition",))
    assert (b.computed_eligible, b.eligible) == (False, False)


def test_professional_judgement_needs_a_reason(staff, person):
    a = start(staff.social_worker, person)
    with pytest.raises(ValidationFailed) as exc:
        answer_all(a, staff.social_worker, unable=("nutrition",), judgement="eligible")
    assert exc.value.errors == {
        "judgement_reason": "Explain the professional judgement that leads to a different decision"
    }
    services.assessment_section_save(
        record=opened(staff.social_worker, a.person),
        assessment=a,
        section="eligibility",
        data={
            "judgement": "eligible",
            "judgement_reason": "Fluctuating needs: on bad days she cannot wash either",
        },
    )
    assert (a.computed_eligible, a.eligible, a.judgement) == (False, True, "eligible")


def test_judgement_the_same_as_the_determination_is_refused(staff, person):
    a = start(staff.social_worker, person)
    with pytest.raises(ValidationFailed) as exc:
        answer_all(a, staff.social_worker, judgement="eligible", judgement_reason="Agree really")
    assert exc.value.errors["judgement"].startswith("Your judgement is the same as the determination")


def test_changing_an_answer_means_deciding_eligibility_again(staff, person):
    a = answer_all(start(staff.social_worker, person), staff.social_worker)
    assert "eligibility" in a.sections_done
    services.assessment_section_save(
        record=opened(staff.social_worker, a.person),
        assessment=a,
        section="outcome-hygiene",
        data={"can_achieve": True},
    )
    assert "eligibility" not in a.sections_done and a.eligible is None


def test_complete_blocked_until_every_section_done(staff, person):
    a = start(staff.social_worker, person)
    services.assessment_section_save(
        record=opened(staff.social_worker, a.person),
        assessment=a,
        section="about",
        data={"what_matters": "Home"},
    )
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_complete(record=opened(staff.social_worker, a.person), assessment=a)
    assert exc.value.errors["sections"].startswith(
        "Complete every section first. Not completed: Needs arising"
    )
    a.refresh_from_db()
    assert a.status == AssessmentStatus.IN_PROGRESS and a.completed_on is None


def test_work_in_progress_blocks_completion(staff, person):
    a = answer_all(start(staff.social_worker, person), staff.social_worker)
    services.assessment_section_save(
        record=opened(staff.social_worker, a.person),
        assessment=a,
        section="about",
        data={"what_matters": "Changing my mind"},
        complete=False,
    )
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_complete(record=opened(staff.social_worker, a.person), assessment=a)
    assert "About the person" in exc.value.errors["sections"]


@pytest.mark.parametrize(
    ("unable", "information", "outcome"),
    [
        (("nutrition", "hygiene"), "", "Progress to support planning or services"),
        (("nutrition",), "Age UK lunch club", "NFA: Information and advice or signposting"),
        (("nutrition",), "", "NFA: No services offered for other reason"),
    ],
)
def test_completion_outcome(staff, person, settings, unable, information, outcome):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = False
    a = answer_all(start(staff.social_worker, person), staff.social_worker, unable=unable)
    services.assessment_complete(
        record=opened(staff.social_worker, a.person), assessment=a, information_given=information
    )
    a.refresh_from_db()
    assert (a.status, a.outcome, a.completed_on) == (
        AssessmentStatus.COMPLETED,
        outcome,
        timezone.localdate(),
    )
    assert a.status_changes.last().note.startswith("Completed: ")


def test_worker_may_record_declined_or_deceased(staff, person, settings):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = False
    a = answer_all(start(staff.social_worker, person), staff.social_worker)
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_complete(
            record=opened(staff.social_worker, a.person), assessment=a, outcome="Declined"
        )
    assert exc.value.errors == {"outcome": "Select an outcome from the list"}
    services.assessment_complete(
        record=opened(staff.social_worker, a.person), assessment=a, outcome="NFA: Support declined"
    )
    assert a.outcome == "NFA: Support declined"


def test_completion_date_not_before_start(staff, person):
    a = answer_all(
        start(staff.social_worker, person, started_on=dt.date.today() - dt.timedelta(days=3)),
        staff.social_worker,
    )
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_complete(
            record=opened(staff.social_worker, a.person),
            assessment=a,
            completed_on=dt.date.today() - dt.timedelta(days=4),
        )
    assert exc.value.errors["completed_on"].startswith(
        "The completion date must be on or after the start date"
    )


def test_sign_off_on_waits_for_a_manager_not_the_assessor(staff, person, settings):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = True
    a = answer_all(start(staff.team_manager, person), staff.team_manager)
    services.assessment_complete(record=opened(staff.team_manager, a.person), assessment=a)
    assert a.status == AssessmentStatus.AWAITING_SIGN_OFF
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_sign_off(record=opened(staff.team_manager, a.person), assessment=a)
    assert exc.value.errors == {
        "decision": "You carried out this assessment, so another manager must sign it off"
    }
    with pytest.raises(PermissionError):
        services.assessment_sign_off(record=opened(staff.social_worker, a.person), assessment=a)
    other_manager = UserFactory(
        username="manager2",
        role="team_manager",
        teams=[person.care_relationships.filter(team__isnull=False).first().team],
    )
    services.assessment_sign_off(record=opened(other_manager, a.person), assessment=a)
    a.refresh_from_db()
    assert (a.status, a.signed_off_by) == (AssessmentStatus.COMPLETED, other_manager)
    assert list(a.status_changes.values_list("status", flat=True)) == [
        "in_progress",
        "awaiting_sign_off",
        "completed",
    ]


def test_sign_off_off_completes_straight_away(staff, person, settings):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = False
    a = answer_all(start(staff.social_worker, person), staff.social_worker)
    services.assessment_complete(record=opened(staff.social_worker, a.person), assessment=a)
    assert a.status == AssessmentStatus.COMPLETED
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_sign_off(record=opened(staff.team_manager, a.person), assessment=a)
    assert exc.value.errors == {
        "decision": "This assessment is completed: it cannot be signed off (only an "
        "assessment that is waiting for a manager to sign off can be). Nothing "
        "more can be done to it."
    }


def test_manager_returns_with_a_reason_and_the_worker_can_change_it(staff, person, settings):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = True
    a = answer_all(start(staff.social_worker, person), staff.social_worker)
    services.assessment_complete(record=opened(staff.social_worker, a.person), assessment=a)
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_sign_off(record=opened(staff.team_manager, a.person), assessment=a, approve=False)
    assert exc.value.errors == {"reason": "Explain what the assessor needs to change"}
    services.assessment_sign_off(
        record=opened(staff.team_manager, a.person),
        assessment=a,
        approve=False,
        reason="Say more about the toileting risk",
    )
    a.refresh_from_db()
    assert (a.status, a.completed_on, a.outcome) == (AssessmentStatus.IN_PROGRESS, None, "")
    assert (
        AssessmentStatusChange.objects.filter(assessment=a).last().note == "Returned: Say more about the "
        "toileting risk"
    )
    services.assessment_section_save(
        record=opened(staff.social_worker, a.person),
        assessment=a,
        section="outcome-toilet",
        data={"can_achieve": False, "limbs": ["c"], "notes": "Falls at night"},
    )
    assert a.status == AssessmentStatus.IN_PROGRESS


def test_completed_assessment_cannot_be_changed(staff, person, settings):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = False
    a = answer_all(start(staff.social_worker, person), staff.social_worker)
    services.assessment_complete(record=opened(staff.social_worker, a.person), assessment=a)
    with pytest.raises(ValidationFailed) as exc:
        services.assessment_section_save(
            record=opened(staff.social_worker, a.person),
            assessment=a,
            section="about",
            data={"what_matters": "x"},
        )
    assert exc.value.errors == {"assessment": "This assessment is completed, so it can no longer be changed"}


def test_carer_eligible_on_health_at_risk_alone(staff, person):
    carer = PersonFactory(client_type="Unpaid carer")
    CareRelationshipFactory(person=carer, user=staff.social_worker)
    CarerLinkFactory(carer=carer, cared_for=person)
    a = start(staff.social_worker, carer, kind="carer", cared_for=person)
    answer_all(a, staff.social_worker, unable=(), health_at_risk=True)
    assert a.eligible is True
    assert a.sections_done[-2:] == [sections.WELLBEING, sections.ELIGIBILITY]
    assert sections.CARER_HEALTH in a.sections_done


def test_a_section_refuses_a_nul_naming_the_field(staff, person):
    """Finding 12 of the access issue: on PostgreSQL a NUL in what matters was a DataError (found by the fuzz test)."""
    assessment = start(staff.social_worker, person)
    with pytest.raises(ValidationFailed) as refused:
        services.assessment_section_save(
            record=opened(staff.social_worker, assessment.person),
            assessment=assessment,
            section=sections.ABOUT,
            data={"what_matters": "+\x00"},
        )
    assert refused.value.errors == {
        "what_matters": "The what matters cannot contain a NUL character: remove it and try again"
    }
    saved = services.assessment_section_save(
        record=opened(staff.social_worker, assessment.person),
        assessment=assessment,
        section=sections.ABOUT,
        data={"what_matters": " Gardening\n "},
    )
    assert saved.what_matters == "Gardening"


def test_each_assessment_transition_is_attributed_and_a_refused_one_writes_only_the_refusal(
    staff, person, settings
):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = True
    a = answer_all(start(staff.social_worker, person), staff.social_worker)
    services.assessment_complete(record=opened(staff.social_worker, a.person), assessment=a)
    with pytest.raises(PermissionError, match="Only a team manager can sign off an assessment"):
        services.assessment_sign_off(record=opened(staff.social_worker, a.person), assessment=a)
    a.refresh_from_db()
    assert (a.status, a.signed_off_by) == (AssessmentStatus.AWAITING_SIGN_OFF, None)
    assert (
        AuditEvent.objects.filter(
            actor=staff.social_worker,
            action="access_refused",
            person_id=person.pk,
            details__purpose="assessment: sign_off",
        ).count()
        == 1
    )
    services.assessment_sign_off(
        record=opened(staff.team_manager, a.person),
        assessment=a,
        approve=False,
        reason="Add the carer's view",
    )
    services.assessment_complete(record=opened(staff.social_worker, a.person), assessment=a)
    services.assessment_sign_off(record=opened(staff.team_manager, a.person), assessment=a)
    assert [(r.status, r.changed_by.username) for r in a.status_changes.order_by("pk")] == [
        ("in_progress", "social_worker"),
        ("awaiting_sign_off", "social_worker"),
        ("in_progress", "team_manager"),
        ("awaiting_sign_off", "social_worker"),
        ("completed", "team_manager"),
    ]
    transitions = [
        (e.actor.username, e.details["transition"])
        for e in AuditEvent.objects.filter(
            object_type="assessments.assessment", object_id=str(a.pk), details__workflow="assessment"
        ).order_by("pk")
    ]
    assert transitions == [
        ("social_worker", "submit"),
        ("team_manager", "return"),
        ("social_worker", "submit"),
        ("team_manager", "sign_off"),
    ]
