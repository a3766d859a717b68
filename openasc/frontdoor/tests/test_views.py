import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from openasc.core.models import CareRelationship, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.frontdoor.models import SupportRequest
from openasc.frontdoor.tests.factories import SupportRequestFactory, routed
from openasc.people.tests.factories import PersonFactory

TODAY = timezone.localdate()


def errors_in(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1)) if summary else []


def test_request_form_shows_the_coded_lists(client, staff):
    person = PersonFactory(first_name="Edith", last_name="Marsh")
    client.force_login(staff.front_door)
    response = client.get(reverse("frontdoor:request-new", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Edith Marsh" in html and "Discharge from hospital" in html and "Unpaid carer" in html
    assert "Unpaid carer known by association" not in html
    assert 'data-autosave="/session/drafts"' in html or "data-autosave=" in html


def test_request_form_errors_are_listed_linked_to_fields_and_nothing_typed_is_lost(client, staff):
    person = PersonFactory()
    client.force_login(staff.front_door)
    future = TODAY + dt.timedelta(days=3)
    response = client.post(
        reverse("frontdoor:request-new", args=[person.pk]),
        {
            "received_on-day": future.day,
            "received_on-month": future.month,
            "received_on-year": future.year,
            "route_of_access": "Walked in",
            "contact_by": "family",
            "contact_name": "",
            "contact_phone": "01632 960999",
            "what_matters": "",
            "reason": "Struggling with stairs",
            "urgency": "soon",
            "client_type": "Service user",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Record a request for support" in html
    assert errors_in(html) == [
        ("received_on-day", "The date received must be today or in the past"),
        ("route_of_access", "Select the route of access from the list"),
        ("what_matters", "Enter what matters to the person, in their words"),
    ]
    assert "Struggling with stairs" in html and 'value="01632 960999"' in html
    assert not SupportRequest.objects.exists()


def test_service_errors_show_next_to_their_fields(client, staff):
    client.force_login(staff.front_door)
    response = client.post(
        reverse("frontdoor:request-new", args=[PersonFactory().pk]),
        {
            "received_on-day": "1",
            "received_on-month": "3",
            "received_on-year": "2026",
            "route_of_access": "Prison",
            "contact_by": "police",
            "what_matters": "Somewhere to live",
            "urgency": "routine",
            "client_type": "Service user",
        },
    )
    assert response.status_code == 400
    assert errors_in(response.content.decode()) == [
        ("contact_name", "Enter the name of the person who made contact")
    ]


def test_recording_a_request_then_its_page_and_the_persons_timeline(client, staff):
    person = PersonFactory()
    client.force_login(staff.front_door)
    response = client.post(
        reverse("frontdoor:request-new", args=[person.pk]),
        {
            "received_on-day": "1",
            "received_on-month": "3",
            "received_on-year": "2026",
            "route_of_access": "Discharge from hospital",
            "contact_by": "hospital",
            "contact_name": "Ward 7",
            "what_matters": "Getting home before my birthday",
            "urgency": "urgent",
            "client_type": "Service user",
        },
    )
    req = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("frontdoor:request", args=[req.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Request for support recorded" in html and "Getting home before my birthday" in html
    assert "1 March 2026" in html and "Triage this request" in html
    person_page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Request for support received" in person_page


def test_people_without_a_relationship_cannot_record_or_open_requests(client, staff):
    req = SupportRequestFactory()
    client.force_login(staff.broker)
    assert client.get(reverse("frontdoor:request-new", args=[req.person_id])).status_code == 403
    response = client.get(reverse("frontdoor:request", args=[req.pk]))
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("core:break-glass", args=[req.person_id])
    )
    client.force_login(staff.front_door)
    assert client.get(reverse("frontdoor:request", args=[999999])).status_code == 404


def test_triage_page_needs_a_triage_role(client, staff):
    req = SupportRequestFactory()
    CareRelationshipFactory(person=req.person, user=staff.occupational_therapist)
    client.force_login(staff.occupational_therapist)
    response = client.get(reverse("frontdoor:triage", args=[req.pk]))
    assert response.status_code == 403
    assert "Only the front door" in response.content.decode()
    assert (
        client.post(reverse("frontdoor:triage", args=[req.pk]), {"decision": "safeguarding"}).status_code
        == 403
    )
    req.refresh_from_db()
    assert req.status == "open"


def test_triage_errors_are_linked_to_fields(client, staff):
    req = SupportRequestFactory()
    client.force_login(staff.front_door)
    response = client.post(
        reverse("frontdoor:triage", args=[req.pk]),
        {"decision": "no_further_action", "information_given": "kept"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert errors_in(html) == [
        ("nfa_outcome", "Select why no further action is needed"),
        ("outcome_reason", "Explain why no further action is needed"),
    ]
    assert "kept" in html
    response = client.post(reverse("frontdoor:triage", args=[req.pk]), {})
    assert errors_in(response.content.decode()) == [("decision", "Select what happens next")]


def test_triage_to_a_team_then_allocation(client, staff, teams):
    req = SupportRequestFactory()
    client.force_login(staff.front_door)
    response = client.post(
        reverse("frontdoor:triage", args=[req.pk]), {"decision": "assessment", "team": str(teams.north.pk)}
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Request triaged: Assessment of needs, passed to Locality team north" in html
    assert "Progress to assessment, review or reassessment" in html
    # triaged once: the form is no longer offered
    assert client.get(reverse("frontdoor:triage", args=[req.pk])).status_code == 302

    client.force_login(staff.team_manager)
    page = client.get(reverse("frontdoor:allocate", args=[req.person_id]))
    assert page.status_code == 200 and "Locality team north" in page.content.decode()
    response = client.post(
        reverse("frontdoor:allocate", args=[req.person_id]),
        {"team": str(teams.north.pk), "worker": str(staff.social_worker.pk)},
    )
    assert response.status_code == 302
    kinds = set(CareRelationship.objects.filter(person=req.person).values_list("kind", flat=True))
    assert kinds == {RelationshipKind.ALLOCATED_TEAM, RelationshipKind.ALLOCATED_WORKER}
    html = client.get(response["Location"]).content.decode()
    assert f"allocated to {staff.social_worker.display_name}" in html  # the team already had them from triage


def test_allocation_errors_and_role_check(client, staff, teams):
    req = routed(teams.north)
    client.force_login(staff.social_worker)
    assert client.get(reverse("frontdoor:allocate", args=[req.person_id])).status_code == 403
    client.force_login(staff.team_manager)
    response = client.post(reverse("frontdoor:allocate", args=[req.person_id]), {"team": "", "worker": ""})
    assert response.status_code == 400
    assert errors_in(response.content.decode()) == [("team", "Select a team or a worker, or both")]


def test_ending_an_allocation(client, staff, teams):
    person = PersonFactory()
    rel = CareRelationshipFactory(person=person, user=staff.social_worker)
    client.force_login(staff.team_manager)
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    response = client.post(reverse("frontdoor:allocation-end", args=[person.pk, rel.pk]))
    assert response.status_code == 302
    rel.refresh_from_db()
    assert rel.ends_at is not None
    assert "Allocation to" in client.get(response["Location"]).content.decode()


def test_waiting_page_counts_rows_and_pages(client, staff, teams):
    for days in range(30):
        routed(teams.north, received_on=TODAY - dt.timedelta(days=days))
    SupportRequestFactory()
    client.force_login(staff.team_manager)
    html = client.get(reverse("frontdoor:waiting"), {"list": "allocation"}).content.decode()
    assert "Waiting for allocation: 30" in html and "Waiting for an assessment: 30" in html
    assert "29 days" in html and "govuk-pagination" in html
    assert html.index("29 days") < html.index("28 days")  # longest wait first
    page2 = client.get(reverse("frontdoor:waiting"), {"list": "allocation", "page": "2"}).content.decode()
    assert "0 days" in page2 and "29 days" not in page2
    south = client.get(reverse("frontdoor:waiting"), {"list": "allocation", "team": str(teams.south.pk)})
    assert "Nobody is waiting on this list" in south.content.decode()


def test_team_queue_is_the_allocation_list_for_my_teams(client, staff, teams):
    mine, theirs = routed(teams.north), routed(teams.south)
    client.force_login(staff.team_manager)
    html = client.get(reverse("frontdoor:team-queue")).content.decode()
    assert "Waiting lists: waiting for allocation" in html
    assert mine.person.la_person_id in html and theirs.person.la_person_id not in html


def test_person_page_partial_lists_requests_and_offers_actions(rf, staff, teams):
    from django.template.loader import render_to_string

    from openasc.frontdoor import selectors

    req = routed(teams.north)
    http = rf.get("/")
    http.user = staff.team_manager
    http.csp_nonce = ""
    html = render_to_string(
        "frontdoor/_person_requests.jinja",
        {"person": req.person, "requests": selectors.requests_for_person(person=req.person)},
        request=http,
    )
    assert reverse("frontdoor:request", args=[req.pk]) in html and "Passed to a team" in html
    assert reverse("frontdoor:request-new", args=[req.person_id]) in html
    assert reverse("frontdoor:allocate", args=[req.person_id]) in html


def test_a_request_recorded_in_error_is_kept_but_no_longer_waits(client, staff, teams):
    from openasc.core.models import AuditEvent
    from openasc.frontdoor import selectors
    from openasc.frontdoor.models import RequestStatus

    req = routed(teams.north)
    before = selectors.waiting_lists(
        user=staff.team_manager, team_ids=[teams.north.pk], list_name="allocation"
    )
    assert before.counts["allocation"] == 1
    client.force_login(staff.front_door)
    detail = client.get(reverse("frontdoor:request", args=[req.pk])).content.decode()
    url = reverse("frontdoor:cancel", args=[req.pk])
    assert f'href="{url}"' in detail

    page = client.get(url)
    assert page.status_code == 200
    assert "stays allocated to Locality team north" in page.content.decode()
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert errors_in(response.content.decode()) == [
        ("reason", "Explain why the request was recorded in error")
    ]
    req.refresh_from_db()
    assert req.status == RequestStatus.ROUTED  # nothing changed

    response = client.post(url, {"reason": "Recorded against the wrong Margaret Smith"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.CANCELLED
    assert req.status_changes.last().note == "Recorded in error: Recorded against the wrong Margaret Smith"
    event = AuditEvent.objects.filter(
        object_type="frontdoor.supportrequest", object_id=str(req.pk), action="update"
    ).last()
    assert (event.details["transition"], event.reason) == (
        "cancel",
        "Recorded against the wrong Margaret Smith",
    )
    html = client.get(response["Location"]).content.decode()
    assert "Recorded in error" in html and f'href="{url}"' not in html
    waiting = selectors.waiting_lists(
        user=staff.team_manager, team_ids=[teams.north.pk], list_name="allocation"
    )
    assert waiting.counts["allocation"] == 0 and waiting.rows == []
    # once cancelled, the page sends you back to the request
    assert client.get(url).status_code == 302


def test_only_the_recorder_or_a_triager_can_mark_a_request_recorded_in_error(client, staff, teams):
    req = routed(teams.north, created_by=staff.occupational_therapist)
    CareRelationshipFactory(
        person=req.person, user=staff.broker, team=None, kind=RelationshipKind.ALLOCATED_WORKER
    )
    client.force_login(staff.broker)
    assert client.get(reverse("frontdoor:cancel", args=[req.pk])).status_code == 403
    CareRelationshipFactory(
        person=req.person,
        user=staff.occupational_therapist,
        team=None,
        kind=RelationshipKind.ALLOCATED_WORKER,
    )
    client.force_login(staff.occupational_therapist)  # not a triager, but recorded it
    assert client.get(reverse("frontdoor:cancel", args=[req.pk])).status_code == 200


def test_ending_an_allocation_is_a_button_for_allocators_and_an_ended_one_says_so(client, staff, teams):
    person = PersonFactory()
    rel = CareRelationshipFactory(person=person, user=staff.social_worker)
    url = reverse("frontdoor:allocation-end", args=[person.pk, rel.pk])
    client.force_login(staff.social_worker)  # allocated, but cannot allocate
    response = client.post(url)
    assert (
        response.status_code == 403
        and "Only team managers and safeguarding leads" in response.content.decode()
    )
    client.force_login(staff.team_manager)
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    assert client.get(url).status_code == 405
    assert "Allocation to" in client.post(url, follow=True).content.decode()
    response = client.post(url, follow=True)  # again: already ended
    assert response.redirect_chain == [(reverse("frontdoor:allocate", args=[person.pk]), 302)]
    html = response.content.decode()
    assert "This allocation has already ended" in html and "Allocation to" not in html
    other = PersonFactory()
    CareRelationshipFactory(person=other, user=staff.team_manager)
    wrong = reverse("frontdoor:allocation-end", args=[other.pk, rel.pk])  # not an allocation of this person
    assert client.post(wrong).status_code == 404


def test_the_date_received_starts_as_today(client, staff):
    person = PersonFactory()
    client.force_login(staff.front_door)
    html = client.get(reverse("frontdoor:request-new", args=[person.pk])).content.decode()
    for part, value in (("day", TODAY.day), ("month", TODAY.month), ("year", TODAY.year)):
        field = re.search(rf'<input[^>]*id="received_on-{part}"[^>]*>', html).group(0)
        assert f'value="{value}"' in field, field


def test_only_roles_that_can_record_a_request_are_offered_the_button(rf, staff, teams):
    # The NHS partner was offered "Record a request for support" and then told its role cannot.
    from django.template.loader import render_to_string

    from openasc.frontdoor import selectors

    req = routed(teams.north)

    def partial(user) -> str:
        http = rf.get("/")
        http.user = user
        http.csp_nonce = ""
        context = {"person": req.person, "requests": selectors.requests_for_person(person=req.person)}
        return render_to_string("frontdoor/_person_requests.jinja", context, request=http)

    new = reverse("frontdoor:request-new", args=[req.person_id])
    assert new not in partial(staff.nhs_partner)
    assert new in partial(staff.social_worker)
