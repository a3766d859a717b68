"""The worktray page (every role's home), its disclosure rules, a task's link, the header count, notifications."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openasc.assessments.tests.factories import AssessmentFactory
from openasc.assessments.workflows import ASSESSMENT
from openasc.core.models import AuditEvent, RelationshipKind, Role
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory, opened
from openasc.frontdoor.tests.factories import SupportRequestFactory, routed
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import ReviewFactory
from openasc.worktray.models import Notification, Task, TaskKind
from openasc.worktray.services.refresh import refresh

TODAY = timezone.localdate()


def in_team(team, **kwargs):
    person = PersonFactory(**kwargs)
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=team)
    return person


def submitted(person, assessor):
    a = AssessmentFactory(person=person, assessor=assessor)
    ASSESSMENT.apply(opened(assessor, person), a, "submit")
    return a


def test_the_home_page_is_the_worktray_with_the_task_linking_to_where_it_is_done(client, staff, teams):
    person = in_team(teams.north, first_name="Edna", last_name="Marsh")
    a = submitted(person, staff.social_worker)
    client.force_login(staff.team_manager)
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200 and "Your worktray" in html
    assert "Sign off an assessment" in html and "Edna Marsh" in html
    task = Task.objects.get()
    assert f'href="/worktray/tasks/{task.pk}"' in html
    follow = client.get(f"/worktray/tasks/{task.pk}")
    assert follow.status_code == 302 and follow.url == f"/assessments/{a.pk}/sign-off"
    assert Notification.objects.get(user=staff.team_manager, task=task).read_at is not None


def test_the_list_discloses_each_person_it_names_and_only_them(client, staff, teams):
    person = in_team(teams.north)
    submitted(person, staff.social_worker)
    client.force_login(staff.team_manager)
    client.get("/")
    event = AuditEvent.objects.get(action="disclose", actor=staff.team_manager)
    assert event.person_id == person.pk and event.details["purpose"] == "worktray"


def test_a_task_about_a_person_the_user_cannot_open_never_names_them(client, staff, teams):
    """A request past its target is the front door's; a front door officer in no team, whose role opens anyone,
    sees the name, but a manager of the request's team sees it only while the person is in the team's record.
    Here the person is restricted: the task is the team's, the name is not shown, and nothing is disclosed."""
    from openasc.core import audit
    from openasc.core.models import Restriction

    req = routed(teams.north, urgency="urgent", received_on=TODAY - dt.timedelta(days=17))
    req.person.first_name, req.person.last_name = "Hidden", "Person"
    with audit.exempt_from_safety_net():
        req.person.save()
        Restriction.objects.create(
            person=req.person,
            reason="Member of staff",
            review_on=TODAY + dt.timedelta(days=30),
            created_by=staff.information_governance,
        )
    refresh(actor=staff.system)
    client.force_login(staff.team_manager)
    html = client.get("/").content.decode()
    assert "Urgent request past its 1-day target" in html
    assert "about a person whose record you cannot open" in html
    assert "Hidden" not in html and req.person.la_person_id not in html
    assert not AuditEvent.objects.filter(action="disclose", actor=staff.team_manager).exists()


def test_someone_the_task_is_not_for_gets_not_found(client, staff, teams):
    person = in_team(teams.north)
    submitted(person, staff.social_worker)
    task = Task.objects.get()
    client.force_login(staff.social_worker)  # the assessor: no SIGN_OFF
    assert client.get(f"/worktray/tasks/{task.pk}").status_code == 404
    assert client.get("/worktray/tasks/999999").status_code == 404
    other = UserFactory(role=Role.TEAM_MANAGER, teams=[TeamFactory()])
    client.force_login(other)
    assert client.get(f"/worktray/tasks/{task.pk}").status_code == 404
    assert "Sign off" not in client.get("/").content.decode()


def test_a_closed_task_says_it_is_done(client, staff, teams):
    person = in_team(teams.north)
    a = submitted(person, staff.social_worker)
    ASSESSMENT.apply(opened(staff.team_manager, person), a, "sign_off")
    task = Task.objects.get()
    client.force_login(staff.team_manager)
    page = client.get(f"/worktray/tasks/{task.pk}")
    assert page.status_code == 200 and "This task is done" in page.content.decode()


