"""The declarative workflow kit (core.workflow): what a workflow allows, what a transition writes, what a refusal
writes (only the refusal). Worked on the request-for-support workflow and on small workflows declared here."""

from __future__ import annotations

import pytest

from openasc.core import workflow
from openasc.core.access import Capability
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditEvent, Role
from openasc.core.tests.factories import UserFactory, opened
from openasc.core.workflow import Transition, TransitionRefused, Workflow
from openasc.frontdoor.models import RequestStatus, SupportRequest, SupportRequestStatus
from openasc.frontdoor.tests.factories import SupportRequestFactory, concluded
from openasc.frontdoor.workflows import REQUEST
from openasc.people.tests.factories import PersonFactory


def _names(transitions) -> list[str]:
    return [t.name for t in transitions]


def _small(**overrides) -> Workflow:
    spec = {
        "name": "small",
        "noun": "request",
        "status_model": SupportRequestStatus,
        "parent_field": "request",
        "states": RequestStatus,
        "initial": RequestStatus.OPEN,
        "transitions": (
            Transition(
                "close",
                source={RequestStatus.OPEN},
                target=RequestStatus.CONCLUDED,
                capability=Capability.TRIAGE,
            ),
        ),
    }
    return Workflow(**{**spec, **overrides})


# --- declaring ---------------------------------------------------------------------------------------------------


def test_a_workflow_refuses_a_transition_to_a_state_it_does_not_have():
    with pytest.raises(ValueError, match="unknown states"):
        _small(
            transitions=(Transition("lose", source={"open"}, target="lost", capability=Capability.TRIAGE),)
        )
    with pytest.raises(ValueError, match="unknown states"):
        _small(
            transitions=(Transition("find", source={"lost"}, target="open", capability=Capability.TRIAGE),)
        )


def test_a_workflow_refuses_two_transitions_of_one_name_and_an_unknown_initial_state():
    twice = Transition("close", source={"open"}, target="concluded", capability=Capability.TRIAGE)
    with pytest.raises(ValueError, match="two transitions are called close"):
        _small(transitions=(twice, twice))
    with pytest.raises(ValueError, match="initial state"):
        _small(initial="lost")
    with pytest.raises(ValueError, match="no transition 'reopen'"):
        REQUEST.transition("reopen")


def test_the_request_workflow_is_declared_as_data():
    assert REQUEST.initial == RequestStatus.OPEN
    assert set(REQUEST.states) == set(RequestStatus.values)
    assert {(t.name, tuple(sorted(t.source)), t.target, t.capabilities) for t in REQUEST.transitions} == {
        ("route", ("open",), "routed", (Capability.TRIAGE,)),
        ("conclude", ("open",), "concluded", (Capability.TRIAGE,)),
        ("cancel", ("open", "routed"), "cancelled", (Capability.TRIAGE,)),
    }
    assert _names(REQUEST.possible(RequestStatus.ROUTED)) == ["cancel"]
    assert REQUEST.possible(RequestStatus.CONCLUDED) == []


# --- what a user may do now ------------------------------------------------------------------------------------


def test_allowed_lists_what_the_user_may_do_now(staff):
    req = SupportRequestFactory()
    assert _names(REQUEST.allowed(staff.front_door, req)) == ["route", "conclude", "cancel"]
    assert REQUEST.allowed(staff.broker, req) == []  # no triage, and did not record it
    req.status = RequestStatus.ROUTED
    assert _names(REQUEST.allowed(staff.front_door, req)) == ["cancel"]
    req.status = RequestStatus.CANCELLED
    assert REQUEST.allowed(staff.front_door, req) == []


def test_the_person_who_recorded_a_request_may_cancel_it_without_the_capability(staff):
    recorder = UserFactory(username="finance-recorder", role=Role.FINANCE_OFFICER)
    req = SupportRequestFactory(created_by=recorder)
    assert _names(REQUEST.allowed(recorder, req)) == ["cancel"]
    assert not REQUEST.may(staff.finance_officer, req, "cancel")  # the same role, but someone else's request


def test_a_rule_of_a_transition_takes_it_off_the_list(staff):
    from openasc.assessments.tests.factories import AssessmentFactory
    from openasc.assessments.workflows import ASSESSMENT

    own = AssessmentFactory(assessor=staff.team_manager, awaiting_sign_off=True)
    theirs = AssessmentFactory(assessor=staff.social_worker, awaiting_sign_off=True)
    assert _names(ASSESSMENT.allowed(staff.team_manager, own)) == []
    assert _names(ASSESSMENT.allowed(staff.team_manager, theirs)) == ["sign_off", "return"]
    assert _names(ASSESSMENT.allowed(staff.social_worker, theirs)) == []  # a worker does not sign off


# --- making a transition -----------------------------------------------------------------------------------------


def test_apply_sets_the_status_and_writes_the_status_row_and_the_audit_event(staff):
    req = SupportRequestFactory()
    record = opened(staff.front_door, req.person)
    req.outcome = "NFA: Other"
    row = _small().apply(
        record, req, "close", note="Closed by hand", reason="Testing", details={"n": 1}, fields=["outcome"]
    )
    req.refresh_from_db()
    assert (req.status, req.outcome) == ("concluded", "NFA: Other")
    assert (row.request, row.status, row.changed_by, row.note) == (
        req,
        "concluded",
        staff.front_door,
        "Closed by hand",
    )
    assert list(req.status_changes.values_list("status", "changed_by")) == [
        ("concluded", staff.front_door.pk)
    ]
    event = AuditEvent.objects.get(
        action="update", object_type="frontdoor.supportrequest", object_id=str(req.pk)
    )
    assert (event.actor, event.person_id, event.basis, event.reason) == (
        staff.front_door,
        req.person_id,
        record.basis,
        "Testing",
    )
    assert event.details == {
        "workflow": "small",
        "transition": "close",
        "previous_status": "open",
        "status": "concluded",
        "n": 1,
    }


