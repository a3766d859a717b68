"""Token issue and revocation, and drafts of personal data, are in the audit trail (finding 7)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from openasc.core import services
from openasc.core.models import ApiToken, AuditEvent, FormDraft, Role
from openasc.core.tests.factories import UserFactory


def test_issuing_and_revoking_a_token_is_audited_without_the_token(staff):
    system = UserFactory(username="feed", role=Role.SYSTEM)
    plain = services.api_token_create(actor=staff.administrator, user=system, name="Hospital feed", days=30)
    token = ApiToken.objects.get()
    event = AuditEvent.objects.get(action="create", object_type="core.apitoken")
    assert event.actor == staff.administrator
    assert event.object_id == str(token.pk)
    assert event.details == {
        "name": "Hospital feed",
        "prefix": token.prefix,
        "user": system.pk,
        "expires_at": token.expires_at.isoformat(),
    }
    services.api_token_revoke(actor=staff.administrator, token=token)
    assert services.api_token_user(plain) is None
    revoked = AuditEvent.objects.get(action="update", object_type="core.apitoken", object_id=str(token.pk))
    assert revoked.details["revoked_at"] == token.revoked_at.isoformat()
    services.api_token_revoke(
        actor=staff.administrator, token=token
    )  # already revoked: nothing more to record
    assert AuditEvent.objects.filter(object_type="core.apitoken").count() == 2
    stored = json.dumps(list(AuditEvent.objects.values("details", "reason")))
    assert plain not in stored and plain[5:] not in stored


def test_only_administrators_revoke_tokens(staff):
    system = UserFactory(username="feed", role=Role.SYSTEM)
    services.api_token_create(actor=staff.administrator, user=system, name="Feed")
    with pytest.raises(PermissionError):
        services.api_token_revoke(actor=staff.social_worker, token=ApiToken.objects.get())
    assert ApiToken.objects.get().revoked_at is None


def draft_events():
    return AuditEvent.objects.filter(object_type="core.formdraft").order_by("id")


def test_a_draft_is_audited_when_first_saved_and_when_discarded_but_not_on_every_keystroke(staff):
    user = staff.social_worker
    for text in ["M", "Ma", "Mar", "Mary lives alone"]:
        services.form_draft_save(user=user, path="/people/new", data={"first_name": text, "notes": "private"})
    draft = FormDraft.objects.get()
    [first] = draft_events()
    assert (first.action, first.actor, first.object_id) == ("create", user, str(draft.pk))
    assert first.details == {"path": "/people/new", "fields": ["first_name", "notes"]}
    services.form_draft_discard(user=user, path="/people/new")
    assert not FormDraft.objects.exists()
    assert [e.action for e in draft_events()] == ["create", "delete"]
    assert draft_events().last().details == {"path": "/people/new", "fields": ["first_name", "notes"]}
    services.form_draft_discard(user=user, path="/people/new")  # nothing to discard: nothing to record
    assert draft_events().count() == 2
    stored = json.dumps(list(AuditEvent.objects.values("details", "reason")))
    assert "Mary" not in stored and "private" not in stored  # never the values


def test_a_draft_typed_for_a_long_time_is_audited_again_after_the_interval(staff, settings, monkeypatch):
    settings.OPENASC_DRAFT_AUDIT_MINUTES = 30
    user = staff.social_worker
    services.form_draft_save(user=user, path="/people/new", data={"first_name": "M"})
    later = timezone.now() + dt.timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    services.form_draft_save(user=user, path="/people/new", data={"first_name": "Ma", "last_name": "S"})
    services.form_draft_save(user=user, path="/people/new", data={"first_name": "Mar", "last_name": "Sm"})
    assert [(e.action, e.details["fields"]) for e in draft_events()] == [
        ("create", ["first_name"]),
        ("update", ["first_name", "last_name"]),
    ]


def test_the_drafts_endpoint_audits_the_first_save_and_the_discard(client, staff):
    client.force_login(staff.social_worker)
    for text in ["a", "ab"]:
        assert (
            client.post(
                "/session/drafts",
                json.dumps({"path": "/people/new", "data": {"notes": text}}),
                content_type="application/json",
            ).status_code
            == 200
        )
    assert (
        client.delete(
            "/session/drafts", json.dumps({"path": "/people/new"}), content_type="application/json"
        ).status_code
        == 200
    )
    assert [e.action for e in draft_events()] == ["create", "delete"]
