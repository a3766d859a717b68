"""What the staff administration pages and lists show is audited: who looked, at what, and why. The accounts are
staff, not people in care, so no event names a person."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from openasc.core import services as core_services
from openasc.core.models import AuditAction, AuditEvent


def views_since(floor: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=floor, action=AuditAction.VIEW).order_by("pk"))


def floor() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize(
    "path, purpose, shown",
    [
        ("/staff/", "list of staff", 11),  # every role but the system account
        ("/staff/teams/", "list of teams", 4),
        ("/staff/system-accounts/", "list of system accounts", 1),
        ("/staff/tokens/", "list of API tokens", 0),
    ],
)
def test_each_list_writes_one_view_event_with_its_purpose_and_how_many_it_showed(
    client, staff, path, purpose, shown
):
    client.force_login(staff.administrator)
    start = floor()
    assert client.get(path).status_code == 200
    (event,) = views_since(start)
    assert (event.actor, event.person_id, event.basis) == (staff.administrator, None, "staff administration")
    assert event.details["purpose"] == purpose and event.details["shown"] == shown


def test_the_filters_of_the_staff_list_are_recorded(client, staff):
    client.force_login(staff.administrator)
    start = floor()
    client.get("/staff/?role=broker&team=&status=active")
    (event,) = views_since(start)
    assert event.details["filters"] == {"role": "broker", "status": "active"} and event.details["shown"] == 1


def test_an_account_page_names_the_account_viewed(client, staff):
    client.force_login(staff.administrator)
    start = floor()
    client.get(f"/staff/{staff.broker.pk}/")
    (event,) = views_since(start)
    assert (event.object_type, event.object_id, event.person_id) == ("core.user", str(staff.broker.pk), None)
    assert event.details["purpose"] == "a member of staff's account"


def test_the_revoke_page_names_the_token(client, staff):
    core_services.api_token_create(actor=staff.administrator, user=staff.system, name="feed", days=30)
    token = staff.system.api_tokens.get()
    client.force_login(staff.administrator)
    start = floor()
    client.get(f"/staff/tokens/{token.pk}/revoke")
    (event,) = views_since(start)
    assert (event.object_type, event.object_id) == ("core.apitoken", str(token.pk))


def test_a_refused_page_writes_no_view_event(client, staff):
    client.force_login(staff.social_worker)
    start = floor()
    assert client.get("/staff/").status_code == 403
    assert views_since(start) == []


@pytest.mark.parametrize(
    "args, purpose",
    [
        (("users", "list"), "list of staff"),
        (("users", "list", "--system"), "list of system accounts"),
        (("teams", "list"), "list of teams"),
        (("tokens", "list"), "list of API tokens"),
    ],
)
def test_the_command_line_lists_are_audited_too(staff, args, purpose):
    start = floor()
    call_command(*args, "--as", "administrator", stdout=StringIO(), stderr=StringIO())
    (event,) = views_since(start)
    assert event.actor == staff.administrator and event.details["purpose"] == purpose
    assert event.details["via"].startswith("command line")