def test_a_transition_from_the_wrong_state_is_refused_audited_and_writes_nothing(staff):
    req = concluded()
    record = opened(staff.front_door, req.person)
    with pytest.raises(TransitionRefused) as exc:
        REQUEST.apply(record, req, "cancel", note="Duplicate")
    assert isinstance(exc.value, ValidationFailed) and (exc.value.state, exc.value.transition) == (
        "concluded",
        "cancel",
    )
    assert exc.value.errors == {
        "reason": "This request is concluded: it cannot be marked as recorded in error "
        "(only a request that is waiting for triage or passed to a team can be). "
        "Nothing more can be done to it."
    }
    req.refresh_from_db()
    assert req.status == "concluded" and not req.status_changes.exists()
    assert not AuditEvent.objects.filter(action="update", object_id=str(req.pk)).exists()
    refusal = AuditEvent.objects.get(action="access_refused", person_id=req.person_id)
    assert (refusal.actor, refusal.details["purpose"], refusal.object_id) == (
        staff.front_door,
        "request: cancel",
        str(req.pk),
    )


def test_the_refusal_names_what_can_be_done_from_the_current_state(staff):
    req = SupportRequestFactory(status=RequestStatus.ROUTED)
    with pytest.raises(TransitionRefused) as exc:
        REQUEST.check(opened(staff.front_door, req.person), req, "route")
    assert exc.value.errors["decision"].endswith("From here it can only be: mark as recorded in error.")
    assert "passed to a team" in exc.value.errors["decision"]


def test_a_transition_by_the_wrong_role_is_refused_audited_and_writes_nothing(staff):
    req = SupportRequestFactory()
    record = opened(staff.broker, req.person)
    with pytest.raises(AccessDenied) as exc:
        REQUEST.apply(record, req, "route", note="Passed on")
    assert isinstance(exc.value, PermissionError)
    assert str(exc.value) == (
        "Only the front door, social workers, safeguarding leads and team managers can triage requests."
    )
    req.refresh_from_db()
    assert req.status == "open" and not req.status_changes.exists()
    refusal = AuditEvent.objects.get(action="access_refused", person_id=req.person_id)
    assert (refusal.actor, refusal.details["purpose"]) == (staff.broker, "request: route")


def test_a_rule_refusal_is_a_field_error(staff):
    from openasc.assessments.tests.factories import AssessmentFactory
    from openasc.assessments.workflows import ASSESSMENT

    own = AssessmentFactory(assessor=staff.team_manager, status="awaiting_sign_off")
    with pytest.raises(TransitionRefused) as exc:
        ASSESSMENT.apply(opened(staff.team_manager, own.person), own, "sign_off")
    assert exc.value.errors == {
        "decision": "You carried out this assessment, so another manager must sign it off"
    }
    own.refresh_from_db()
    assert own.status == "awaiting_sign_off" and not own.status_changes.exists()


def test_the_decision_is_made_on_the_state_in_the_database_not_a_stale_copy(staff):
    req = SupportRequestFactory()
    stale = SupportRequest.objects.get(pk=req.pk)
    record = opened(staff.front_door, req.person)
    _small().apply(record, req, "close")
    assert stale.status == "open"
    with pytest.raises(TransitionRefused):
        _small().apply(record, stale, "close")
    assert req.status_changes.count() == 1


def test_the_status_row_and_audit_event_are_written_together_or_not_at_all(staff, monkeypatch):
    req = SupportRequestFactory()
    record = opened(staff.front_door, req.person)

    def broken(**kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(workflow.audit, "record", broken)
    with pytest.raises(RuntimeError):
        _small().apply(record, req, "close")
    monkeypatch.undo()
    assert SupportRequest.objects.get(pk=req.pk).status == "open"
    assert not req.status_changes.exists()


# --- the record a transition acts on -----------------------------------------------------------------------------


def test_a_transition_needs_the_opened_record_of_the_same_person(staff):
    req = SupportRequestFactory()
    with pytest.raises(TypeError, match="open_record"):
        REQUEST.apply(req.person, req, "route")
    other = opened(staff.front_door, PersonFactory())
    with pytest.raises(ValidationFailed) as exc:
        REQUEST.apply(other, req, "route")
    assert (
        list(exc.value.errors) == ["decision"] and "another person's record" in exc.value.errors["decision"]
    )
    req.refresh_from_db()
    assert req.status == "open" and not req.status_changes.exists()


def test_begin_writes_the_first_status_row_only_in_the_initial_state(staff):
    req = SupportRequestFactory()
    record = opened(staff.front_door, req.person)
    row = REQUEST.begin(record, req, note="Request received")
    assert (row.status, row.changed_by, row.note) == ("open", staff.front_door, "Request received")
    req.status = RequestStatus.ROUTED
    with pytest.raises(ValueError, match="starts waiting for triage"):
        REQUEST.begin(record, req)
