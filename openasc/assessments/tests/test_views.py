import re

import pytest
from django.urls import reverse

from openasc.assessments import services
from openasc.assessments.models import Assessment, AssessmentStatus
from openasc.assessments.tests.factories import answer_all
from openasc.core import services as core_services
from openasc.core.models import RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory, opened
from openasc.people.tests.factories import CarerLinkFactory, PersonFactory


def errors_in(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1)) if summary else []


def statuses(html: str) -> dict[str, str]:
    """Task name -> status text, from the task list."""
    found = re.findall(
        r"govuk-task-list__link[^>]*>\s*(.*?)\s*</a>.*?govuk-task-list__status[^>]*>\s*(?:<strong[^>]*>)?"
        r"\s*(.*?)\s*<",
        html,
        re.S,
    )
    return dict(found)


@pytest.fixture
def person(staff, teams):
    person = PersonFactory(first_name="Ivy", last_name="Lane")
    CareRelationshipFactory(person=person, user=staff.social_worker)
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    return person


@pytest.fixture
def assessment(staff, person):
    return services.assessment_start(record=opened(staff.social_worker, person), method="Face to face")


def test_start_with_errors_then_success(client, staff, person):
    client.force_login(staff.social_worker)
    url = reverse("assessments:start", args=[person.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "needs", "assessment_type": "Long term assessment", "method": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Start an assessment" in html
    assert errors_in(html) == [("method", "Select how the assessment is being carried out")]
    assert not Assessment.objects.exists()
    response = client.post(
        url, {"kind": "needs", "assessment_type": "Short term assessment", "method": "Telephone"}
    )
    a = Assessment.objects.get()
    assert response["Location"] == reverse("assessments:detail", args=[a.pk])
    assert (a.assessment_type, a.method, a.assessor) == (
        "Short term assessment",
        "Telephone",
        staff.social_worker,
    )


def test_carers_assessment_offers_only_linked_people(client, staff, person):
    carer = PersonFactory(first_name="Ron", last_name="Lane", client_type="Unpaid carer")
    CareRelationshipFactory(person=carer, user=staff.social_worker)
    client.force_login(staff.social_worker)
    url = reverse("assessments:start", args=[carer.pk])
    response = client.post(
        url, {"kind": "carer", "assessment_type": "Long term assessment", "method": "Telephone"}
    )
    assert errors_in(response.content.decode()) == [("cared_for", "Select the person the carer looks after")]
    CarerLinkFactory(carer=carer, cared_for=person)
    html = client.get(url).content.decode()
    assert "Ivy Lane" in html
    response = client.post(
        url,
        {
            "kind": "carer",
            "assessment_type": "Long term assessment",
            "method": "Telephone",
            "cared_for": str(person.pk),
        },
    )
    assert response.status_code == 302
    assert Assessment.objects.get().cared_for == person


def test_worker_without_relationship_cannot_open_an_assessment(client, staff, teams, assessment):
    stranger = UserFactory(username="south-worker", role="social_worker", teams=[teams.south])
    client.force_login(stranger)
    break_glass = reverse("core:break-glass", args=[assessment.person_id])
    for url in (
        reverse("assessments:detail", args=[assessment.pk]),
        reverse("assessments:section", args=[assessment.pk, "about"]),
        reverse("assessments:complete", args=[assessment.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == break_glass  # offered, never granted
    response = client.post(
        reverse("assessments:section", args=[assessment.pk, "about"]), {"what_matters": "x"}
    )
    assert response["Location"] == break_glass
    assessment.refresh_from_db()
    assert assessment.what_matters == ""
    analyst = UserFactory(username="south-analyst", role="performance_analyst", teams=[teams.south])
    client.force_login(analyst)  # no relationship, and no break-glass either
    response = client.get(reverse("assessments:detail", args=[assessment.pk]))
    assert response.status_code == 403
    assert "working relationship" in response.content.decode()


def test_task_list_shows_each_sections_status(client, staff, assessment):
    services.assessment_section_save(
        record=opened(staff.social_worker, assessment.person),
        assessment=assessment,
        section="about",
        data={"what_matters": "Home"},
    )
    services.assessment_section_save(
        record=opened(staff.social_worker, assessment.person),
        assessment=assessment,
        section="outcome-nutrition",
        data={"notes": "Half typed"},
        complete=False,
    )
    client.force_login(staff.social_worker)
    html = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    found = statuses(html)
    assert found["About the person: what matters, strengths and support"] == "Completed"
    assert found["Managing and maintaining nutrition"] == "In progress"
    assert found["Maintaining personal hygiene"] == "Not started"
    assert "You have completed 1 of 14 sections" in html
    assert "Cannot start yet" in html


def test_save_and_come_back_later_then_resume(client, staff, assessment):
    client.force_login(staff.social_worker)
    url = reverse("assessments:section", args=[assessment.pk, "outcome-toilet"])
    response = client.post(url, {"can_achieve": "no", "notes": "Needs help at night", "action": "later"})
    assert response["Location"] == reverse("assessments:detail", args=[assessment.pk])
    html = client.get(url).content.decode()
    assert "Needs help at night" in html and "saved as work in progress" in html
    assert 'value="no" checked' in html


def test_validation_error_keeps_everything_typed(client, staff, assessment):
    client.force_login(staff.social_worker)
    url = reverse("assessments:section", args=[assessment.pk, "outcome-toilet"])
    response = client.post(url, {"can_achieve": "no", "notes": "Falls at night", "action": "continue"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Managing toilet needs" in html
    assert errors_in(html) == [
        ("limbs", "Select at least one way in which the person is unable to achieve this outcome")
    ]
    assert "Falls at night" in html and 'value="no" checked' in html
    response = client.post(
        url, {"can_achieve": "no", "limbs": ["a", "c"], "notes": "Falls at night", "action": "continue"}
    )
    assert response.status_code == 302
    assert assessment.outcomes.get().limbs == ["a", "c"]


def test_autosaved_draft_is_restored(client, staff, assessment):
    url = reverse("assessments:section", args=[assessment.pk, "about"])
    core_services.form_draft_save(
        user=staff.social_worker, path=url, data={"what_matters": "Typed before timeout"}
    )
    client.force_login(staff.social_worker)
    html = client.get(url).content.decode()
    assert 'data-autosave="/session/drafts"' in html and f'data-draft-path="{url}"' in html
    assert "Typed before timeout" in html and "We have filled in what you typed" in html
    client.post(url, {"what_matters": "Typed before timeout", "action": "continue"})
    assert core_services.form_draft_get(user=staff.social_worker, path=url) is None


def test_eligibility_page_shows_reasons_and_needs_a_reason_to_differ(client, staff, assessment):
    answer_all(assessment, staff.social_worker, unable=("nutrition",))
    client.force_login(staff.social_worker)
    url = reverse("assessments:section", args=[assessment.pk, "eligibility"])
    html = client.get(url).content.decode()
    assert "The needs do not meet the eligibility criteria" in html
    assert "Two or more outcomes must be unachievable" in html
    response = client.post(url, {"judgement": "eligible", "judgement_reason": "", "action": "continue"})
    assert errors_in(response.content.decode()) == [
        ("judgement_reason", "Explain the professional judgement that leads to a different decision")
    ]
    client.post(url, {"judgement": "eligible", "judgement_reason": "Needs fluctuate", "action": "continue"})
    assessment.refresh_from_db()
    assert (assessment.computed_eligible, assessment.eligible) == (False, True)


def test_complete_is_blocked_until_sections_done_then_goes_for_sign_off(client, staff, assessment, settings):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = True
    client.force_login(staff.social_worker)
    url = reverse("assessments:complete", args=[assessment.pk])
    response = client.post(url, {"information_given": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert errors_in(html) == [] and "Complete every section first. Not completed: About the person" in html
    answer_all(assessment, staff.social_worker)
    assert (
        "Complete the assessment"
        in client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    )
    response = client.post(url, {"information_given": ""})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.outcome) == (
        AssessmentStatus.AWAITING_SIGN_OFF,
        "Progress to support planning or services",
    )
    html = client.get(reverse("people:detail", args=[assessment.person_id])).content.decode()
    assert "Needs assessment started" in html and "Needs assessment completed: eligible" in html


def test_manager_signs_off_from_the_list(client, staff, assessment, settings):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = True
    answer_all(assessment, staff.social_worker)
    services.assessment_complete(record=opened(staff.social_worker, assessment.person), assessment=assessment)
    client.force_login(staff.social_worker)
    assert client.get(reverse("assessments:sign-off-list")).status_code == 403
    client.force_login(staff.team_manager)
    html = client.get(reverse("assessments:sign-off-list")).content.decode()
    assert reverse("assessments:sign-off", args=[assessment.pk]) in html and "Ivy Lane" in html
    url = reverse("assessments:sign-off", args=[assessment.pk])
    response = client.post(url, {"decision": "return"})
    assert errors_in(response.content.decode()) == [("reason", "Explain what the assessor needs to change")]
    assert client.post(url, {"decision": "approve"}).status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.signed_off_by) == (AssessmentStatus.COMPLETED, staff.team_manager)
    html = client.get(reverse("people:detail", args=[assessment.person_id])).content.decode()
    assert "Needs assessment signed off" in html


def test_persons_assessments_page(client, staff, assessment):
    client.force_login(staff.social_worker)
    html = client.get(reverse("assessments:person", args=[assessment.person_id])).content.decode()
    assert reverse("assessments:detail", args=[assessment.pk]) in html
    assert reverse("assessments:start", args=[assessment.person_id]) in html


def test_carers_assessment_task_list_and_health_page(client, staff, person):
    carer = PersonFactory(first_name="Ron", last_name="Lane", client_type="Unpaid carer")
    CareRelationshipFactory(person=carer, user=staff.social_worker)
    CarerLinkFactory(carer=carer, cared_for=person)
    a = services.assessment_start(
        record=opened(staff.social_worker, carer), kind="carer", cared_for=person, method="Telephone"
    )
    client.force_login(staff.social_worker)
    html = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    found = statuses(html)
    assert "Engaging in recreational activities" in found and "Maintaining personal hygiene" not in found
    assert found["The carer&#39;s physical or mental health"] == "Not started"
    assert "Cares for" in html and "Ivy Lane" in html
    url = reverse("assessments:section", args=[a.pk, "outcome-recreation"])
    assert 'value="d"' not in client.get(url).content.decode()
    response = client.post(
        reverse("assessments:section", args=[a.pk, "carer-health"]), {"action": "continue"}
    )
    assert errors_in(response.content.decode()) == [
        (
            "carer_health_at_risk",
            "Select whether the carer&#39;s physical or mental health is, or is at risk of, deteriorating",
        )
    ]


def test_unknown_section_is_not_found(client, staff, assessment):
    client.force_login(staff.social_worker)
    assert (
        client.get(reverse("assessments:section", args=[assessment.pk, "outcome-recreation"])).status_code
        == 404
    )
    assert client.get(reverse("assessments:detail", args=[99999])).status_code == 404


def test_completed_assessment_complete_page_goes_back_to_task_list(client, staff, assessment, settings):
    settings.OPENASC_ASSESSMENT_SIGN_OFF = False
    answer_all(assessment, staff.social_worker)
    services.assessment_complete(record=opened(staff.social_worker, assessment.person), assessment=assessment)
    client.force_login(staff.social_worker)
    response = client.get(reverse("assessments:complete", args=[assessment.pk]))
    assert response["Location"] == reverse("assessments:detail", args=[assessment.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Progress to support planning or services" in html and "Save and continue" not in html


def test_save_and_continue_goes_on_to_the_next_section_and_the_last_back_to_the_task_list(
    client, staff, assessment
):
    from openasc.assessments import sections

    client.force_login(staff.social_worker)
    order = [s.key for s in sections.for_kind(assessment.kind)]
    response = client.post(
        reverse("assessments:section", args=[assessment.pk, order[0]]),
        {"what_matters": "Staying at home", "action": "continue"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:section", args=[assessment.pk, order[1]])
    later = client.post(
        reverse("assessments:section", args=[assessment.pk, order[0]]),
        {"what_matters": "Staying at home", "action": "later"},
    )
    assert later["Location"] == reverse("assessments:detail", args=[assessment.pk])
    assert sections.after(assessment.kind, order[-1]) is None  # after the last section: back to the task list
    assert sections.after(assessment.kind, order[-2]).key == order[-1]


def test_a_role_that_does_not_assess_is_told_so_on_the_section_and_completion_forms(
    client, staff, assessment, settings
):
    """The front door may open anyone's record and read an assessment, but not change one: the pages say so on
    the form (status 400), as they did before they moved onto RecordAction, and nothing is saved."""
    from openasc.core.models import AuditAction, AuditEvent

    settings.OPENASC_ASSESSMENT_SIGN_OFF = True  # completing sends it for sign-off: the "submit" transition
    client.force_login(staff.front_door)
    section = reverse("assessments:section", args=[assessment.pk, "about"])
    assert client.get(section).status_code == 200
    response = client.post(section, {"what_matters": "Typed by the front door"})
    assert response.status_code == 400
    assert "Your role cannot carry out assessments." in response.content.decode()
    answer_all(assessment, staff.social_worker)
    response = client.post(reverse("assessments:complete", args=[assessment.pk]), {})
    assert response.status_code == 400
    assert "Your role cannot carry out assessments." in response.content.decode()
    assessment.refresh_from_db()
    assert (
        assessment.status == AssessmentStatus.IN_PROGRESS
        and assessment.what_matters != "Typed by the front door"
    )
    refused = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, actor=staff.front_door)
    assert refused.get().details["purpose"] == "assessment: submit"  # the workflow's refusal, audited once


def test_the_assessment_page_offers_a_printable_copy_and_a_pdf(client, staff, assessment):
    client.force_login(staff.social_worker)
    html = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert reverse("documents:print", args=["assessment", assessment.pk]) in html
    assert reverse("documents:print-pdf", args=["assessment", assessment.pk]) in html
