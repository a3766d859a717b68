import datetime as dt

import pytest
from django.utils import timezone

from openasc.assessments.tests.factories import completed_assessment
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditEvent
from openasc.core.tests.factories import UserFactory, opened
from openasc.people.tests.factories import PersonFactory
from openasc.planning import bands, selectors
from openasc.planning import services as plan_writes
from openasc.planning.models import Plan, PlanStatus, Review, ReviewStatus
from openasc.services.tests.factories import ServiceFactory

NEEDS = [
    {
        "outcome_code": "hygiene",
        "meet_by": "service",
        "description": "Home care each morning to help me wash",
    },
    {"outcome_code": "nutrition", "meet_by": "family", "description": "My daughter cooks on weekdays"},
]


def test_points_and_indicative_budget_from_the_table(db):
    assert bands.need_points([("hygiene", ["a"]), ("nutrition", ["a", "b"]), ("toilet", [])]) == 30 + 15
    assert bands.indicative_weekly_pence(45) == 16500
    assert bands.indicative_weekly_pence(0) == 4000
    assert bands.indicative_weekly_pence(5000) == 80000
    assert bands.indicative_weekly_pence(45, on=dt.date(2020, 1, 1)) is None  # before the table was valid


def test_needs_are_prefilled_from_the_latest_eligible_assessment(staff):
    person = PersonFactory()
    completed_assessment(person, {"hygiene": ["a"]}, completed_on=dt.date(2026, 1, 10))
    latest = completed_assessment(
        person, {"hygiene": ["a", "c"], "nutrition": ["a"]}, completed_on=dt.date(2026, 8, 1)
    )
    completed_assessment(person, {"toilet": ["a"]}, completed_on=dt.date(2026, 9, 1), eligible=False)
    prefill = selectors.plan_prefill(user=staff.front_door, person=person)
    assert prefill.assessment == latest
    assert [(n.code, n.label, n.limbs) for n in prefill.needs] == [  # in the order of the regulations
        ("nutrition", "Managing and maintaining nutrition", ("a",)),
        ("hygiene", "Maintaining personal hygiene", ("a", "c")),
    ]
    assert (prefill.points, prefill.indicative_weekly_pence) == (35, 9500)


def test_create_plan_as_draft_with_indicative_budget_and_audit(staff):
    person = PersonFactory()
    assessment = completed_assessment(person, {"hygiene": ["a"], "nutrition": ["a", "b"]})
    plan = plan_writes.plan_create(
        record=opened(staff.social_worker, person),
        goals="To stay at home with my cat",
        needs=NEEDS,
        delivery_mechanism="Direct payment",
        assessment=assessment,
    )
    assert (plan.version, plan.status, plan.indicative_weekly_pence) == (1, PlanStatus.DRAFT, 9500)
    assert [(n.outcome_code, n.meet_by) for n in plan.needs.order_by("pk")] == [
        ("hygiene", "service"),
        ("nutrition", "family"),
    ]
    assert list(plan.status_changes.values_list("status", flat=True)) == ["draft"]
    assert AuditEvent.objects.filter(person_id=person.pk, object_type="planning.planneed").count() == 2


def test_plan_validation_messages(staff):
    person = PersonFactory()
    with pytest.raises(ValidationFailed) as exc:
        plan_writes.plan_create(
            record=opened(staff.social_worker, person),
            goals=" ",
            delivery_mechanism="Cash",
            needs=[{"outcome_code": "hygiene", "meet_by": "magic", "description": ""}],
        )
    assert exc.value.errors == {
        "goals": "Enter the person's goals, in their own words",
        "meet_by_hygiene": "Select how the need for maintaining personal hygiene will be met",
        "description_hygiene": "Describe how the need for maintaining personal hygiene will be met",
        "delivery_mechanism": "Select a delivery mechanism from the list",
    }
    with pytest.raises(ValidationFailed) as exc:
        plan_writes.plan_create(record=opened(staff.social_worker, person), goals="Goals", needs=[])
    assert exc.value.errors == {
        "needs": "Add at least one eligible need and how it will be met (complete an assessment first)"
    }
    with pytest.raises(PermissionError):
        plan_writes.plan_create(record=opened(staff.broker, person), goals="Goals", needs=NEEDS)


