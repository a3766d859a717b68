"""Writes at the front door: record a request for support, triage it, allocate the person. Atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from openasc.core import access, audit, codes, validation, workflow
from openasc.core import services as core_services
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, Team, User
from openasc.core.workflow import require_belongs, require_record
from openasc.frontdoor.models import (
    INFORMATION_DECISIONS,
    NFA_OUTCOMES,
    ROUTED_DECISIONS,
    TRIAGE_OUTCOME,
    ContactBy,
    RequestStatus,
    SupportRequest,
    TriageDecision,
    Urgency,
)
from openasc.frontdoor.workflows import REQUEST

# Who may decide what happens to a request (Capability.TRIAGE: the front door, and the practitioners and managers
# who triage requests that come straight to their team) and who can be a person's named worker: see core.access.
ALLOCATABLE_ROLES = access.roles_with(access.Capability.BE_ALLOCATED)
ALLOCATION_KINDS = (RelationshipKind.ALLOCATED_TEAM, RelationshipKind.ALLOCATED_WORKER)


def request_client_types() -> tuple[str, ...]:
    """Service user or unpaid carer (from the CLD list); 'known by association' is never a request's own type."""
    return tuple(v for v in codes.values(codes.ListName.CLIENT_TYPE) if "association" not in v)


def can_record(user: User) -> bool:
    """Anyone who can add a person can record their contact with us."""
    return access.has(user, access.Capability.CREATE_PERSON)


def can_triage(user: User) -> bool:
    return access.has(user, access.Capability.TRIAGE)


def can_allocate(user: User) -> bool:
    return access.has(user, access.Capability.ALLOCATE)


MULTILINE_FIELDS = ("what_matters", "reason", "outcome_reason", "information_given")


def _check_words(errors: dict[str, str], **fields: tuple[str, str]) -> dict[str, str]:
    """The request's free text (field=(label, value)): normalised and trimmed, a control character or more than the
    column holds reported against the field (validation.clean_text); returns the clean values by field."""
    clean = {name: value for name, (_label, value) in fields.items()}
    for name, (label, _value) in fields.items():
        max_length = validation.model_max_length("frontdoor.SupportRequest", name)
        validation.check_text(
            clean, errors, name, label=label, max_length=max_length, multiline=name in MULTILINE_FIELDS
        )
        if name in errors:
            clean[name] = ""
    return clean


@transaction.atomic
def request_record(
    *,
    record: access.OpenedRecord,
    received_on: dt.date | None,
    route_of_access: str,
    contact_by: str,
    what_matters: str,
    contact_name: str = "",
    contact_phone: str = "",
    reason: str = "",
    urgency: str = Urgency.ROUTINE,
    client_type: str = "Service user",
) -> SupportRequest:
    """Record a contact or request for support: the start of a CLD 'Request' event, waiting for triage.

    On the record as opened (access.open_record): who records it, for whom and on what basis come from the opening."""
    actor, person, basis = require_record(record).user, record.person, record.basis
    if not can_record(actor):
        raise PermissionError("Your role cannot record requests for support.")
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if received_on is None:
        errors["received_on"] = "Enter the date the request was received"
    elif received_on > today:
        errors["received_on"] = "The date received must be today or in the past"
    elif received_on < validation.EARLIEST_DATE_OF_BIRTH:
        errors["received_on"] = "The date received must be on or after 1 January 1900"
    elif person.date_of_birth and received_on < person.date_of_birth:
        errors["received_on"] = "The date received must be after the person's date of birth"
    if not codes.is_valid(codes.ListName.ROUTE_OF_ACCESS, route_of_access):
        errors["route_of_access"] = "Select the route of access from the list"
    words = _check_words(
        errors,
        contact_name=("name of the person who made contact", contact_name),
        contact_phone=("phone number of the person who made contact", contact_phone),
        what_matters=("what matters to the person", what_matters),
        reason=("reason for contacting us", reason),
    )
    contact_name, contact_phone = words["contact_name"], words["contact_phone"]
    what_matters, reason = words["what_matters"], words["reason"]
    if contact_by not in ContactBy.values:
        errors["contact_by"] = "Select who made contact"
    elif (
        contact_by not in (ContactBy.SELF, ContactBy.ANONYMOUS)
        and not contact_name
        and "contact_name" not in errors
    ):
        errors["contact_name"] = "Enter the name of the person who made contact"
    if not what_matters and "what_matters" not in errors:
        errors["what_matters"] = "Enter what matters to the person, in their words"
    if urgency not in Urgency.values:
        errors["urgency"] = "Select how urgent the request is"
    if client_type not in request_client_types():
        errors["client_type"] = "Select whether the request is for a service user or an unpaid carer"
    if person.merged_into_id:
        errors["person"] = "This record was merged into another: record the request on that record"
    if errors:
        raise ValidationFailed(errors)
    request = SupportRequest.objects.create(
        person=person,
        received_on=received_on,
        route_of_access=route_of_access,
        contact_by=contact_by,
        contact_name=contact_name,
        contact_phone=contact_phone,
        what_matters=what_matters,
        reason=reason,
        urgency=urgency,
        client_type=client_type,
        created_by=actor,
    )
    REQUEST.begin(record, request, note="Request received")
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=request,
        basis=basis,
        details={
            "received_on": received_on.isoformat(),
            "route_of_access": route_of_access,
            "contact_by": contact_by,
            "urgency": urgency,
            "client_type": client_type,
        },
    )
    return request


