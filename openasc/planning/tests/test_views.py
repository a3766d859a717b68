import datetime as dt
import re

import pytest
from django.urls import reverse

from openasc.assessments.tests.factories import completed_assessment
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.people.tests.factories import PersonFactory
from openasc.planning.models import Plan, PlanStatus, Review, ReviewStatus
from openasc.planning.tests.factories import PlanFactory, PlanNeedFactory, ReviewFactory


def errors_in(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1)) if summary else []


@pytest.fixture
def person(staff):
    person = PersonFactory(first_name="Ivy", last_name="Lane")
    CareRelationshipFactory(person=person, user=staff.social_worker)
    completed_assessment(person, {"hygiene": ["a"], "nutrition": ["a", "b"]}, what_matters="Stay with my cat")
    return person


def test_new_plan_page_is_prefilled_from_the_assessment(client, staff, person):
    client.force_login(staff.social_worker)
    response = client.get(reverse("planning:create", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Managing and maintaining nutrition" in html and "Maintaining personal hygiene" in html
    assert "Needs help with hygiene" in html  # the assessor's notes start the description
    assert "Stay with my cat" in html  # what matters to the person starts the goals
    assert "£95.00" in html  # 2 outcomes and 3 limbs = 35 points
    assert 'data-autosave="' in html


def test_failed_submit_lists_errors_and_keeps_what_was_typed(client, staff, person):
    client.force_login(staff.social_worker)
    response = client.post(
        reverse("planning:create", args=[person.pk]),
        {
            "goals": "",
            "meet_by_hygiene": "service",
            "description_hygiene": "Morning calls",
            "meet_by_nutrition": "",
            "description_nutrition": "",
            "agreed_weekly": "12.345",
            "delivery_mechanism": "Cash",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Care and support plan" in html
    assert errors_in(html) == [
        ("goals", "Enter the person&#39;s goals, in their own words"),
        ("meet_by_nutrition", "Select how the need for managing and maintaining nutrition will be met"),
        ("description_nutrition", "Describe how the need for managing and maintaining nutrition will be met"),
        ("delivery_mechanism", "Select a delivery mechanism from the list"),
        ("agreed_weekly", "The agreed weekly amount can have at most 2 decimal places (pence), like 18.50"),
    ]
    assert "Morning calls" in html and 'value="12.345"' in html
    assert not Plan.objects.exists()


def test_create_agree_and_sign_off_through_the_pages(client, staff, person, settings):
    settings.OPENASC_PLAN_SIGN_OFF = True
    client.force_login(staff.social_worker)
    response = client.post(
        reverse("planning:create", args=[person.pk]),
        {
            "goals": "Stay with my cat",
            "meet_by_hygiene": "service",
            "description_hygiene": "Morning calls",
            "meet_by_nutrition": "family",
            "description_nutrition": "Daughter cooks",
            "agreed_weekly": "210.50",
            "delivery_mechanism": "Direct payment",
        },
    )
    plan = Plan.objects.get()
    assert response["Location"] == reverse("planning:detail", args=[plan.pk])
    html = client.get(response["Location"]).content.decode()
    assert "£210.50" in html and "Draft" in html and "Agree the plan" in html
    client.post(reverse("planning:agree", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AWAITING_SIGN_OFF
    CareRelationshipFactory(person=person, user=staff.team_manager)
    client.force_login(staff.team_manager)
    html = client.get(reverse("planning:detail", args=[plan.pk])).content.decode()
    assert "Sign off this plan" in html
    response = client.post(reverse("planning:sign-off", args=[plan.pk]), {"decision": "approve"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    html = client.get(reverse("planning:detail", args=[plan.pk])).content.decode()
    assert "Start a service from this plan" in html and "Create a new version" in html
    person_page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Plan version 1 agreed" in person_page and "Care and support plan created" in person_page


def test_new_version_page_keeps_the_old_version(client, staff, person):
    plan = PlanFactory(person=person)
    PlanNeedFactory(plan=plan, outcome_code="hygiene", description="Morning calls")
    client.force_login(staff.social_worker)
    html = client.get(reverse("planning:new-version", args=[plan.pk])).content.decode()
    assert (
        "Morning calls" in html and "Managing and maintaining nutrition" in html
    )  # new need from the assessment
    response = client.post(
        reverse("planning:new-version", args=[plan.pk]),
        {
            "reason": "More help",
            "goals": plan.goals,
            "meet_by_hygiene": "service",
            "description_hygiene": "Morning and evening calls",
            "meet_by_nutrition": "community",
            "description_nutrition": "Lunch club",
            "agreed_weekly": "300",
        },
    )
    v2 = Plan.objects.get(version=2)
    assert response["Location"] == reverse("planning:detail", args=[v2.pk])
    assert (v2.previous, v2.agreed_weekly_pence, v2.needs.count()) == (plan, 30000, 2)
    plan.refresh_from_db()
    assert plan.needs.get().description == "Morning calls"


def test_sign_off_needs_a_note_to_return(client, staff, person):
    plan = PlanFactory(person=person, awaiting_sign_off=True)
    CareRelationshipFactory(person=person, user=staff.team_manager)
    client.force_login(staff.team_manager)
    response = client.post(reverse("planning:sign-off", args=[plan.pk]), {"decision": "return", "note": ""})
    assert response.status_code == 400
    assert errors_in(response.content.decode()) == [
        ("note", "Say what needs to change before the plan can be signed off")
    ]


def test_access_rules(client, staff, person):
    plan = PlanFactory(person=person)
    client.force_login(staff.broker)  # no relationship with the person
    assert client.get(reverse("planning:detail", args=[plan.pk])).status_code in (302, 403)
    assert client.get(reverse("planning:create", args=[person.pk])).status_code in (302, 403)
    client.force_login(staff.front_door)  # may open anyone, but does not write plans
    assert client.get(reverse("planning:detail", args=[plan.pk])).status_code == 200
    assert client.post(reverse("planning:agree", args=[plan.pk])).status_code == 403
    assert client.get(reverse("planning:create", args=[PersonFactory().pk])).status_code == 403


def test_overdue_reviews_page_mine_and_team(client, staff, person, teams):
    today = dt.date.today()
    ReviewFactory(person=person, due_on=today - dt.timedelta(days=9), reviewer=staff.social_worker)
    ReviewFactory(person=person, due_on=today)  # due today: not overdue yet
    other = PersonFactory(first_name="Olga", last_name="North")
    CareRelationshipFactory(person=other, team=teams.north, user=None, kind="allocated_team")
    ReviewFactory(person=other, due_on=today - dt.timedelta(days=2))
    client.force_login(staff.social_worker)
    html = client.get(reverse("planning:reviews-overdue")).content.decode()
    assert "Ivy Lane" in html and "9 days" in html and "Olga North" not in html
    assert "1 review overdue" in html
    html = client.get(reverse("planning:reviews-overdue") + "?show=team").content.decode()
    assert "Olga North" in html and "Ivy Lane" not in html


def test_complete_review_page(client, staff, person):
    review = ReviewFactory(person=person, reviewer=staff.social_worker)
    client.force_login(staff.social_worker)
    response = client.post(reverse("planning:review", args=[review.pk]), {"method": "Face to face"})
    assert response.status_code == 400
    assert [f for f, _ in errors_in(response.content.decode())] == [
        "completed_on-day",
        "outcomes_achieved",
        "what_followed",
    ]
    today = dt.date.today()
    response = client.post(
        reverse("planning:review", args=[review.pk]),
        {
            "completed_on-day": today.day,
            "completed_on-month": today.month,
            "completed_on-year": today.year,
            "method": "Face to face",
            "outcomes_achieved": "Fully achieved",
            "what_followed": "no_change",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.outcome) == (ReviewStatus.COMPLETED, "Continuation of support or services")
    assert Review.objects.filter(person=person, status=ReviewStatus.SCHEDULED).count() == 1


def test_person_plans_page_and_unplanned_review(client, staff, person):
    client.force_login(staff.social_worker)
    html = client.get(reverse("planning:person", args=[person.pk])).content.decode()
    assert "Write a care and support plan" in html
    response = client.post(
        reverse("planning:review-unplanned", args=[person.pk]), {"reason": "Unplanned: Hospital"}
    )
    assert response.status_code == 302
    assert Review.objects.get(person=person).reason == "Unplanned: Hospital"


def test_other_pages_render(client, staff, person):
    from openasc.planning import services as plan_writes

    draft = plan_writes.plan_create(
        record=opened(staff.social_worker, person),
        goals="Stay at home",
        needs=[{"outcome_code": "hygiene", "meet_by": "service", "description": "Morning calls"}],
        agreed_weekly_pence=100,
    )
    client.force_login(staff.social_worker)
    html = client.get(reverse("planning:edit", args=[draft.pk])).content.decode()
    assert "Change the draft plan" in html and "Morning calls" in html and 'value="1.00"' in html
    response = client.post(
        reverse("planning:edit", args=[draft.pk]),
        {
            "goals": "Stay at home",
            "meet_by_hygiene": "technology",
            "description_hygiene": "A pendant alarm",
            "agreed_weekly": "5",
        },
    )
    assert response.status_code == 302
    assert draft.needs.get().meet_by == "technology"
    assert client.get(reverse("planning:review-unplanned", args=[person.pk])).status_code == 200
    assert client.get(reverse("planning:new-version", args=[draft.pk])).status_code == 302  # not agreed yet
    assert client.get(reverse("planning:detail", args=[999999])).status_code == 404
    client.force_login(staff.broker)
    from openasc.providers.tests.factories import ProviderFactory

    provider = ProviderFactory()
    assert client.get(reverse("services:location-add", args=[provider.pk])).status_code == 200


def test_timeline_shows_versions(client, staff, person, settings):
    settings.OPENASC_PLAN_SIGN_OFF = False
    from openasc.planning import services as plan_writes

    needs = [{"outcome_code": "hygiene", "meet_by": "service", "description": "Morning calls"}]
    plan = plan_writes.plan_create(
        record=opened(staff.social_worker, person), goals="Home", needs=needs, agreed_weekly_pence=100
    )
    plan_writes.plan_agree(record=opened(staff.social_worker, plan.person), plan=plan)
    v2 = plan_writes.plan_new_version(
        record=opened(staff.social_worker, plan.person), plan=plan, reason="More help"
    )
    plan_writes.plan_agree(record=opened(staff.social_worker, v2.person), plan=v2)
    client.force_login(staff.social_worker)
    html = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    for title in (
        "Care and support plan created",
        "Plan version 1 agreed",
        "New version of the plan (2)",
        "Plan version 2 agreed",
        "Plan version 1 replaced",
    ):
        assert title in html
    html = client.get(reverse("planning:detail", args=[plan.pk])).content.decode()
    assert "This version has been replaced by a later one" in html


def test_sign_off_queue(client, staff, person, teams):
    CareRelationshipFactory(person=person, team=teams.north, user=None, kind="allocated_team")
    plan = PlanFactory(person=person, awaiting_sign_off=True, agreed_weekly_pence=12345)
    client.force_login(staff.team_manager)
    html = client.get(reverse("planning:sign-off-queue")).content.decode()
    assert reverse("planning:detail", args=[plan.pk]) in html and "£123.45" in html and "0 days" in html
    client.force_login(staff.social_worker)
    assert client.get(reverse("planning:sign-off-queue")).status_code == 403


# --- the plan pages on RecordAction: what each adds ------------------------------------------------------------


def test_agree_and_sign_off_are_buttons_and_a_refused_agreement_is_flashed_on_the_plan(client, staff, person):
    from openasc.core.models import AuditAction, AuditEvent

    plan = PlanFactory(person=person, agreed=True)
    client.force_login(staff.social_worker)
    assert client.get(reverse("planning:agree", args=[plan.pk])).status_code == 405
    assert client.get(reverse("planning:sign-off", args=[plan.pk])).status_code == 405
    response = client.post(reverse("planning:agree", args=[plan.pk]), follow=True)
    assert response.redirect_chain == [(reverse("planning:detail", args=[plan.pk]), 302)]
    html = response.content.decode()
    assert "This plan is agreed: it cannot be agreed" in html and "Plan agreed</" not in html
    refusal = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, actor=staff.social_worker).get()
    assert refusal.person_id == person.pk  # the workflow's refusal, audited once against the person


def test_a_role_that_cannot_write_plans_is_refused_before_the_record_is_opened(client, staff, person):
    from openasc.core.models import AuditAction, AuditEvent

    plan = PlanFactory(person=person)
    client.force_login(staff.front_door)  # may open anyone's record, does not write plans
    for url in (reverse("planning:create", args=[person.pk]), reverse("planning:edit", args=[plan.pk])):
        response = client.get(url)
        assert response.status_code == 403 and "Your role cannot write care and support plans." in (
            response.content.decode()
        )
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, actor=staff.front_door).exists()


def test_a_draft_of_the_new_version_page_is_restored_and_an_existing_plan_is_not_created_again(
    client, staff, person
):
    from openasc.core import services as core_services

    plan = PlanFactory(person=person, agreed=True)
    url = reverse("planning:new-version", args=[plan.pk])
    core_services.form_draft_save(user=staff.social_worker, path=url, data={"goals": "Typed before timeout"})
    client.force_login(staff.social_worker)
    html = client.get(url).content.decode()
    assert "Typed before timeout" in html and "We have filled in what you typed" in html
    assert f"New version of the plan (version {plan.version + 1})" in html
    response = client.get(reverse("planning:create", args=[person.pk]), follow=True)
    assert response.redirect_chain == [(reverse("planning:detail", args=[plan.pk]), 302)]
    assert "Ivy Lane already has a plan" in response.content.decode()


def test_the_plan_says_who_does_what_when_and_its_contingency(client, staff, person):
    client.force_login(staff.social_worker)
    form = {
        "goals": "Stay with my cat",
        "meet_by_hygiene": "service",
        "description_hygiene": "Help to wash and dress",
        "who_hygiene": "Bluebell Home Care",
        "when_hygiene": "Every morning, 7.30 to 8.15",
        "meet_by_nutrition": "family",
        "description_nutrition": "Daughter cooks",
        "who_nutrition": "Daughter Susan",
        "when_nutrition": "Weekdays at tea time",
        "agreed_weekly": "210.50",
    }
    response = client.post(reverse("planning:create", args=[person.pk]), form)
    plan = Plan.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert "Who does what, when" in html
    assert html.index("Bluebell Home Care") < html.index("Daughter Susan")  # formal support first
    assert "Every morning, 7.30 to 8.15" in html and "Weekdays at tea time" in html
    assert (
        "relies on family or friends and has no contingency plan" in html
    )  # Susan is the only plan for meals
    edit = client.post(
        reverse("planning:edit", args=[plan.pk]),
        {**form, "contingency": "If Susan cannot come, ring Bluebell for a tea-time call."},
    )
    assert edit.status_code == 302
    html = client.get(reverse("planning:detail", args=[plan.pk])).content.decode()
    assert "If Susan cannot come" in html and "has no contingency plan" not in html
    assert reverse("documents:print-pdf", args=["plan", plan.pk]) in html  # a copy for the person
    page = client.get(reverse("planning:edit", args=[plan.pk])).content.decode()
    assert (
        'value="Daughter Susan"' in page and "If Susan cannot come" in page
    )  # the form is filled from the plan