def _agreed_plan(staff, person=None):
    person = person or PersonFactory()
    plan = plan_writes.plan_create(
        record=opened(staff.social_worker, person),
        goals="Stay at home",
        needs=NEEDS,
        agreed_weekly_pence=21000,
    )
    plan_writes.plan_agree(record=opened(staff.social_worker, plan.person), plan=plan)
    manager = UserFactory(username="manager-2", role="team_manager")
    return plan_writes.plan_sign_off(record=opened(manager, plan.person), plan=plan)


def test_agreement_goes_to_a_team_manager_when_sign_off_is_on(staff, settings):
    settings.OPENASC_PLAN_SIGN_OFF = True
    person = PersonFactory()
    plan = plan_writes.plan_create(
        record=opened(staff.social_worker, person), goals="Stay at home", needs=NEEDS
    )
    with pytest.raises(ValidationFailed) as exc:
        plan_writes.plan_agree(record=opened(staff.social_worker, plan.person), plan=plan)
    assert exc.value.errors == {
        "agreed_weekly": "Enter the agreed weekly personal budget before agreeing the plan"
    }
    plan = plan_writes.plan_update(
        record=opened(staff.social_worker, plan.person),
        plan=plan,
        goals="Stay at home",
        needs=NEEDS,
        agreed_weekly_pence=21000,
    )
    plan = plan_writes.plan_agree(record=opened(staff.social_worker, plan.person), plan=plan)
    assert plan.status == PlanStatus.AWAITING_SIGN_OFF
    with pytest.raises(PermissionError):
        plan_writes.plan_sign_off(record=opened(staff.social_worker, plan.person), plan=plan)
    with pytest.raises(ValidationFailed) as exc:
        plan_writes.plan_sign_off(record=opened(staff.team_manager, plan.person), plan=plan, approve=False)
    assert exc.value.errors == {"note": "Say what needs to change before the plan can be signed off"}
    plan = plan_writes.plan_sign_off(record=opened(staff.team_manager, plan.person), plan=plan)
    assert (plan.status, plan.signed_off_by, plan.agreed_on) == (
        PlanStatus.AGREED,
        staff.team_manager,
        timezone.localdate(),
    )
    assert list(plan.status_changes.values_list("status", flat=True)) == [
        "draft",
        "awaiting_sign_off",
        "agreed",
    ]


def test_without_sign_off_the_worker_agrees_directly(staff, settings):
    settings.OPENASC_PLAN_SIGN_OFF = False
    plan = plan_writes.plan_create(
        record=opened(staff.social_worker, PersonFactory()), goals="Goals", needs=NEEDS, agreed_weekly_pence=0
    )
    plan = plan_writes.plan_agree(record=opened(staff.social_worker, plan.person), plan=plan)
    assert (plan.status, plan.signed_off_by) == (PlanStatus.AGREED, None)


def test_new_version_keeps_the_old_one_until_it_is_agreed(staff):
    plan = _agreed_plan(staff)
    with pytest.raises(ValidationFailed):
        plan_writes.plan_create(record=opened(staff.social_worker, plan.person), goals="Again", needs=NEEDS)
    v2 = plan_writes.plan_new_version(
        record=opened(staff.social_worker, plan.person),
        plan=plan,
        agreed_weekly_pence=30000,
        needs=NEEDS[:1],
        reason="More help after a fall",
    )
    plan.refresh_from_db()
    assert (v2.version, v2.previous, v2.status, v2.goals) == (2, plan, PlanStatus.DRAFT, "Stay at home")
    assert plan.status == PlanStatus.AGREED  # still in force while v2 is prepared
    with pytest.raises(ValidationFailed) as exc:
        plan_writes.plan_new_version(record=opened(staff.social_worker, plan.person), plan=plan)
    assert exc.value.errors == {"plan": "Version 2 is already being prepared (draft): change that one"}
    plan_writes.plan_agree(record=opened(staff.social_worker, v2.person), plan=v2)
    plan_writes.plan_sign_off(record=opened(staff.team_manager, v2.person), plan=v2)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    assert (plan.agreed_weekly_pence, plan.needs.count()) == (21000, 2)  # never overwritten
    assert list(
        Plan.objects.filter(person=plan.person).order_by("version").values_list("version", "status")
    ) == [(1, "superseded"), (2, "agreed")]
    assert plan.status_changes.last().note == "Replaced by version 2"


