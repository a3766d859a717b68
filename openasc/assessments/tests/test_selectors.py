import pytest

from openasc.assessments import selectors, services
from openasc.assessments.tests.factories import answer_all
from openasc.core.errors import AccessDenied
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory, opened
from openasc.people.tests.factories import PersonFactory


@pytest.fixture
def person(staff, teams):
    person = PersonFactory(first_name="Ivy", last_name="Lane")
    CareRelationshipFactory(person=person, user=staff.social_worker)
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    return person


@pytest.fixture
def assessment(staff, person):
    return services.assessment_start(record=opened(staff.social_worker, person), method="Telephone")


def test_worker_without_relationship_cannot_open(assessment, teams):
    stranger = UserFactory(username="south-worker", role="social_worker", teams=[teams.south])
    with pytest.raises(AccessDenied) as exc:
        selectors.assessment_get(user=stranger, assessment_id=assessment.pk)
    assert "working relationship" in exc.value.access.explanation


def test_opening_is_audited_with_the_basis(staff, assessment):
    selectors.assessment_get(user=staff.social_worker, assessment_id=assessment.pk, purpose="view")
    event = AuditEvent.objects.filter(action="view", object_type="assessments.assessment").get()
    assert (event.actor, event.basis, event.person_id) == (
        staff.social_worker,
        "Allocated worker",
        assessment.person_id,
    )


def test_task_list_statuses(staff, assessment):
    services.assessment_section_save(
        record=opened(staff.social_worker, assessment.person),
        assessment=assessment,
        section="about",
        data={"what_matters": "Home"},
    )
    services.assessment_section_save(
        record=opened(staff.social_worker, assessment.person),
        assessment=assessment,
        section="condition",
        data={"condition_met": "yes"},
        complete=False,
    )
    statuses = {t.section.key: t.status for t in selectors.task_list(assessment)}
    assert statuses["about"] == "Completed"
    assert statuses["condition"] == "In progress"
    assert statuses["outcome-nutrition"] == "Not started"
    assert len(statuses) == 1 + 1 + 10 + 1 + 1  # no carer's health section in a needs assessment


def test_eligible_needs_for_the_plan(staff, assessment):
    answer_all(assessment, staff.social_worker, unable=("hygiene", "nutrition"))
    needs = selectors.eligible_needs(assessment)
    assert needs.eligible is True
    assert [(n.code, n.label, n.notes, n.limbs) for n in needs.outcomes] == [
        ("nutrition", "Managing and maintaining nutrition", "About nutrition", ("a",)),
        ("hygiene", "Maintaining personal hygiene", "About hygiene", ("a",)),
    ]
    assert (needs.what_matters, needs.strengths) == ("Staying at home with my cat", "Good neighbours")


def test_awaiting_sign_off_lists_the_managers_teams_people_not_their_own(
    staff, teams, person, assessment, settings
):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = True
    answer_all(assessment, staff.social_worker)
    services.assessment_complete(record=opened(staff.social_worker, assessment.person), assessment=assessment)
    south_manager = UserFactory(username="south-manager", role="team_manager", teams=[teams.south])
    assert selectors.awaiting_sign_off(user=staff.team_manager) == [assessment]
    assert selectors.awaiting_sign_off(user=south_manager) == []
    assert selectors.awaiting_sign_off(user=staff.social_worker) == []
    own = services.assessment_start(record=opened(staff.team_manager, person), method="Telephone")
    answer_all(own, staff.team_manager)
    services.assessment_complete(record=opened(staff.team_manager, own.person), assessment=own)
    assert selectors.awaiting_sign_off(user=staff.team_manager) == [assessment]


def test_determination_reads_unanswered_conditions_as_not_met(assessment):
    result = selectors.determination(assessment)
    assert result.eligible is False
    assert result.reasons[0] == "The needs do not arise from a physical or mental impairment or illness."