def request_triage(
    *,
    record: access.OpenedRecord,
    request: SupportRequest,
    decision: str,
    triaged_on: dt.date | None = None,
    team: Team | None = None,
    nfa_outcome: str = "",
    outcome_reason: str = "",
    information_given: str = "",
) -> SupportRequest:
    """Decide what happens next; set the CLD event outcome; conclude the request or pass it to a team (the
    request workflow's "route" or "conclude": a refusal is audited before anything is written)."""
    require_record(record)
    require_belongs(record, request, field="request", what="request")
    transition = "route" if decision in ROUTED_DECISIONS else "conclude"
    REQUEST.check(record, request, transition)
    with transaction.atomic():
        request = SupportRequest.objects.select_for_update().get(pk=request.pk)
        return _triage(
            record,
            request,
            transition,
            decision=decision,
            triaged_on=triaged_on,
            team=team,
            nfa_outcome=nfa_outcome,
            outcome_reason=outcome_reason,
            information_given=information_given,
        )


def _triage(
    record: access.OpenedRecord,
    request: SupportRequest,
    transition: str,
    *,
    decision: str,
    triaged_on: dt.date | None,
    team: Team | None,
    nfa_outcome: str,
    outcome_reason: str,
    information_given: str,
) -> SupportRequest:
    actor = record.user
    errors: dict[str, str] = {}
    today = timezone.localdate()
    triaged_on = triaged_on or today
    if triaged_on > today:
        errors["triaged_on"] = "The triage date must be today or in the past"
    elif triaged_on < request.received_on:
        errors["triaged_on"] = (
            f"The triage date must be the same as or after the date received "
            f"({request.received_on:%-d %B %Y})"
        )
    words = _check_words(
        errors,
        outcome_reason=("reason no further action is needed", outcome_reason),
        information_given=("information and advice given", information_given),
    )
    outcome_reason, information_given = words["outcome_reason"], words["information_given"]
    outcome = ""
    if decision not in TriageDecision.values:
        errors["decision"] = "Select what happens next"
    elif decision == TriageDecision.NO_FURTHER_ACTION:
        if nfa_outcome not in NFA_OUTCOMES:
            errors["nfa_outcome"] = "Select why no further action is needed"
        else:
            outcome = nfa_outcome
        if not outcome_reason and "outcome_reason" not in errors:
            errors["outcome_reason"] = "Explain why no further action is needed"
    else:
        outcome = TRIAGE_OUTCOME[TriageDecision(decision)]
    if decision in INFORMATION_DECISIONS and not information_given and "information_given" not in errors:
        errors["information_given"] = (
            "Enter the information and advice given"
            if decision == TriageDecision.INFORMATION_AND_ADVICE
            else "Enter the community service the person was signposted to"
        )
    routed = decision in ROUTED_DECISIONS
    if routed and team is None:
        errors["team"] = "Select the team to pass the request to"
    elif routed and team.is_nhs_partner:
        errors["team"] = "Choose a council team: an NHS partner team cannot take a request"
    if outcome and not codes.is_valid(codes.ListName.EVENT_OUTCOME, outcome):
        errors["decision"] = f"The event outcome '{outcome}' is not in the CLD list: ask an administrator"
    if errors:
        raise ValidationFailed(errors)
    request.decision = decision
    request.outcome = outcome
    request.outcome_reason = outcome_reason.strip()
    request.information_given = information_given.strip() if decision in INFORMATION_DECISIONS else ""
    request.triaged_on = triaged_on
    request.triaged_by = actor
    request.team = team if routed else None
    request.concluded_on = None if routed else triaged_on
    if routed and not any(
        r.team_id == team.pk and r.kind == RelationshipKind.ALLOCATED_TEAM
        for r in _active_allocations(request.person)
    ):
        # Passing the request to a team allocates the person to it: the team can then open the record.
        core_services.care_relationship_create(
            actor=actor,
            person=request.person,
            kind=RelationshipKind.ALLOCATED_TEAM,
            team=team,
            automatic="triage",
        )
    label = TriageDecision(decision).label
    concern = None
    if decision == TriageDecision.SAFEGUARDING:
        # Never concluded silently: the concern is raised from what the request says and lands in the safeguarding
        # team's queue with its decision timer; the hub completes what triage could not know (consent, the person
        # causing harm). A problem raising it refuses the triage, in the same transaction.
        concern = _safeguarding_concern(record, request)
    REQUEST.apply(
        record,
        request,
        transition,
        note=(
            f"{label}: passed to {team.name}"
            if routed
            else f"{label}: {outcome}" + (f" (safeguarding concern {concern.pk} raised)" if concern else "")
        ),
        fields=[
            "decision",
            "outcome",
            "outcome_reason",
            "information_given",
            "triaged_on",
            "triaged_by",
            "team",
            "concluded_on",
        ],
        details={
            "decision": decision,
            "outcome": outcome,
            "team": team.pk if routed else None,
            "triaged_on": triaged_on.isoformat(),
            **({"safeguarding_concern": concern.pk} if concern else {}),
        },
    )
    request.safeguarding_concern = concern
    return request