def test_review_scheduling_first_then_after_each_completion(staff, settings):
    settings.OPENASC_FIRST_REVIEW_WEEKS = 6
    settings.OPENASC_REVIEW_INTERVAL_WEEKS = 52
    person = PersonFactory()
    assert plan_writes.review_schedule_for(record=opened(staff.system, person)) is None  # no service yet
    ServiceFactory(person=person, start_on=dt.date(2026, 2, 2))
    first = plan_writes.review_schedule_for(record=opened(staff.system, person))
    assert first.due_on == dt.date(2026, 3, 16)
    assert plan_writes.review_schedule_for(record=opened(staff.system, person)) == first  # idempotent
    plan_writes.review_complete(
        record=opened(staff.social_worker, first.person),
        review=first,
        completed_on=dt.date(2026, 3, 20),
        method="Face to face",
        outcomes_achieved="Partially achieved",
        what_followed="increase",
        notes="More evening calls",
    )
    first.refresh_from_db()
    assert (first.status, first.outcome) == (
        ReviewStatus.COMPLETED,
        "Progress to support planning or services",
    )
    [following] = Review.objects.filter(person=person, status=ReviewStatus.SCHEDULED)
    assert following.due_on == dt.date(2027, 3, 19)  # 52 weeks after completion
    assert list(first.status_changes.values_list("status", flat=True)) == ["scheduled", "completed"]


def test_no_next_review_when_services_ended(staff):
    person = PersonFactory()
    ServiceFactory(person=person, start_on=dt.date(2026, 2, 2))
    review = plan_writes.review_schedule_for(record=opened(staff.system, person))
    plan_writes.review_complete(
        record=opened(staff.social_worker, review.person),
        review=review,
        completed_on=dt.date(2026, 3, 20),
        method="Telephone",
        outcomes_achieved="Fully achieved",
        what_followed="ended",
    )
    review.refresh_from_db()
    assert review.outcome == "NFA: Support ended as planned"
    assert not Review.objects.filter(person=person, status=ReviewStatus.SCHEDULED).exists()


def test_review_completion_validation(staff):
    person = PersonFactory()
    ServiceFactory(person=person, start_on=dt.date(2026, 2, 2))
    review = plan_writes.review_schedule_for(record=opened(staff.system, person))
    with pytest.raises(ValidationFailed) as exc:
        plan_writes.review_complete(
            record=opened(staff.social_worker, review.person),
            review=review,
            completed_on=timezone.localdate() + dt.timedelta(days=1),
            method="Carrier pigeon",
            outcomes_achieved="",
            what_followed="",
        )
    assert exc.value.errors == {
        "completed_on": "The date the review was completed must be today or in the past",
        "method": "Select how the review was carried out",
        "outcomes_achieved": "Select whether the person's outcomes were achieved",
        "what_followed": "Select what followed the review",
    }


def _complete_on(staff, review, completed_on, **extra):
    return plan_writes.review_complete(
        record=opened(staff.social_worker, review.person),
        review=review,
        completed_on=completed_on,
        method="Telephone",
        outcomes_achieved="Fully achieved",
        what_followed="no_change",
        **extra,
    )


