"""The safeguarding cells of the permission matrix: every role × how they are connected (to the adult at risk, or
only to the person alleged to cause harm) × the concern page, the enquiry page and the adult's record.

The answer for each cell is written out: the page opens for those who may open the adult's record *and* see the
safeguarding detail (safeguarding leads and team managers; the hub, through the concern's relationship; the adult's
allocated worker); anyone else who may open the record is refused with the refusal audited against the adult; an NHS
partner sees only concerns they raised. Someone connected only to the alleged person learns nothing, from any page,
and nothing is written against that person."""

from __future__ import annotations

import pytest

from openasc.core import access
from openasc.core.models import AuditAction, AuditEvent, RelationshipKind, Role
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.core.tests.test_access_matrix import ROLE_WIDE_VIEW, ROLES
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding.tests.factories import AllegationFactory, ConcernFactory, EnquiryFactory

CONNECTIONS = ["none", "allocated_worker", "hub_member", "alleged_only"]


def expected(role: Role, connection: str) -> int:
    """The concern and enquiry pages' status for this cell."""
    opens = connection in ("allocated_worker", "hub_member") or role in ROLE_WIDE_VIEW
    detail = role != Role.NHS_PARTNER and (
        role in access.roles_with(access.Capability.SEE_SAFEGUARDING)
        or connection in ("allocated_worker", "hub_member")
    )
    return 200 if opens and detail else 403


@pytest.mark.parametrize("connection", CONNECTIONS)
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_safeguarding_pages_for_every_role(client, staff, teams, role, connection):
    user = getattr(staff, role.value)
    adult = PersonFactory(first_name="Ivy", last_name="Pennant")
    alleged = PersonFactory(first_name="Darren", last_name="Cole")
    CareRelationshipFactory(
        person=adult, user=None, team=teams.safeguarding, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
    )
    concern = ConcernFactory(person=adult, team=teams.safeguarding, decided=True, raised_by=staff.front_door)
    enquiry = EnquiryFactory(concern=concern, in_progress=True)
    AllegationFactory(enquiry=enquiry, source_person=alleged, source_description="Grandson")
    if connection == "allocated_worker":
        CareRelationshipFactory(person=adult, user=user, kind=RelationshipKind.ALLOCATED_WORKER)
    elif connection == "hub_member":
        user.teams.add(teams.safeguarding)
    elif connection == "alleged_only":
        CareRelationshipFactory(person=alleged, user=user, kind=RelationshipKind.ALLOCATED_WORKER)
    # the front door raised it (whoever raised a concern sees it), and may open any record
    want = 200 if role == Role.FRONT_DOOR else expected(role, connection)
    client.force_login(user)
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    got = (
        client.get(f"/safeguarding/concerns/{concern.pk}").status_code,
        client.get(f"/safeguarding/enquiries/{enquiry.pk}").status_code,
    )
    assert got == (want, want)
    events = AuditEvent.objects.filter(pk__gt=before)
    if want == 200:
        assert events.filter(action=AuditAction.VIEW, person_id=adult.pk, actor=user).exists()
    else:
        assert events.filter(action=AuditAction.ACCESS_REFUSED, person_id=adult.pk, actor=user).count() >= 2
    if connection == "alleged_only":
        page = client.get(f"/people/{alleged.pk}")
        text = page.content.decode()
        assert page.status_code == 200 and "Darren Cole" in text
        assert (
            "Ivy" not in text
            and "Pennant" not in text
            and f"/safeguarding/enquiries/{enquiry.pk}" not in text
        )
    assert not AuditEvent.objects.filter(person_id=alleged.pk).exclude(action=AuditAction.VIEW).exists()
    assert not events.filter(person_id=alleged.pk, object_type__startswith="safeguarding").exists()