# Who made contact, as the safeguarding concern's referrer
_REFERRER = {
    ContactBy.SELF: "self",
    ContactBy.FAMILY: "family",
    ContactBy.UNPAID_CARER: "family",
    ContactBy.GP: "health",
    ContactBy.HOSPITAL: "health",
    ContactBy.POLICE: "police",
    ContactBy.HOUSING: "housing",
    ContactBy.PROVIDER: "provider",
    ContactBy.OTHER_PROFESSIONAL: "professional",
    ContactBy.ANONYMOUS: "anonymous",
}


def _safeguarding_concern(record: access.OpenedRecord, request: SupportRequest):
    from openasc.safeguarding import services as safeguarding
    from openasc.safeguarding.codes import Consent, HarmPersonKnown

    reported = "\n\n".join(part for part in (request.reason.strip(), request.what_matters.strip()) if part)
    try:
        return safeguarding.concern_raise(
            record=record,
            received_on=request.received_on,
            referrer_kind=_REFERRER.get(request.contact_by, "professional"),
            referrer_name=request.contact_name,
            referrer_contact=request.contact_phone,
            what_happened=reported,
            adult_views=request.what_matters.strip(),
            consent=Consent.NOT_ASKED,
            harm_person_known=HarmPersonKnown.UNKNOWN,
            request=request,
        )
    except ValidationFailed as exc:  # shown against the decision: the worker chose safeguarding
        raise ValidationFailed(
            {"decision": "The safeguarding concern could not be raised: " + "; ".join(exc.errors.values())}
        ) from None


def can_cancel(user: User, request: SupportRequest) -> bool:
    """Whoever recorded a request, or anyone who triages, may say it was recorded in error (before it concludes)."""
    return REQUEST.may(user, request, "cancel")


