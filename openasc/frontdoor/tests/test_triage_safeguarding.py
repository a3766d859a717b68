"""Triage as a safeguarding concern never concludes the request silently: it raises the concern, in the hub's queue,
with the decision timer from the day the request was received, and the hub may open the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from openasc.core import access
from openasc.core.errors import ValidationFailed
from openasc.core.tests.factories import opened
from openasc.frontdoor import services
from openasc.frontdoor.models import RequestStatus, SupportRequest
from openasc.frontdoor.tests.factories import SupportRequestFactory
from openasc.safeguarding import calendar
from openasc.safeguarding.codes import Consent
from openasc.safeguarding.models import Concern, ConcernStatus

TODAY = timezone.localdate()


@pytest.fixture
def hub_lead(staff, teams):
    staff.safeguarding_lead.teams.set([teams.safeguarding])
    return staff.safeguarding_lead


def _triage(user, req, **extra):
    return services.request_triage(
        record=opened(user, req.person), request=req, decision="safeguarding", **extra
    )


def test_triage_raises_the_concern_in_the_hubs_queue(staff, teams, hub_lead):
    received = TODAY - dt.timedelta(days=3)
    req = SupportRequestFactory(
        received_on=received,
        urgency="urgent",
        contact_by="family",
        contact_name="Jo Neighbour",
        reason="Neighbour reports bruising and that her grandson takes her pension",
    )
    assert not access.explain(hub_lead, req.person).allowed
    done = _triage(staff.front_door, req)
    concern = Concern.objects.get(request=req)
    assert done.status == RequestStatus.CONCLUDED  # the CLD request event ends; the concern carries on
    assert done.safeguarding_concern == concern
    assert (concern.status, concern.team) == (ConcernStatus.AWAITING_DECISION, teams.safeguarding)
    assert concern.received_on == received
    assert concern.decision_due_on == calendar.add_working_days(received, calendar.decision_days())
    assert "grandson takes her pension" in concern.what_happened
    assert (concern.referrer_kind, concern.referrer_name) == ("family", "Jo Neighbour")
    assert concern.consent == Consent.NOT_ASKED  # the hub asks
    assert access.explain(hub_lead, req.person).allowed  # no break-glass needed any more


def test_a_professional_referrer_without_an_organisation_is_accepted_from_triage(staff, teams):
    req = SupportRequestFactory(contact_by="police", contact_name="PC Ray")
    _triage(staff.front_door, req)
    assert Concern.objects.get(request=req).referrer_kind == "police"


def test_other_decisions_raise_no_concern(staff, teams):
    req = SupportRequestFactory()
    services.request_triage(
        record=opened(staff.front_door, req.person),
        request=req,
        decision="information_and_advice",
        information_given="Leaflet",
    )
    assert not Concern.objects.exists()


@override_settings(OPENASC_SAFEGUARDING_TEAM="missing")
def test_no_hub_refuses_the_triage_and_writes_nothing(staff, teams):
    req = SupportRequestFactory()
    with pytest.raises(ValidationFailed) as exc:
        _triage(staff.front_door, req)
    assert "could not be raised" in exc.value.errors["decision"]
    assert SupportRequest.objects.get(pk=req.pk).status == RequestStatus.OPEN
    assert not Concern.objects.exists()


def test_the_page_says_where_the_concern_went(client, staff, teams):
    req = SupportRequestFactory(received_on=TODAY)
    client.force_login(staff.front_door)
    response = client.post(
        reverse("frontdoor:triage", args=[req.pk]),
        {"decision": "safeguarding", "triaged_on": ""},
        follow=True,
    )
    assert response.status_code == 200
    concern = Concern.objects.get(request=req)
    assert f"Safeguarding concern {concern.pk} raised and passed to Safeguarding adults hub" in (
        response.content.decode()
    )
