"""The safeguarding lead's queues and dashboard: the decision timer on both sides of its due date, who sees which
adults (and that each one shown is audited), counts that name nobody, and the chart's table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.core.models import AuditAction, AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding import calendar, dashboard, sac
from openasc.safeguarding.selectors import queues
from openasc.safeguarding.tests.factories import ConcernFactory, EnquiryFactory, ProtectionPlanFactory

MONDAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    "due, today, words",
    [
        (MONDAY, MONDAY, "Due today"),
        (MONDAY + dt.timedelta(days=1), MONDAY, "Due in 1 working day"),
        (MONDAY + dt.timedelta(days=7), MONDAY, "Due in 5 working days"),
        (MONDAY, MONDAY + dt.timedelta(days=1), "Overdue by 1 working day"),
        (
            MONDAY - dt.timedelta(days=3),
            MONDAY,
            "Overdue by 1 working day",
        ),  # Friday to Monday: one working day
        (MONDAY, MONDAY + dt.timedelta(days=7), "Overdue by 5 working days"),
    ],
)
def test_the_decision_timer_counts_working_days(due, today, words):
    assert calendar.timer(due, today)[0] == words


def test_bank_holidays_are_not_working_days(settings, tmp_path):
    path = tmp_path / "days.csv"
    path.write_text("date,name,status\n2026-12-01,A council closure day,LOCAL\n", encoding="utf-8")
    settings.OPENASC_NON_WORKING_DAYS_FILE = str(path)
    assert calendar.working_days_between(MONDAY, MONDAY + dt.timedelta(days=2)) == 1


@pytest.fixture
def hub(staff, teams):
    staff.safeguarding_lead.teams.add(teams.safeguarding)
    return teams.safeguarding


def _concern(hub, due, **kw):
    adult = kw.pop("person", None) or PersonFactory()
    CareRelationshipFactory(person=adult, user=None, team=hub, kind=RelationshipKind.SAFEGUARDING_ENQUIRY)
    return ConcernFactory(person=adult, team=hub, decision_due_on=due, **kw)


def test_the_queue_lists_the_most_urgent_first_and_audits_each_adult_shown(client, staff, hub):
    today = timezone.localdate()
    later = _concern(
        hub, today + dt.timedelta(days=5), person=PersonFactory(first_name="Later", last_name="One")
    )
    late = _concern(
        hub, today - dt.timedelta(days=3), person=PersonFactory(first_name="Late", last_name="One")
    )
    client.force_login(staff.safeguarding_lead)
    html = client.get("/safeguarding/").content.decode()
    assert html.index("Late One") < html.index("Later One")
    assert (
        f'href="/safeguarding/concerns/{late.pk}"' in html and "&lt;a" not in html
    )  # links, not escaped text
    assert "Overdue by" in html and "past the decision due date" in html
    shown = AuditEvent.objects.filter(
        actor=staff.safeguarding_lead, action=AuditAction.VIEW, basis=dashboard.BASIS
    )
    assert set(shown.values_list("person_id", flat=True)) == {later.person_id, late.person_id}


def test_a_concern_on_a_record_the_user_cannot_open_is_counted_but_not_named(client, staff, hub):
    today = timezone.localdate()
    hidden = ConcernFactory(
        person=PersonFactory(first_name="Hidden", last_name="Adult"), team=hub, decision_due_on=today
    )
    client.force_login(staff.team_manager)  # sees safeguarding, but has no relationship with this adult
    html = client.get("/safeguarding/").content.decode()
    assert "Hidden Adult" not in html and hidden.person.la_person_id not in html
    assert "1 more concern is on records you cannot open" in html
    assert not AuditEvent.objects.filter(person_id=hidden.person_id).exists()


@pytest.mark.parametrize(
    "path",
    ["/safeguarding/", "/safeguarding/enquiries/", "/safeguarding/plan-reviews/", "/safeguarding/dashboard/"],
)
def test_other_roles_are_refused_and_the_refusal_is_audited(client, staff, path):
    client.force_login(staff.social_worker)
    assert client.get(path).status_code == 403
    assert AuditEvent.objects.filter(actor=staff.social_worker, action=AuditAction.ACCESS_REFUSED).exists()


def test_enquiries_are_counted_by_stage_and_officer(client, staff, hub):
    for _ in range(2):
        EnquiryFactory(
            in_progress=True, officer=staff.social_worker, concern=_concern(hub, timezone.localdate())
        )
    EnquiryFactory(concern=_concern(hub, timezone.localdate()))
    stages, rows = queues.by_stage_and_officer()
    assert stages[:2] == ["Planning: strategy and allocation", "Enquiry in progress"]
    by_officer = {r["officer"]: r["cells"] for r in rows}
    assert by_officer["Not allocated"][:2] == [1, 0]
    assert by_officer[staff.social_worker.display_name][:2] == [0, 2]
    client.force_login(staff.safeguarding_lead)
    assert client.get("/safeguarding/enquiries/").status_code == 200


def test_a_plan_review_is_overdue_only_after_its_date(client, staff, hub):
    today = timezone.localdate()
    due_today = ProtectionPlanFactory(
        review_due_on=today, enquiry=EnquiryFactory(in_progress=True, concern=_concern(hub, today))
    )
    late = ProtectionPlanFactory(
        review_due_on=today - dt.timedelta(days=1),
        enquiry=EnquiryFactory(in_progress=True, concern=_concern(hub, today)),
    )
    listed = queues.overdue_plan_reviews(staff.safeguarding_lead, today)
    assert [p.pk for p in listed.items] == [late.pk] and due_today.pk not in [p.pk for p in listed.items]
    client.force_login(staff.safeguarding_lead)
    assert "1 day overdue" in client.get("/safeguarding/plan-reviews/").content.decode()


def test_the_dashboard_counts_the_year_by_month_with_a_table_beside_the_chart(client, staff, hub):
    today = timezone.localdate()
    year = sac.current_year(today)
    april = dt.date(year, 4, 1)  # on or before today, whenever the test runs
    EnquiryFactory(concern=_concern(hub, april, received_on=april, decided=True))
    _concern(hub, april, received_on=april)
    series = queues.months(year, today)
    assert series[0].label == f"Apr {year}" and (series[0].concerns, series[0].enquiries) == (2, 1)
    client.force_login(staff.safeguarding_lead)
    html = client.get("/safeguarding/dashboard/").content.decode()
    assert "50.0%" in html  # one enquiry from two concerns
    assert "The figures in the chart" in html and "<svg" in html


@pytest.mark.parametrize("span", range(0, 40))
def test_working_days_in_whole_weeks_agree_with_counting_day_by_day(settings, tmp_path, span):
    path = tmp_path / "days.csv"
    path.write_text("date,name,status\n2026-12-25,Christmas Day,UNVERIFIED\n2026-12-26,A Saturday,LOCAL\n")
    settings.OPENASC_NON_WORKING_DAYS_FILE = str(path)
    start = dt.date(2026, 12, 17)
    end = start + dt.timedelta(days=span)
    by_day = sum(1 for i in range(1, span + 1) if calendar.is_working_day(start + dt.timedelta(days=i)))
    assert calendar.working_days_between(start, end) == by_day
    assert calendar.working_days_between(end, start) == -by_day