def request_cancel(*, record: access.OpenedRecord, request: SupportRequest, reason: str) -> SupportRequest:
    """A request recorded in error (the wrong person, a duplicate): kept, with who said so and why, but no longer
    waiting and never counted in the statutory returns. A team the triage allocated stays allocated."""
    require_belongs(require_record(record), request, field="request", what="request")
    REQUEST.check(record, request, "cancel")
    try:
        reason = validation.clean_text(reason, label="reason", multiline=True)
    except validation.TextError as exc:
        raise ValidationFailed({"reason": str(exc)}) from None
    if not reason:
        raise ValidationFailed({"reason": "Explain why the request was recorded in error"})
    if len(reason) > 2000:
        raise ValidationFailed({"reason": "The reason must be 2,000 characters or fewer"})
    with transaction.atomic():
        request = SupportRequest.objects.select_for_update().get(pk=request.pk)
        REQUEST.apply(record, request, "cancel", note=f"Recorded in error: {reason}", reason=reason)
    return request


def has_worker_now(now) -> Exists:
    """On a request: its person has a named worker at `now` (served by the carerel_worker_person index)."""
    return Exists(
        CareRelationship.objects.filter(
            access.active_at(now), person_id=OuterRef("person_id"), kind=RelationshipKind.ALLOCATED_WORKER
        )
    )


def assessed_since_request() -> Exists:
    """On a request: an assessment of its person (not cancelled) started on or after the request was received."""
    from openasc.assessments.models import Assessment, AssessmentStatus

    return Exists(
        Assessment.objects.filter(
            person_id=OuterRef("person_id"), started_on__gte=OuterRef("received_on")
        ).exclude(status=AssessmentStatus.CANCELLED)
    )


def requests_close_waiting(*, record: access.OpenedRecord | None = None, on: dt.date | None = None) -> int:
    """Mark the routed requests that no longer wait as done waiting, so the waiting lists stop checking them and a
    request from years ago does not come back when an allocation later ends. A request for an assessment stops
    waiting when an assessment starts after it; any other request passed to a team when the person has a worker or
    a service has started after it. For the person of an opened record (after an allocation, an assessment or a
    service starts; audited per request with the record's basis) or, without `record`, for everyone (the demo's
    history, data loaded from elsewhere: one UPDATE, audited by the caller's audit.bulk())."""
    from openasc.services.models import Service

    assessed = assessed_since_request()
    served = Exists(
        Service.objects.filter(person_id=OuterRef("person_id"), start_on__gte=OuterRef("received_on"))
    )
    has_worker = has_worker_now(timezone.now())
    for_assessment = Q(decision=TriageDecision.ASSESSMENT)
    done = SupportRequest.objects.filter(status=RequestStatus.ROUTED, waiting_ended_on__isnull=True).filter(
        (for_assessment & Q(assessed)) | (~for_assessment & (Q(has_worker) | Q(served)))
    )
    on = on or timezone.localdate()
    if (
        record is None
    ):  # one UPDATE (after an import, a hundred thousand rows): the caller's audit.bulk() audits it
        return done.update(waiting_ended_on=on)
    actor = require_record(record).user
    done = done.filter(person_id=record.person_id)
    rows = list(done.only("pk", "person_id"))
    if not rows:
        return 0
    with audit.bulk(actor=actor, action=AuditAction.UPDATE, reason="Waiting ended", summary=False):
        SupportRequest.objects.filter(pk__in=[r.pk for r in rows]).update(waiting_ended_on=on)
        audit.record_many(
            actor=actor,
            action=AuditAction.UPDATE,
            objs=rows,
            basis=record.basis,
            details={"transition": "waiting ended", "waiting_ended_on": on.isoformat()},
        )
    return len(rows)