def test_overdue_tasks_come_first_and_the_filter_keeps_one_kind(client, staff, teams):
    person = in_team(teams.north)
    CareRelationshipFactory(person=person, user=staff.team_manager)
    ReviewFactory(person=person, due_on=TODAY + dt.timedelta(days=10))
    ReviewFactory(person=in_team(teams.north), due_on=TODAY - dt.timedelta(days=40))
    submitted(in_team(teams.north), staff.social_worker)
    refresh(actor=staff.system)
    client.force_login(staff.team_manager)
    html = client.get("/").content.decode()
    titles = re.findall(r'href="/worktray/tasks/\d+">([^<]+)<', html)
    assert titles[0] == "Complete a review"  # 40 days overdue
    assert "40 days overdue" in html
    only = client.get("/?kind=" + TaskKind.ASSESSMENT_SIGN_OFF).content.decode()
    assert re.findall(r'href="/worktray/tasks/\d+">([^<]+)<', only) == ["Sign off an assessment"]


def test_the_header_count_is_one_query_and_shows_on_every_page(client, staff, teams):
    submitted(in_team(teams.north), staff.social_worker)
    submitted(in_team(teams.north), staff.occupational_therapist)
    client.force_login(staff.team_manager)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/people/")
    assert "Worktray (2)" in page.content.decode()
    counts = [q["sql"] for q in queries if "worktray_task" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()
    client.force_login(staff.broker)
    assert "Worktray (" not in client.get("/people/").content.decode()
    # On the worktray itself the header takes the page's own total: no count of its own
    client.force_login(staff.team_manager)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/")
    assert "Worktray (2)" in page.content.decode()
    assert not [
        q for q in queries if q["sql"].upper().startswith('SELECT COUNT(*) AS "__COUNT" FROM "WORKTRAY_TASK"')
    ]


def test_each_role_sees_its_key_figures(client, staff, teams):
    SupportRequestFactory(urgency="urgent", received_on=TODAY - dt.timedelta(days=3))
    routed(teams.north, urgency="routine", received_on=TODAY - dt.timedelta(days=2))
    client.force_login(staff.team_manager)
    html = client.get("/").content.decode()
    assert "Past their urgency target" in html and "Assessments to sign off" in html
    client.force_login(staff.performance_analyst)
    html = client.get("/").content.decode()
    assert "Last CLD import" in html and "Population figures" in html and "to sign off" not in html
    client.force_login(staff.social_worker)
    html = client.get("/").content.decode()
    assert "People on your caseload" in html and "Past their urgency target" not in html


def test_the_waiting_list_highlights_counts_and_sorts_breached_requests_first(client, staff, teams):
    late = SupportRequestFactory(urgency="urgent", received_on=TODAY - dt.timedelta(days=2))
    SupportRequestFactory(urgency="routine", received_on=TODAY - dt.timedelta(days=20))
    SupportRequestFactory(urgency="urgent", received_on=TODAY - dt.timedelta(days=1))  # on its target day
    client.force_login(staff.front_door)
    html = client.get("/front-door/waiting?list=triage").content.decode()
    assert "Waiting for triage: 3 (1 past its target)" in html
    assert html.count("Past target") == 1
    first = re.search(r'/front-door/requests/(\d+)"', html).group(1)
    assert int(first) == late.pk  # longest wait is 20 days, but the breached one comes first


def test_notifications_list_and_mark_read(client, staff, teams):
    submitted(in_team(teams.north), staff.social_worker)
    client.force_login(staff.team_manager)
    html = client.get("/worktray/notifications").content.decode()
    assert "1 unread" in html and "Sign off an assessment" in html
    client.post("/worktray/notifications")
    assert "0 unread" in client.get("/worktray/notifications").content.decode()


def test_email_can_be_turned_off_and_the_choice_is_checked(client, staff, teams):
    client.force_login(staff.team_manager)
    assert client.post("/worktray/notifications/settings", {"email": "maybe"}).status_code == 400
    client.post("/worktray/notifications/settings", {"email": "no"})
    staff.team_manager.email = "manager@example.org"
    staff.team_manager.save()
    submitted(in_team(teams.north), staff.social_worker)
    assert Notification.objects.get(user=staff.team_manager).email == ""


def test_the_api_lists_the_same_tasks_and_hides_who_the_caller_cannot_open(client, staff, teams):
    from openasc.core import audit
    from openasc.core.models import Restriction

    seen = in_team(teams.north)
    a = submitted(seen, staff.social_worker)
    hidden = in_team(teams.north)
    submitted(hidden, staff.occupational_therapist)
    with audit.exempt_from_safety_net():
        Restriction.objects.create(
            person=hidden,
            reason="Member of staff",
            review_on=TODAY + dt.timedelta(days=30),
            created_by=staff.information_governance,
        )
    client.force_login(staff.team_manager)
    body = client.get("/api/tasks").json()
    assert body["total"] == 2 and body["counts"] == {TaskKind.ASSESSMENT_SIGN_OFF: 2}
    by_url = {t["url"]: t for t in body["tasks"]}
    mine = by_url[f"/assessments/{a.pk}/sign-off"]
    assert (mine["person_id"], mine["person_hidden"]) == (seen.pk, False)
    other = next(t for t in body["tasks"] if t is not mine)
    assert (other["person_id"], other["person_hidden"]) == (None, True)
    client.force_login(staff.broker)
    assert client.get("/api/tasks").json()["total"] == 0


def test_the_home_figures_are_the_waiting_lists_own_counts_kept_a_minute_unless_the_user_acts(
    client, staff, teams
):
    from openasc.frontdoor import selectors as frontdoor_selectors
    from openasc.frontdoor import services as frontdoor_writes

    late = routed(
        teams.north, decision="support_planning", urgency="urgent", received_on=TODAY - dt.timedelta(days=5)
    )
    routed(teams.north, urgency="routine", received_on=TODAY - dt.timedelta(days=2))
    client.force_login(staff.team_manager)

    def figure(html, label):
        return int(
            re.search(r'(\d+)</span>\s*<span class="govuk-body govuk-!-margin-0"><a[^>]*>' + label, html)[1]
        )

    html = client.get("/").content.decode()
    counts, breached = frontdoor_selectors.waiting_counts(user=staff.team_manager)
    # Two requests: both wait for allocation, one also for an assessment (on two lists, counted once)
    assert (counts, breached) == (
        {"triage": 0, "allocation": 2, "assessment": 1, "any": 2},
        {"triage": 0, "allocation": 1, "assessment": 0, "any": 1},
    )
    assert figure(html, "Waiting") == 2
    assert figure(html, "Past their urgency target") == 1
    # Someone else's change shows within the minute (the figures are kept); the manager's own at once
    routed(teams.north, urgency="urgent", received_on=TODAY - dt.timedelta(days=9))
    assert figure(client.get("/").content.decode(), "Past their urgency target") == 1
    frontdoor_writes.allocation_create(
        record=opened(staff.team_manager, late.person), worker=staff.social_worker
    )
    html = client.get("/").content.decode()
    assert figure(html, "Past their urgency target") == 1  # one ended, one began
    assert figure(html, "Waiting") == 2


def test_an_administrator_sets_the_councils_urgency_targets_and_breaches_follow(client, staff):
    from openasc.worktray.services.refresh import refresh as run_refresh

    SupportRequestFactory(
        urgency="urgent", received_on=TODAY - dt.timedelta(days=2)
    )  # past the default 1 day
    client.force_login(staff.team_manager)
    assert client.get("/worktray/targets").status_code == 403
    client.force_login(staff.administrator)
    page = client.get("/worktray/targets")
    assert page.status_code == 200 and 'value="1"' in page.content.decode()
    bad = client.post("/worktray/targets", {"urgent": "0", "soon": "five", "routine": "28"})
    html = bad.content.decode()
    assert bad.status_code == 400 and 'href="#urgent"' in html and 'href="#soon"' in html
    assert "Enter the days an urgent request may wait as a whole number from 1 to 365" in html
    assert client.post("/worktray/targets", {"urgent": "2", "soon": "5", "routine": "28"}).status_code == 302
    event = AuditEvent.objects.filter(details__event="urgency_targets_set").get()
    assert event.details["changes"] == {"urgent": [1, 2]}
    assert run_refresh(actor=staff.system)[TaskKind.REQUEST_BREACH].opened == 0  # 2 days is within 2
    client.force_login(staff.front_door)
    html = client.get("/front-door/waiting?list=triage").content.decode()
    assert "Past target" not in html and "(target 2 days)" in html
