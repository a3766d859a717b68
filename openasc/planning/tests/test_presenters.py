"""Planning presenters on unsaved objects (no database): tags, budgets, need labels, rows."""

import datetime as dt

from openasc.core.models import User
from openasc.people.models import Person
from openasc.planning import presenters
from openasc.planning.models import Plan, PlanNeed, PlanStatus, Review, ReviewStatus

WORKER = User(username="sw", first_name="Sam", last_name="Worker")


def plan(**kwargs) -> Plan:
    return Plan(
        **{
            "pk": 7,
            "version": 2,
            "status": PlanStatus.DRAFT,
            "goals": "Stay at home",
            "created_by": WORKER,
            **kwargs,
        }
    )


def test_money_or_keeps_a_zero_budget_and_marks_a_missing_one():
    assert presenters.money_or(9500, "Not available") == "£95.00"
    assert presenters.money_or(0, "Not available") == "£0.00"
    assert presenters.money_or(None, "Not available") == "Not available"


def test_need_labels_in_the_care_act_words_and_unknown_codes_as_they_are():
    assert presenters.need_label("nutrition") == "Managing and maintaining nutrition"
    assert presenters.need_label("juggling") == "juggling"


def test_each_plan_status_has_its_tag():
    assert presenters.plan_status_tag(plan()) == {"text": "Draft", "classes": "govuk-tag--grey"}
    assert presenters.plan_status_tag(plan(status=PlanStatus.AWAITING_SIGN_OFF)) == {
        "text": "Waiting for sign-off",
        "classes": "govuk-tag--yellow",
    }
    assert presenters.plan_status_tag(plan(status=PlanStatus.AGREED))["classes"] == "govuk-tag--green"
    assert (
        presenters.plan_status_tag(plan(status=PlanStatus.SUPERSEDED))["text"]
        == "Replaced by a later version"
    )
    assert set(presenters.PLAN_TAG_CLASSES) == set(PlanStatus)
    assert set(presenters.REVIEW_TAG_CLASSES) == set(ReviewStatus)
    assert presenters.review_status_tag(Review(status=ReviewStatus.COMPLETED))["text"] == "Completed"


def test_summary_rows_of_a_draft_and_of_an_agreed_plan():
    rows = {r["key"]["text"]: r["value"]["text"] for r in presenters.plan_summary_rows(plan())}
    assert rows == {
        "Goals": "Stay at home",
        "Indicative weekly budget": "Not available",
        "Agreed weekly budget": "Not agreed yet",
        "Delivery mechanism": "Not recorded",
        "Starts": "When agreed",
        "Agreed on": "Not agreed yet",
        "Signed off by": "Not signed off",
        "Written by": "Sam Worker",
    }
    agreed = plan(
        status=PlanStatus.AGREED,
        indicative_weekly_pence=9500,
        agreed_weekly_pence=12050,
        starts_on=dt.date(2026, 4, 6),
        agreed_on=dt.date(2026, 4, 1),
        delivery_mechanism="Direct Payment",
    )
    rows = {r["key"]["text"]: r["value"]["text"] for r in presenters.plan_summary_rows(agreed)}
    assert (rows["Indicative weekly budget"], rows["Agreed weekly budget"]) == ("£95.00", "£120.50")
    assert (rows["Starts"], rows["Agreed on"]) == ("6 April 2026", "1 April 2026")


def test_need_rows():
    needs = [
        PlanNeed(outcome_code="hygiene", meet_by="service", description="Morning calls"),
        PlanNeed(outcome_code="nutrition", meet_by="family", description="Daughter cooks"),
    ]
    assert [[c["text"] for c in row] for row in presenters.need_rows(needs)] == [
        ["Maintaining personal hygiene", "A commissioned or paid-for service", "Morning calls"],
        ["Managing and maintaining nutrition", "Family and friends", "Daughter cooks"],
    ]


def test_plan_and_review_rows_link_to_their_pages_and_escape_what_was_typed():
    [row] = presenters.plan_rows([plan(agreed_weekly_pence=0)])
    assert row[0]["html"] == '<a class="govuk-link" href="/plans/7">Version 2</a>'
    assert [c["text"] for c in row[1:]] == ["Draft", "£0.00", "–"]
    [row] = presenters.review_rows(
        [
            Review(
                pk=3,
                reason="Unplanned: <Hospital>",
                due_on=dt.date(2026, 5, 1),
                status=ReviewStatus.SCHEDULED,
            )
        ]
    )
    assert row[0]["html"] == '<a class="govuk-link" href="/plans/reviews/3">Unplanned: &lt;Hospital&gt;</a>'
    assert [c["text"] for c in row[1:]] == ["1 May 2026", "Scheduled", "–"]


def test_sign_off_rows_say_how_long_each_plan_has_waited():
    waiting = plan(
        status=PlanStatus.AWAITING_SIGN_OFF,
        agreed_weekly_pence=None,
        person=Person(pk=4, first_name="Ivy", last_name="Lane", la_person_id="P4"),
    )
    waiting.waited = dt.timedelta(days=3, hours=5)
    [row] = presenters.sign_off_rows([waiting])
    assert "Ivy Lane" in row[0]["html"] and "(P4)" in row[0]["html"]
    assert [c["text"] for c in row[1:]] == ["Version 2", "–", "Sam Worker", "3 days"]