def requests_reopen_waiting(*, record: access.OpenedRecord) -> int:
    """After an assessment is cancelled: the person's requests for an assessment that stopped waiting because it
    started, and that no other (not cancelled) assessment since their receipt answers, wait again, on the list
    they were on. Audited per request with the record's basis."""
    actor = require_record(record).user
    rows = list(
        SupportRequest.objects.filter(
            person_id=record.person_id,
            status=RequestStatus.ROUTED,
            decision=TriageDecision.ASSESSMENT,
            waiting_ended_on__isnull=False,
        )
        .exclude(assessed_since_request())
        .only("pk", "person_id")
    )
    if not rows:
        return 0
    with audit.bulk(actor=actor, action=AuditAction.UPDATE, reason="Waiting again", summary=False):
        SupportRequest.objects.filter(pk__in=[r.pk for r in rows]).update(waiting_ended_on=None)
        audit.record_many(
            actor=actor,
            action=AuditAction.UPDATE,
            objs=rows,
            basis=record.basis,
            details={"transition": "waiting again", "why": "the assessment that answered it was cancelled"},
        )
    return len(rows)


def _active_allocations(person) -> list[CareRelationship]:
    now = timezone.now()
    return list(
        CareRelationship.objects.filter(access.active_at(now), person=person, kind__in=ALLOCATION_KINDS)
    )


@transaction.atomic
def allocation_create(
    *, record: access.OpenedRecord, team: Team | None = None, worker: User | None = None
) -> list[CareRelationship]:
    """Allocate a person to a team and/or a named worker: the care relationships the access rules use."""
    actor, person = require_record(record).user, record.person
    if not can_allocate(actor):
        raise PermissionError("Only team managers and safeguarding leads can allocate people.")
    errors: dict[str, str] = {}
    if team is None and worker is None:
        errors["team"] = "Select a team or a worker, or both"
    current = _active_allocations(person)
    team_already = ""
    if team is not None:
        if team.is_nhs_partner:
            errors["team"] = (
                "Choose a council team: NHS partner teams are given access through a sharing basis"
            )
        elif any(r.kind == RelationshipKind.ALLOCATED_TEAM and r.team_id == team.pk for r in current):
            team_already = f"{person.first_name} {person.last_name} is already allocated to {team.name}"
    if worker is not None:
        if not worker.is_active or worker.role not in ALLOCATABLE_ROLES:
            errors["worker"] = "Choose a practitioner or manager who can work with the person"
        elif any(r.kind == RelationshipKind.ALLOCATED_WORKER and r.user_id == worker.pk for r in current):
            errors["worker"] = f"{worker.display_name} is already allocated to this person"
    if team_already:
        if worker is None or "worker" in errors:
            errors["team"] = team_already
        else:
            team = (
                None  # already with the team (for example, passed to it at triage): allocate the worker only
            )
    if person.merged_into_id:
        errors["team"] = "This record was merged into another: allocate that record instead"
    if errors:
        raise ValidationFailed(errors)
    made = []
    if team is not None:
        made.append(
            core_services.care_relationship_create(
                actor=actor, person=person, kind=RelationshipKind.ALLOCATED_TEAM, team=team
            )
        )
    if worker is not None:
        made.append(
            core_services.care_relationship_create(
                actor=actor, person=person, kind=RelationshipKind.ALLOCATED_WORKER, user=worker
            )
        )
        requests_close_waiting(record=record)
    for rel in made:  # not a workflow, but the worktray listens for it (a task for the worker allocated)
        workflow.announce(workflow.Event("allocation", "create", record, rel, "", rel.kind))
    return made


@transaction.atomic
def allocation_end(*, record: access.OpenedRecord, relationship: CareRelationship) -> CareRelationship:
    """End an allocation to a team or a worker (the person may then wait for allocation again)."""
    actor = require_record(record).user
    if not can_allocate(actor):
        raise PermissionError("Only team managers and safeguarding leads can end allocations.")
    require_belongs(record, relationship, field="relationship", what="allocation")
    if relationship.kind not in ALLOCATION_KINDS:
        raise ValidationFailed({"relationship": "Only allocations to a team or a worker can be ended here"})
    if relationship.ends_at is not None and relationship.ends_at <= timezone.now():
        raise ValidationFailed({"relationship": "This allocation has already ended"})
    core_services.care_relationship_end(actor=actor, relationship=relationship)
    workflow.announce(workflow.Event("allocation", "end", record, relationship, relationship.kind, "ended"))
    return relationship