def test_a_review_cannot_be_before_the_care_it_reviews_began(staff):
    person = PersonFactory()
    ServiceFactory(person=person, start_on=dt.date(2026, 2, 2))
    review = plan_writes.review_schedule_for(record=opened(staff.system, person))
    with pytest.raises(ValidationFailed) as exc:
        _complete_on(staff, review, dt.date(2026, 2, 1))  # the day before the service started
    assert exc.value.errors == {
        "completed_on": "A review cannot be before the care it reviews: the first service started on 2 February 2026"
    }
    with pytest.raises(ValidationFailed) as exc:  # a start date given explicitly is the one that is wrong
        _complete_on(staff, review, dt.date(2026, 2, 3), started_on=dt.date(2026, 1, 30))
    assert list(exc.value.errors) == ["started_on"]
    review.refresh_from_db()
    assert review.status == ReviewStatus.SCHEDULED  # nothing was written
    _complete_on(staff, review, dt.date(2026, 2, 2))  # the day it started is allowed
    review.refresh_from_db()
    assert (review.status, review.completed_on) == (ReviewStatus.COMPLETED, dt.date(2026, 2, 2))


def test_unplanned_review(staff):
    person = PersonFactory()
    review = plan_writes.review_create_unplanned(
        record=opened(staff.social_worker, person), reason="Unplanned: Hospital"
    )
    assert (review.reason, review.due_on) == ("Unplanned: Hospital", timezone.localdate())
    with pytest.raises(ValidationFailed):
        plan_writes.review_create_unplanned(record=opened(staff.social_worker, person), reason="Planned")


def test_a_team_manager_cannot_agree_their_own_plan_alone(staff, settings):
    settings.OPENASC_PLAN_SIGN_OFF = True
    own = plan_writes.plan_create(
        record=opened(staff.team_manager, PersonFactory()),
        goals="Goals",
        needs=NEEDS,
        agreed_weekly_pence=100,
    )
    assert (
        plan_writes.plan_agree(record=opened(staff.team_manager, own.person), plan=own).status
        == PlanStatus.AWAITING_SIGN_OFF
    )
    with pytest.raises(ValidationFailed) as exc:
        plan_writes.plan_sign_off(record=opened(staff.team_manager, own.person), plan=own)
    assert exc.value.errors == {"plan": "Another team manager must sign off a plan you wrote"}
    theirs = plan_writes.plan_create(
        record=opened(staff.social_worker, PersonFactory()),
        goals="Goals",
        needs=NEEDS,
        agreed_weekly_pence=100,
    )
    agreed = plan_writes.plan_agree(record=opened(staff.team_manager, theirs.person), plan=theirs)
    assert (agreed.status, agreed.signed_off_by) == (PlanStatus.AGREED, staff.team_manager)


# --- the plan and review workflows (core.workflow) ---------------------------------------------------------------


def test_each_plan_transition_is_attributed_in_its_status_row_and_audit_event(staff, settings):
    settings.OPENASC_PLAN_SIGN_OFF = True
    manager = UserFactory(username="manager-2", role="team_manager")
    plan = plan_writes.plan_create(
        record=opened(staff.social_worker, PersonFactory()),
        goals="Stay at home",
        needs=NEEDS,
        agreed_weekly_pence=21000,
    )
    plan_writes.plan_agree(record=opened(staff.social_worker, plan.person), plan=plan)
    plan_writes.plan_sign_off(
        record=opened(manager, plan.person), plan=plan, approve=False, note="Add the carer"
    )
    plan_writes.plan_agree(record=opened(staff.social_worker, plan.person), plan=plan)
    plan = plan_writes.plan_sign_off(record=opened(manager, plan.person), plan=plan)
    assert list(plan.status_changes.values_list("status", "changed_by__username", "note")) == [
        ("draft", "social_worker", ""),
        ("awaiting_sign_off", "social_worker", ""),
        ("draft", "manager-2", "Add the carer"),
        ("awaiting_sign_off", "social_worker", ""),
        ("agreed", "manager-2", ""),
    ]
    events = AuditEvent.objects.filter(object_type="planning.plan", object_id=str(plan.pk), action="update")
    assert [
        (e.actor.username, e.details["transition"], e.details["previous_status"], e.details["status"])
        for e in events.order_by("pk")
    ] == [
        ("social_worker", "send_for_sign_off", "draft", "awaiting_sign_off"),
        ("manager-2", "return", "awaiting_sign_off", "draft"),
        ("social_worker", "send_for_sign_off", "draft", "awaiting_sign_off"),
        ("manager-2", "sign_off", "awaiting_sign_off", "agreed"),
    ]
    assert all(e.basis for e in events)


def test_a_plan_refused_by_state_or_role_writes_only_the_refusal(staff, settings):
    settings.OPENASC_PLAN_SIGN_OFF = True
    plan = plan_writes.plan_create(
        record=opened(staff.social_worker, PersonFactory()),
        goals="Stay at home",
        needs=NEEDS,
        agreed_weekly_pence=21000,
    )
    with pytest.raises(ValidationFailed) as exc:  # a draft is not waiting for sign-off
        plan_writes.plan_sign_off(record=opened(staff.team_manager, plan.person), plan=plan)
    assert exc.value.errors == {
        "plan": "This plan is draft: it cannot be signed off (only a plan that is waiting "
        "for sign-off can be). From here it can only be: agree the plan, agree and "
        "send for sign-off."
    }
    plan_writes.plan_agree(record=opened(staff.social_worker, plan.person), plan=plan)
    with pytest.raises(PermissionError, match="Your role cannot sign off"):  # a worker is not a manager
        plan_writes.plan_sign_off(record=opened(staff.social_worker, plan.person), plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AWAITING_SIGN_OFF
    assert list(plan.status_changes.values_list("status", flat=True)) == ["draft", "awaiting_sign_off"]
    refusals = AuditEvent.objects.filter(action="access_refused", person_id=plan.person_id).order_by("pk")
    assert [(e.actor.username, e.details["purpose"]) for e in refusals] == [
        ("team_manager", "plan: sign_off"),
        ("social_worker", "plan: sign_off"),
    ]


def test_agreeing_a_new_version_supersedes_the_old_through_the_workflow(staff):
    first = _agreed_plan(staff)
    second = plan_writes.plan_new_version(
        record=opened(staff.social_worker, first.person),
        plan=first,
        goals="New goals",
        reason="Needs changed",
    )
    plan_writes.plan_agree(record=opened(staff.social_worker, second.person), plan=second)
    manager = UserFactory(username="manager-3", role="team_manager")
    plan_writes.plan_sign_off(record=opened(manager, second.person), plan=second)
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED
    row = first.status_changes.order_by("-pk").first()
    assert (row.status, row.changed_by, row.note) == ("superseded", manager, "Replaced by version 2")
    event = AuditEvent.objects.filter(object_type="planning.plan", object_id=str(first.pk)).latest("pk")
    assert (event.details["transition"], event.details["event"]) == ("supersede", "plan_superseded")


def test_a_review_is_completed_once(staff):
    person = PersonFactory()
    review = plan_writes.review_create_unplanned(
        record=opened(staff.social_worker, person), reason="Unplanned: Hospital"
    )
    done = {
        "completed_on": timezone.localdate(),
        "method": "Face to face",
        "outcomes_achieved": "Fully achieved",
        "what_followed": "no_change",
    }
    plan_writes.review_complete(record=opened(staff.social_worker, person), review=review, **done)
    with pytest.raises(ValidationFailed) as exc:
        plan_writes.review_complete(record=opened(staff.social_worker, person), review=review, **done)
    assert exc.value.errors == {
        "review": "This review is completed: it cannot be completed (only a review that is "
        "scheduled can be). Nothing more can be done to it."
    }
    assert list(review.status_changes.values_list("status", "changed_by__username")) == [
        ("scheduled", "social_worker"),
        ("completed", "social_worker"),
    ]


def test_plan_writes_refuse_a_plan_or_review_of_another_persons_record(staff):
    plan = plan_writes.plan_create(
        record=opened(staff.social_worker, PersonFactory()),
        goals="Stay at home",
        needs=NEEDS,
        agreed_weekly_pence=21000,
    )
    elsewhere = opened(staff.social_worker, PersonFactory())
    for write in (
        lambda: plan_writes.plan_agree(record=elsewhere, plan=plan),
        lambda: plan_writes.plan_update(record=elsewhere, plan=plan, goals="Other", needs=NEEDS),
    ):
        with pytest.raises(ValidationFailed) as exc:
            write()
        assert list(exc.value.errors) == ["plan"] and "another person's record" in exc.value.errors["plan"]
    plan.refresh_from_db()
    assert (plan.status, plan.goals) == (PlanStatus.DRAFT, "Stay at home")
    with pytest.raises(TypeError):
        plan_writes.plan_create(record=plan.person, goals="Goals", needs=NEEDS)


def test_who_does_what_when_and_the_contingency_plan_are_kept_and_carried_into_a_new_version(staff):
    needs = [
        {**NEEDS[0], "who": "Bluebell Home Care", "when": "Every morning, 7.30 to 8.15"},
        {**NEEDS[1], "who": "Daughter Susan", "when": "Weekdays at tea time"},
    ]
    person = PersonFactory()
    plan = plan_writes.plan_create(
        record=opened(staff.social_worker, person),
        goals="Stay at home",
        needs=needs,
        agreed_weekly_pence=21000,
        contingency="If Susan cannot come, ring Bluebell Home Care for a tea-time call.",
    )
    stored = {n.outcome_code: (n.who, n.when) for n in plan.needs.all()}
    assert stored == {
        "hygiene": ("Bluebell Home Care", "Every morning, 7.30 to 8.15"),
        "nutrition": ("Daughter Susan", "Weekdays at tea time"),
    }
    plan_writes.plan_agree(record=opened(staff.social_worker, person), plan=plan)
    manager = UserFactory(username="manager-3", role="team_manager")
    plan = plan_writes.plan_sign_off(record=opened(manager, person), plan=plan)
    v2 = plan_writes.plan_new_version(
        record=opened(staff.social_worker, person), plan=plan, reason="More help"
    )
    assert v2.contingency == plan.contingency
    assert {n.outcome_code: (n.who, n.when) for n in v2.needs.all()} == stored


def test_who_and_when_and_the_contingency_plan_have_limits(staff):
    person = PersonFactory()
    with pytest.raises(ValidationFailed) as exc:
        plan_writes.plan_create(
            record=opened(staff.social_worker, person),
            goals="Stay at home",
            needs=[{**NEEDS[0], "who": "x" * 201, "when": "y" * 200}],
            contingency="z" * 10001,
        )
    assert exc.value.errors == {
        "who_hygiene": "Who will meet the need for maintaining personal hygiene must be 200 characters or fewer",
        "contingency": "The contingency plan must be 10,000 characters or fewer",
    }
    assert not Plan.objects.filter(person=person).exists()


def test_a_plan_that_relies_on_family_without_a_contingency_plan_says_so(staff):
    from openasc.planning import presenters
    from openasc.planning.models import PlanNeed

    plan = Plan(goals="x", contingency="")
    family = PlanNeed(outcome_code="nutrition", meet_by="family", description="Daughter cooks")
    paid = PlanNeed(outcome_code="hygiene", meet_by="service", description="Morning calls", who="Bluebell")
    assert "relies on family or friends" in presenters.contingency_warning(plan, [paid, family])
    assert presenters.contingency_warning(plan, [paid]) == ""  # only paid support: nothing to warn about
    plan.contingency = "Ring Bluebell if Susan cannot come"
    assert presenters.contingency_warning(plan, [paid, family]) == ""
    rows = presenters.who_does_what_rows([family, paid])
    assert [r[0]["text"] for r in rows] == ["Bluebell", "Not recorded"]  # formal support first
    assert [r[3]["text"] for r in rows] == ["Formal (paid for)", "Informal"]
