"""Writes of safeguarding adults: raise a concern, decide on it, and carry an enquiry through to its closure.

Every service takes the adult's record as opened (access.open_record), validates every field before writing
anything (ValidationFailed names each field and how to put it right), writes in one transaction and audits. The
safeguarding team's relationship with the adult starts when a concern is raised and ends when no enquiry follows or
the enquiry closes; the enquiry officer's starts at allocation and ends at closure (or when someone else is
allocated). A concern is never concluded silently: triage creates one (frontdoor.services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openasc.core import access, audit, validation
from openasc.core import services as core_services
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, Role, Team, User
from openasc.core.workflow import Event, announce, require_belongs, require_record
from openasc.safeguarding import calendar
from openasc.safeguarding.codes import (
    RISK_IDENTIFIED,
    Agency,
    Autism,
    ConcernDecision,
    Consent,
    EnquiryKind,
    HarmPersonKnown,
    LackedCapacity,
    LocationOfRisk,
    MeetingKind,
    MspAchieved,
    MspAsked,
    NoEnquiryOutcome,
    ReferrerKind,
    RiskAssessmentOutcome,
    RiskOutcome,
    SharingBasis,
    SourceOfRisk,
    TypeOfRisk,
)
from openasc.safeguarding.models import (
    AgencyInformation,
    Allegation,
    Concern,
    Enquiry,
    EnquiryStatus,
    LargeScaleEnquiry,
    LocalSourceType,
    ProtectionAction,
    ProtectionPlan,
    ProtectionPlanReview,
    StrategyMeeting,
)
from openasc.safeguarding.workflows import CONCERN, ENQUIRY

MAX_TEXT = 10_000
MAX_LINE = 200


# --- small checks ----------------------------------------------------------------------------------------------


def _text(
    errors: dict[str, str],
    field: str,
    value,
    *,
    label: str,
    required: str = "",
    multiline: bool = True,
    max_length: int = MAX_TEXT,
) -> str:
    """A free-text field, cleaned (validation.clean_text); `required` is the message when it is empty."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = f"Enter the {label} as text"
        return ""
    try:
        value = validation.clean_text(value, label=label, max_length=max_length, multiline=multiline)
    except validation.TextError as exc:
        errors[field] = str(exc)
        return ""
    if required and not value:
        errors[field] = required
    return value


def _choice(
    errors: dict[str, str], field: str, value, choices, message: str, *, blank_ok: bool = False
) -> str:
    if blank_ok and value in ("", None):
        return ""
    if value not in choices.values:
        errors[field] = message
        return ""
    return value


def _date(
    errors: dict[str, str],
    field: str,
    value: dt.date | None,
    *,
    what: str,
    not_before: tuple[dt.date, str] | None = None,
    future_ok: bool = False,
    required: bool = True,
) -> dt.date | None:
    today = timezone.localdate()
    if value is None:
        if required:
            errors[field] = f"Enter the date {what}"
        return None
    if not isinstance(value, dt.date):
        errors[field] = f"Enter the date {what} as a real date"
        return None
    if not future_ok and value > today:
        errors[field] = f"The date {what} must be today or in the past"
    elif value < validation.EARLIEST_DATE_OF_BIRTH:
        errors[field] = f"The date {what} must be on or after 1 January 1900"
    elif not_before and value < not_before[0]:
        errors[field] = f"The date {what} must be on or after {not_before[1]} ({not_before[0]:%-d %B %Y})"
    return value


def _yes_no(errors: dict[str, str], field: str, value, message: str) -> bool | None:
    if value is True or value is False:
        return value
    errors[field] = message
    return None


def _person_check(errors: dict[str, str], person) -> None:
    if person.merged_into_id:
        errors["person"] = "This record was merged into another: record safeguarding on that record"


def safeguarding_team() -> Team:
    """The team whose queue every concern lands in (settings.OPENASC_SAFEGUARDING_TEAM, a team code)."""
    code = settings.OPENASC_SAFEGUARDING_TEAM
    team = Team.objects.filter(code=code, closed_at__isnull=True).first()
    if team is None:
        raise ValidationFailed(
            {
                "team": f"There is no open safeguarding team with the code '{code}': ask an administrator to set "
                "OPENASC_SAFEGUARDING_TEAM to the code of the safeguarding adults hub"
            }
        )
    return team


def _relationship(
    actor: User, person, *, team: Team | None = None, user: User | None = None
) -> CareRelationship:
    return core_services.care_relationship_create(
        actor=actor, person=person, kind=RelationshipKind.SAFEGUARDING_ENQUIRY, team=team, user=user
    )


def _end(actor: User, rel_id: int | None) -> None:
    if rel_id is None:
        return
    rel = CareRelationship.objects.filter(pk=rel_id, ends_at__isnull=True).first()
    if rel is not None:
        core_services.care_relationship_end(actor=actor, relationship=rel)


def _lock(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


def _recorded(record: access.OpenedRecord, model, *, audited: dict, **fields):
    """A new row in the adult's record (person, who recorded it and when from the opened record), audited as its
    creation with the record's basis, against the adult at risk; the caller holds the transaction."""
    row = model.objects.create(
        person=record.person, recorded_by=record.user, recorded_at=timezone.now(), **fields
    )
    audit.record(actor=record.user, action=AuditAction.CREATE, obj=row, basis=record.basis, details=audited)
    return row


# --- concerns --------------------------------------------------------------------------------------------------


def can_raise(user: User) -> bool:
    return access.has(user, access.Capability.RAISE_CONCERN)


def concern_raise(
    *,
    record: access.OpenedRecord,
    received_on: dt.date | None,
    referrer_kind: str,
    what_happened: str,
    consent: str,
    harm_person_known: str,
    referrer_name: str = "",
    referrer_organisation: str = "",
    referrer_contact: str = "",
    adult_views: str = "",
    consent_override_reason: str = "",
    immediate_actions: str = "",
    request=None,
) -> Concern:
    """Raise a safeguarding concern about the adult whose record is open: it lands in the safeguarding team's queue
    with a decision due in OPENASC_SAFEGUARDING_DECISION_DAYS working days, and the team may open the record."""
    actor, person = require_record(record).user, record.person
    if not can_raise(actor):
        raise access.refuse(
            actor,
            person_id=person.pk,
            purpose="raise a safeguarding concern",
            explanation="Your role cannot raise safeguarding concerns.",
        )
    if request is not None:
        require_belongs(record, request, field="request", what="request")
    errors: dict[str, str] = {}
    _person_check(errors, person)
    received_on = _date(errors, "received_on", received_on, what="the concern was received")
    if received_on and person.date_of_birth and received_on < person.date_of_birth:
        errors["received_on"] = "The date the concern was received must be after the person's date of birth"
    referrer_kind = _choice(
        errors, "referrer_kind", referrer_kind, ReferrerKind, "Select who raised the concern"
    )
    referrer_name = _text(
        errors, "referrer_name", referrer_name, label="referrer's name", multiline=False, max_length=MAX_LINE
    )
    if (
        referrer_kind
        and referrer_kind not in (ReferrerKind.SELF, ReferrerKind.ANONYMOUS)
        and not referrer_name
        and request is None  # from triage the request may not name them: the hub completes it
    ):
        errors.setdefault("referrer_name", "Enter the name of the person who raised the concern")
    referrer_organisation = _text(
        errors,
        "referrer_organisation",
        referrer_organisation,
        label="referrer's organisation",
        multiline=False,
        max_length=MAX_LINE,
    )
    professional = (
        ReferrerKind.PROVIDER,
        ReferrerKind.HEALTH,
        ReferrerKind.POLICE,
        ReferrerKind.HOUSING,
        ReferrerKind.OTHER_PROFESSIONAL,
    )
    if referrer_kind in professional and not referrer_organisation and request is None:
        errors.setdefault("referrer_organisation", "Enter the organisation the referrer works for")
    referrer_contact = _text(
        errors,
        "referrer_contact",
        referrer_contact,
        label="referrer's contact details",
        multiline=False,
        max_length=MAX_LINE,
    )
    what_happened = _text(
        errors,
        "what_happened",
        what_happened,
        label="what was seen or reported",
        required="Describe what was seen or reported",
    )
    adult_views = _text(errors, "adult_views", adult_views, label="the adult's views")
    consent = _choice(
        errors, "consent", consent, Consent, "Select whether the adult consented to the concern being shared"
    )
    consent_override_reason = _text(
        errors, "consent_override_reason", consent_override_reason, label="reason consent was overridden"
    )
    if consent == Consent.OVERRIDDEN and not consent_override_reason:
        errors.setdefault(
            "consent_override_reason",
            "Explain why the adult's refusal was overridden (a risk to others, a crime, serious risk to them, "
            "coercion)",
        )
    immediate_actions = _text(
        errors, "immediate_actions", immediate_actions, label="immediate safety actions"
    )
    harm_person_known = _choice(
        errors,
        "harm_person_known",
        harm_person_known,
        HarmPersonKnown,
        "Select whether the person causing harm is known",
    )
    team = None
    try:
        team = safeguarding_team()
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    due = calendar.add_working_days(received_on, calendar.decision_days())
    with transaction.atomic():
        concern = Concern.objects.create(
            person=person,
            received_on=received_on,
            raised_by=actor,
            raised_at=timezone.now(),
            referrer_kind=referrer_kind,
            referrer_name=referrer_name,
            referrer_organisation=referrer_organisation,
            referrer_contact=referrer_contact,
            what_happened=what_happened,
            adult_views=adult_views,
            consent=consent,
            consent_override_reason=consent_override_reason if consent == Consent.OVERRIDDEN else "",
            immediate_actions=immediate_actions,
            harm_person_known=harm_person_known,
            request=request,
            team=team,
            decision_due_on=due,
        )
        concern.team_relationship = _relationship(actor, person, team=team)
        concern.save(update_fields=["team_relationship"])
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=concern,
            basis=record.basis,
            details={
                "received_on": received_on.isoformat(),
                "referrer_kind": referrer_kind,
                "consent": consent,
                "team": team.pk,
                "decision_due_on": due.isoformat(),
                "request": request.pk if request is not None else None,
            },
        )
        CONCERN.begin(record, concern, note=f"Concern received; decision due {due:%-d %B %Y}")
    return concern


def agency_information_add(
    *,
    record: access.OpenedRecord,
    concern: Concern,
    agency: str,
    information: str,
    sharing_basis: str,
    received_on: dt.date | None,
    agency_name: str = "",
) -> AgencyInformation:
    """What the police, health, housing or another agency shared about the concern, and the lawful basis."""
    require_belongs(require_record(record), concern, field="concern", what="concern")
    _require_sees(record, concern)
    errors: dict[str, str] = {}
    agency = _choice(errors, "agency", agency, Agency, "Select the agency that shared the information")
    agency_name = _text(
        errors, "agency_name", agency_name, label="agency's name", multiline=False, max_length=MAX_LINE
    )
    information = _text(
        errors,
        "information",
        information,
        label="information shared",
        required="Enter what the agency shared",
    )
    sharing_basis = _choice(
        errors,
        "sharing_basis",
        sharing_basis,
        SharingBasis,
        "Select the basis on which the information was shared",
    )
    received_on = _date(
        errors,
        "received_on",
        received_on,
        what="the information was received",
        not_before=(concern.received_on, "the date the concern was received"),
    )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = _recorded(
            record,
            AgencyInformation,
            concern=concern,
            agency=agency,
            agency_name=agency_name,
            information=information,
            sharing_basis=sharing_basis,
            received_on=received_on,
            audited={"concern": concern.pk, "agency": agency, "sharing_basis": sharing_basis},
        )
    return row


def concern_decide(
    *,
    record: access.OpenedRecord,
    concern: Concern,
    care_and_support_needs,
    abuse_or_neglect,
    unable_to_protect,
    decision: str,
    decided_on: dt.date | None = None,
    decision_reason: str = "",
    other_reason: str = "",
    no_enquiry_outcome: str = "",
) -> Concern:
    """Record the three section 42(1) criteria one by one and the decision they give: a section 42 enquiry (all
    three met: the council must enquire), an other safeguarding enquiry (with why it is necessary and proportionate)
    or no enquiry (with the outcome). An enquiry starts in planning; with no enquiry the team's access ends."""
    require_belongs(require_record(record), concern, field="concern", what="concern")
    transition = (
        "decide_enquiry"
        if decision in (ConcernDecision.SECTION_42, ConcernDecision.OTHER_ENQUIRY)
        else "decide_no_enquiry"
    )
    CONCERN.check(record, concern, transition)
    errors: dict[str, str] = {}
    c1 = _yes_no(
        errors,
        "care_and_support_needs",
        care_and_support_needs,
        "Answer whether the adult has needs for care and support",
    )
    c2 = _yes_no(
        errors,
        "abuse_or_neglect",
        abuse_or_neglect,
        "Answer whether the adult is experiencing, or at risk of, abuse or neglect",
    )
    c3 = _yes_no(
        errors,
        "unable_to_protect",
        unable_to_protect,
        "Answer whether, because of those needs, the adult is unable to protect themselves",
    )
    decision = _choice(errors, "decision", decision, ConcernDecision, "Select the decision")
    decided_on = _date(
        errors,
        "decided_on",
        decided_on or timezone.localdate(),
        what="of the decision",
        not_before=(concern.received_on, "the date the concern was received"),
    )
    decision_reason = _text(errors, "decision_reason", decision_reason, label="reasons for the decision")
    other_reason = _text(errors, "other_reason", other_reason, label="reason for an other enquiry")
    met = bool(c1 and c2 and c3)
    if (
        decision
        and "care_and_support_needs" not in errors
        and "abuse_or_neglect" not in errors
        and "unable_to_protect" not in errors
    ):
        if met and decision != ConcernDecision.SECTION_42:
            errors["decision"] = (
                "All three section 42(1) criteria are met, so the council must make a section 42 enquiry: choose "
                "a section 42 enquiry, or change the answer to a criterion"
            )
        elif not met and decision == ConcernDecision.SECTION_42:
            errors["decision"] = (
                "A section 42 enquiry needs all three criteria to be met: choose an other safeguarding enquiry or "
                "no enquiry, or change the answer to a criterion"
            )
    if decision == ConcernDecision.OTHER_ENQUIRY and not other_reason:
        errors.setdefault(
            "other_reason", "Explain why an other safeguarding enquiry is necessary and proportionate"
        )
    if decision == ConcernDecision.NO_ENQUIRY:
        no_enquiry_outcome = _choice(
            errors,
            "no_enquiry_outcome",
            no_enquiry_outcome,
            NoEnquiryOutcome,
            "Select what happens instead of an enquiry",
        )
        if not decision_reason:
            errors.setdefault("decision_reason", "Explain why there will be no enquiry")
    else:
        no_enquiry_outcome = ""
    if errors:
        raise ValidationFailed(errors)
    actor = record.user
    with transaction.atomic():
        concern = _lock(Concern, concern)
        concern.care_and_support_needs, concern.abuse_or_neglect, concern.unable_to_protect = c1, c2, c3
        concern.decision = decision
        concern.decision_reason = decision_reason
        concern.no_enquiry_outcome = no_enquiry_outcome
        concern.decided_on = decided_on
        concern.decided_by = actor
        label = ConcernDecision(decision).label
        CONCERN.apply(
            record,
            concern,
            transition,
            note=label
            if decision != ConcernDecision.NO_ENQUIRY
            else f"{label}: {NoEnquiryOutcome(no_enquiry_outcome).label}",
            fields=[
                "care_and_support_needs",
                "abuse_or_neglect",
                "unable_to_protect",
                "decision",
                "decision_reason",
                "no_enquiry_outcome",
                "decided_on",
                "decided_by",
            ],
            details={
                "decision": decision,
                "criteria": [c1, c2, c3],
                "no_enquiry_outcome": no_enquiry_outcome,
            },
        )
        if decision == ConcernDecision.NO_ENQUIRY:
            _end(actor, concern.team_relationship_id)
            return concern
        enquiry = Enquiry.objects.create(
            person=record.person,
            concern=concern,
            kind=EnquiryKind.SECTION_42 if decision == ConcernDecision.SECTION_42 else EnquiryKind.OTHER,
            other_reason=other_reason if decision == ConcernDecision.OTHER_ENQUIRY else "",
            started_on=decided_on,
            team=concern.team,
            created_by=actor,
            created_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=enquiry,
            basis=record.basis,
            details={"concern": concern.pk, "kind": enquiry.kind, "started_on": decided_on.isoformat()},
        )
        ENQUIRY.begin(record, enquiry, note=f"{label} started")
    return concern


def concern_cancel(*, record: access.OpenedRecord, concern: Concern, reason: str) -> Concern:
    """A concern recorded in error (the wrong person, a duplicate of one already raised): kept, never counted."""
    require_belongs(require_record(record), concern, field="concern", what="concern")
    CONCERN.check(record, concern, "cancel")
    errors: dict[str, str] = {}
    reason = _text(
        errors,
        "reason",
        reason,
        label="reason",
        required="Explain why the concern was recorded in error",
        max_length=2000,
    )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        concern = _lock(Concern, concern)
        concern.cancel_reason = reason
        CONCERN.apply(
            record,
            concern,
            "cancel",
            note=f"Recorded in error: {reason}",
            reason=reason,
            fields=["cancel_reason"],
        )
        _end(record.user, concern.team_relationship_id)
    return concern


# --- who may see the detail ------------------------------------------------------------------------------------


def _require_sees(record: access.OpenedRecord, concern: Concern) -> None:
    from openasc.safeguarding.selectors import sees_detail

    if not sees_detail(record.user, record.person_id, concern):
        raise access.refuse(
            record.user,
            person_id=record.person_id,
            purpose="safeguarding detail",
            explanation="Only the safeguarding team, the enquiry officer, safeguarding leads and team managers can "
            "add to a safeguarding concern or enquiry.",
            obj=concern,
        )


def can_work_on(user: User, enquiry: Enquiry, *, officer_id: int | None = None) -> bool:
    """Whether `user` may record the enquiry's work: its officer, a safeguarding lead or team manager, or a member of
    the enquiry's team who leads enquiries (pages use it to offer only what the services will accept)."""
    officer_id = enquiry.officer_id if officer_id is None else officer_id
    if officer_id == user.pk or access.has(user, access.Capability.DECIDE_SAFEGUARDING):
        return True
    return access.has(user, access.Capability.LEAD_ENQUIRY) and enquiry.team_id in access._team_ids(user)


def _require_works_on(record: access.OpenedRecord, enquiry: Enquiry) -> None:
    """Recording the enquiry's work: its officer, or a safeguarding lead or team manager, or the hub's members."""
    user = record.user
    officer_id = Enquiry.objects.filter(pk=enquiry.pk).values_list("officer_id", flat=True).first()
    if can_work_on(user, enquiry, officer_id=officer_id or 0):
        return
    raise access.refuse(
        user,
        person_id=record.person_id,
        purpose="safeguarding enquiry",
        explanation="Only the enquiry officer, the safeguarding team, safeguarding leads and team managers can "
        "record an enquiry's work.",
        obj=enquiry,
    )


def _require_open(enquiry: Enquiry, field: str = "enquiry") -> None:
    if enquiry.status == EnquiryStatus.CLOSED:
        raise ValidationFailed({field: "This enquiry is closed: nothing more can be recorded on it"})


# --- the enquiry ------------------------------------------------------------------------------------------------


def officers() -> Iterable[User]:
    """Who can be an enquiry officer: active staff who lead enquiries (never an NHS partner or a system account)."""
    return (
        User.objects.filter(is_active=True, role__in=access.roles_with(access.Capability.LEAD_ENQUIRY))
        .exclude(role__in=[Role.NHS_PARTNER, Role.SYSTEM])
        .order_by("last_name", "first_name")
    )


def enquiry_allocate(*, record: access.OpenedRecord, enquiry: Enquiry, officer: User | None) -> Enquiry:
    """Allocate the enquiry officer: they may open the adult's record while the enquiry is open (a relationship of
    its own, ended when the enquiry closes or another officer is allocated)."""
    require_belongs(require_record(record), enquiry, field="officer", what="enquiry")
    actor = record.user
    if not access.has(actor, access.Capability.DECIDE_SAFEGUARDING):
        raise access.refuse(
            actor,
            person_id=record.person_id,
            purpose="allocate an enquiry officer",
            explanation="Only a safeguarding lead or a team manager can allocate an enquiry officer.",
            obj=enquiry,
        )
    errors: dict[str, str] = {}
    if officer is None:
        errors["officer"] = "Select the enquiry officer"
    elif not officers().filter(pk=officer.pk).exists():
        errors["officer"] = (
            "Choose a social worker, team manager or safeguarding lead whose account is active"
        )
    elif officer.pk == enquiry.officer_id:
        errors["officer"] = f"{officer.get_full_name() or officer.username} is already the enquiry officer"
    if enquiry.status not in (EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS):
        errors["officer"] = "An officer is allocated only while the enquiry is being planned or carried out"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        enquiry = _lock(Enquiry, enquiry)
        previous = enquiry.officer_id
        _end(actor, enquiry.officer_relationship_id)
        enquiry.officer = officer
        enquiry.officer_relationship = _relationship(actor, record.person, user=officer)
        enquiry.save(update_fields=["officer", "officer_relationship"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=enquiry,
            basis=record.basis,
            details={"officer": officer.pk, "previous_officer": previous},
        )
        announce(Event("safeguarding_enquiry", "allocate", record, enquiry, enquiry.status, enquiry.status))
    return enquiry


def enquiry_start(*, record: access.OpenedRecord, enquiry: Enquiry) -> Enquiry:
    require_belongs(require_record(record), enquiry, field="enquiry", what="enquiry")
    enquiry.refresh_from_db()  # the officer as it is now decides who may
    ENQUIRY.check(record, enquiry, "start")
    with transaction.atomic():
        enquiry = _lock(Enquiry, enquiry)
        ENQUIRY.apply(record, enquiry, "start", note="Enquiry started")
    return enquiry


def meeting_record(
    *,
    record: access.OpenedRecord,
    enquiry: Enquiry,
    kind: str,
    held_on: dt.date | None,
    attendees: str,
    decisions: str,
    agencies: Iterable[str] = (),
    actions: str = "",
) -> StrategyMeeting:
    """A strategy discussion or meeting (who attended, which agencies, what was decided and who does what), or a
    case conference."""
    require_belongs(require_record(record), enquiry, field="enquiry", what="enquiry")
    _require_works_on(record, enquiry)
    _require_open(enquiry, "kind")
    errors: dict[str, str] = {}
    kind = _choice(
        errors,
        "kind",
        kind,
        MeetingKind,
        "Select a strategy discussion, a strategy meeting or a case conference",
    )
    held_on = _date(
        errors,
        "held_on",
        held_on,
        what="it was held",
        not_before=(enquiry.concern.received_on, "the date the concern was received"),
    )
    attendees = _text(
        errors, "attendees", attendees, label="who attended", required="Enter who attended, and their roles"
    )
    decisions = _text(errors, "decisions", decisions, label="decisions", required="Enter what was decided")
    actions = _text(errors, "actions", actions, label="actions")
    agencies = list(dict.fromkeys(agencies or ()))
    if any(a not in Agency.values for a in agencies):
        errors["agencies"] = "Select the agencies from the list"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = _recorded(
            record,
            StrategyMeeting,
            enquiry=enquiry,
            kind=kind,
            held_on=held_on,
            attendees=attendees,
            agencies="|".join(agencies),
            decisions=decisions,
            actions=actions,
            audited={
                "enquiry": enquiry.pk,
                "kind": kind,
                "held_on": held_on.isoformat(),
                "agencies": agencies,
            },
        )
    return row


def local_source_types() -> list[LocalSourceType]:
    return list(LocalSourceType.objects.filter(active=True))


def allegation_add(
    *,
    record: access.OpenedRecord,
    enquiry: Enquiry,
    type_of_risk: str,
    location_of_risk: str,
    source_of_risk: str = "",
    local_source: LocalSourceType | None = None,
    source_description: str = "",
    source_person=None,
    details: str = "",
) -> Allegation:
    """One allegation line: the type, location and source of risk from the national lists. A council's finer
    source (`local_source`) gives the national source it maps to; `source_person` is the person alleged to cause
    harm when they have a record, which their own record never shows."""
    require_belongs(require_record(record), enquiry, field="enquiry", what="enquiry")
    _require_works_on(record, enquiry)
    errors: dict[str, str] = {}
    if enquiry.status not in (EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS):
        errors["type_of_risk"] = "Allegations are recorded before the enquiry concludes"
    type_of_risk = _choice(errors, "type_of_risk", type_of_risk, TypeOfRisk, "Select the type of risk")
    location_of_risk = _choice(
        errors, "location_of_risk", location_of_risk, LocationOfRisk, "Select the location of risk"
    )
    if local_source is not None:
        if not local_source.active:
            errors["local_source"] = f"'{local_source.name}' is no longer in use: choose another source"
        elif source_of_risk and source_of_risk != local_source.national:
            errors["source_of_risk"] = (
                f"'{local_source.name}' is counted as '{local_source.national}': leave the national source to follow "
                "it, or choose another"
            )
        source_of_risk = local_source.national
    source_of_risk = _choice(
        errors, "source_of_risk", source_of_risk, SourceOfRisk, "Select the source of risk"
    )
    source_description = _text(
        errors,
        "source_description",
        source_description,
        label="source of risk",
        multiline=False,
        max_length=MAX_LINE,
    )
    details = _text(errors, "details", details, label="details")
    if source_person is not None and source_person.pk == record.person_id:
        errors["source_person"] = "The adult at risk cannot be recorded as the person alleged to cause harm"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        # Audited against the adult at risk only: the alleged person's access log would tell them of it.
        row = _recorded(
            record,
            Allegation,
            enquiry=enquiry,
            type_of_risk=type_of_risk,
            location_of_risk=location_of_risk,
            source_of_risk=source_of_risk,
            local_source=local_source,
            source_description=source_description,
            source_person=source_person,
            details=details,
            audited={
                "enquiry": enquiry.pk,
                "type_of_risk": type_of_risk,
                "location_of_risk": location_of_risk,
                "source_of_risk": source_of_risk,
                "source_person_recorded": source_person is not None,
            },
        )
    return row


def allegation_remove(*, record: access.OpenedRecord, allegation: Allegation, reason: str) -> None:
    require_belongs(require_record(record), allegation, field="allegation", what="allegation")
    enquiry = allegation.enquiry
    _require_works_on(record, enquiry)
    errors: dict[str, str] = {}
    if enquiry.status not in (EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS):
        errors["allegation"] = "The enquiry has concluded: its allegations are what the return counts"
    reason = _text(
        errors,
        "reason",
        reason,
        label="reason",
        required="Explain why the allegation line is removed",
        max_length=2000,
    )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        audit.record(
            actor=record.user,
            action=AuditAction.DELETE,
            obj=allegation,
            basis=record.basis,
            reason=reason,
            details={"enquiry": enquiry.pk, "type_of_risk": allegation.type_of_risk},
        )
        allegation.delete()


def protection_plan_set(
    *,
    record: access.OpenedRecord,
    enquiry: Enquiry,
    agreed_on: dt.date | None,
    summary: str,
    review_due_on: dt.date | None,
    actions: Iterable[dict] = (),
) -> ProtectionPlan:
    """Agree the protection plan (or replace its text and add actions): what keeps the adult safe, who does what,
    and when it is next reviewed."""
    require_belongs(require_record(record), enquiry, field="enquiry", what="enquiry")
    _require_works_on(record, enquiry)
    _require_open(enquiry, "summary")
    errors: dict[str, str] = {}
    agreed_on = _date(
        errors,
        "agreed_on",
        agreed_on,
        what="the plan was agreed",
        not_before=(enquiry.started_on, "the start of the enquiry"),
    )
    summary = _text(
        errors, "summary", summary, label="protection plan", required="Describe what will keep the adult safe"
    )
    review_due_on = _date(errors, "review_due_on", review_due_on, what="of the first review", future_ok=True)
    if agreed_on and review_due_on and review_due_on <= agreed_on and "review_due_on" not in errors:
        errors["review_due_on"] = "The review must be after the date the plan was agreed"
    clean_actions = []
    for i, a in enumerate(actions or ()):
        what = _text(errors, f"actions-{i}-action", a.get("action", ""), label="action")
        owner = _text(
            errors,
            f"actions-{i}-owner",
            a.get("owner", ""),
            label="who will do it",
            multiline=False,
            max_length=MAX_LINE,
        )
        if not what and not owner:
            continue
        if not what:
            errors.setdefault(f"actions-{i}-action", f"Enter action {i + 1}, or remove who will do it")
        if not owner:
            errors.setdefault(f"actions-{i}-owner", f"Enter who will do action {i + 1}")
        due = a.get("due_on")
        if due is not None and not isinstance(due, dt.date):
            errors[f"actions-{i}-due_on"] = f"Enter the date action {i + 1} is due as a real date"
            due = None
        clean_actions.append((what, owner, due))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        plan = ProtectionPlan.objects.filter(enquiry=enquiry).first()
        created = plan is None
        if created:
            plan = ProtectionPlan(
                enquiry=enquiry, person=record.person, recorded_by=record.user, recorded_at=timezone.now()
            )
        plan.agreed_on, plan.summary, plan.review_due_on, plan.ended_on = (
            agreed_on,
            summary,
            review_due_on,
            None,
        )
        plan.save()
        audit.record(
            actor=record.user,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=plan,
            basis=record.basis,
            details={
                "enquiry": enquiry.pk,
                "review_due_on": review_due_on.isoformat(),
                "actions": len(clean_actions),
            },
        )
        for what, owner, due in clean_actions:
            act = ProtectionAction.objects.create(
                plan=plan, person=record.person, action=what, owner=owner, due_on=due
            )
            audit.record(
                actor=record.user,
                action=AuditAction.CREATE,
                obj=act,
                basis=record.basis,
                details={"plan": plan.pk},
            )
        announce(
            Event("safeguarding_enquiry", "protection_plan", record, enquiry, enquiry.status, enquiry.status)
        )
    return plan


def protection_plan_review(
    *,
    record: access.OpenedRecord,
    plan: ProtectionPlan,
    reviewed_on: dt.date | None,
    summary: str,
    next_review_on: dt.date | None,
) -> ProtectionPlanReview:
    """Review the protection plan: the next review date, or none when the plan ends."""
    require_belongs(require_record(record), plan, field="plan", what="protection plan")
    enquiry = plan.enquiry
    _require_works_on(record, enquiry)
    _require_open(enquiry, "summary")
    errors: dict[str, str] = {}
    if plan.ended_on is not None:
        errors["summary"] = "This protection plan has ended: agree a new one to review it again"
    reviewed_on = _date(
        errors,
        "reviewed_on",
        reviewed_on,
        what="of the review",
        not_before=(plan.agreed_on, "the date the plan was agreed"),
    )
    summary = _text(errors, "summary", summary, label="review", required="Describe what the review found")
    next_review_on = _date(
        errors, "next_review_on", next_review_on, what="of the next review", future_ok=True, required=False
    )
    if reviewed_on and next_review_on and next_review_on <= reviewed_on and "next_review_on" not in errors:
        errors["next_review_on"] = "The next review must be after this one, or leave it empty to end the plan"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = _recorded(
            record,
            ProtectionPlanReview,
            plan=plan,
            reviewed_on=reviewed_on,
            summary=summary,
            next_review_on=next_review_on,
            audited={
                "plan": plan.pk,
                "next_review_on": next_review_on.isoformat() if next_review_on else None,
            },
        )
        plan.review_due_on = next_review_on or plan.review_due_on
        plan.ended_on = None if next_review_on else reviewed_on
        plan.save(update_fields=["review_due_on", "ended_on"])
        audit.record(
            actor=record.user,
            action=AuditAction.UPDATE,
            obj=plan,
            basis=record.basis,
            details={
                "review": row.pk,
                "review_due_on": plan.review_due_on.isoformat(),
                "ended_on": plan.ended_on.isoformat() if plan.ended_on else None,
            },
        )
        announce(
            Event("safeguarding_enquiry", "protection_plan", record, enquiry, enquiry.status, enquiry.status)
        )
    return row


def enquiry_conclude(
    *,
    record: access.OpenedRecord,
    enquiry: Enquiry,
    concluded_on: dt.date | None,
    risk_assessment_outcome: str,
    lacked_capacity: str,
    msp_asked: str,
    risk_outcome: str = "",
    capacity_assessment=None,
    supported_by_advocate=None,
    msp_desired_outcomes: str = "",
    msp_achieved: str = "",
    conclusion: str = "",
    autism: str = "",
) -> Enquiry:
    """Conclude the enquiry with what the Safeguarding Adults Collection asks (SG2c, SG2e, SG3a, SG4a): the risk
    assessment outcome, the risk outcome where a risk was identified, whether the adult lacked capacity for decisions
    about the enquiry (linked to that capacity assessment) and was supported by an advocate, family or friend, and
    Making Safeguarding Personal: were they asked what outcomes they wanted, what were they, were they achieved."""
    require_belongs(require_record(record), enquiry, field="enquiry", what="enquiry")
    enquiry.refresh_from_db()  # the officer as it is now decides who may
    ENQUIRY.check(record, enquiry, "conclude")
    errors: dict[str, str] = {}
    concluded_on = _date(
        errors,
        "concluded_on",
        concluded_on,
        what="the enquiry concluded",
        not_before=(enquiry.started_on, "the start of the enquiry"),
    )
    rao = _choice(
        errors,
        "risk_assessment_outcome",
        risk_assessment_outcome,
        RiskAssessmentOutcome,
        "Select the risk assessment outcome",
    )
    if rao in RISK_IDENTIFIED:
        risk_outcome = _choice(
            errors,
            "risk_outcome",
            risk_outcome,
            RiskOutcome,
            "A risk was identified: select whether it remained, was reduced or was removed",
        )
    elif risk_outcome:
        errors["risk_outcome"] = "A risk outcome is recorded only where a risk was identified: leave it empty"
    lacked = _choice(
        errors,
        "lacked_capacity",
        lacked_capacity,
        LackedCapacity,
        "Select whether the adult lacked capacity to make decisions about the enquiry",
    )
    if lacked == LackedCapacity.YES:
        if capacity_assessment is None:
            errors["capacity_assessment"] = (
                "Choose the mental capacity assessment that found the adult lacked capacity"
            )
        elif capacity_assessment.person_id != record.person_id:
            errors["capacity_assessment"] = (
                "That capacity assessment is another person's: choose one of this adult's"
            )
        elif not capacity_assessment.lacks_capacity:
            errors["capacity_assessment"] = (
                "That assessment found the adult has capacity: choose one that found they lacked it"
            )
        supported = _yes_no(
            errors,
            "supported_by_advocate",
            supported_by_advocate,
            "Answer whether an advocate, family member or friend supported the adult",
        )
    else:
        if capacity_assessment is not None and capacity_assessment.person_id != record.person_id:
            errors["capacity_assessment"] = (
                "That capacity assessment is another person's: choose one of this adult's"
            )
        supported = None
    asked = _choice(
        errors,
        "msp_asked",
        msp_asked,
        MspAsked,
        "Select whether the adult or their representative was asked what outcomes they wanted",
    )
    msp_desired_outcomes = _text(
        errors, "msp_desired_outcomes", msp_desired_outcomes, label="desired outcomes"
    )
    if asked == MspAsked.EXPRESSED:
        if not msp_desired_outcomes:
            errors.setdefault("msp_desired_outcomes", "Enter the outcomes the adult wanted, in their words")
        msp_achieved = _choice(
            errors,
            "msp_achieved",
            msp_achieved,
            MspAchieved,
            "Select whether the outcomes they wanted were fully, partially or not achieved",
        )
    elif msp_achieved:
        errors["msp_achieved"] = (
            "Whether outcomes were achieved is recorded only where the adult expressed outcomes"
        )
    conclusion = _text(errors, "conclusion", conclusion, label="conclusion")
    autism = _choice(
        errors, "autism", autism, Autism, "Select a health condition from the list, or neither", blank_ok=True
    )
    if enquiry.kind == EnquiryKind.SECTION_42 and not enquiry.allegations.exists():
        errors["enquiry"] = (
            "Record at least one allegation (type, location and source of risk) before concluding"
        )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        enquiry = _lock(Enquiry, enquiry)
        enquiry.concluded_on = concluded_on
        enquiry.risk_assessment_outcome = rao
        enquiry.risk_outcome = risk_outcome if rao in RISK_IDENTIFIED else ""
        enquiry.lacked_capacity = lacked
        enquiry.capacity_assessment = capacity_assessment
        enquiry.supported_by_advocate = supported
        enquiry.msp_asked = asked
        enquiry.msp_desired_outcomes = msp_desired_outcomes
        enquiry.msp_achieved = msp_achieved if asked == MspAsked.EXPRESSED else ""
        enquiry.conclusion = conclusion
        enquiry.autism = autism
        ENQUIRY.apply(
            record,
            enquiry,
            "conclude",
            note=f"Concluded: {rao}",
            fields=[
                "concluded_on",
                "risk_assessment_outcome",
                "risk_outcome",
                "lacked_capacity",
                "capacity_assessment",
                "supported_by_advocate",
                "msp_asked",
                "msp_desired_outcomes",
                "msp_achieved",
                "conclusion",
                "autism",
            ],
            details={
                "concluded_on": concluded_on.isoformat(),
                "risk_assessment_outcome": rao,
                "risk_outcome": enquiry.risk_outcome,
                "lacked_capacity": lacked,
                "msp_asked": asked,
                "msp_achieved": enquiry.msp_achieved,
            },
        )
    return enquiry


def enquiry_close(
    *, record: access.OpenedRecord, enquiry: Enquiry, closed_on: dt.date | None = None, note: str = ""
) -> Enquiry:
    """Close a concluded enquiry: the officer's and the team's access end, and an open protection plan ends."""
    require_belongs(require_record(record), enquiry, field="enquiry", what="enquiry")
    enquiry.refresh_from_db()  # the officer as it is now decides who may
    ENQUIRY.check(record, enquiry, "close")
    errors: dict[str, str] = {}
    closed_on = _date(
        errors,
        "closed_on",
        closed_on or timezone.localdate(),
        what="the enquiry closed",
        not_before=(enquiry.concluded_on or enquiry.started_on, "the date it concluded"),
    )
    note = _text(errors, "note", note, label="closing note")
    if errors:
        raise ValidationFailed(errors)
    actor = record.user
    with transaction.atomic():
        enquiry = _lock(Enquiry, enquiry)
        enquiry.closed_on, enquiry.closure_note = closed_on, note
        ENQUIRY.apply(record, enquiry, "close", note="Closed", fields=["closed_on", "closure_note"])
        plan = ProtectionPlan.objects.filter(enquiry=enquiry, ended_on__isnull=True).first()
        if plan is not None:
            plan.ended_on = closed_on
            plan.save(update_fields=["ended_on"])
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=plan,
                basis=record.basis,
                details={"ended_on": closed_on.isoformat(), "why": "enquiry closed"},
            )
        _end(actor, enquiry.officer_relationship_id)
        _end(actor, enquiry.concern.team_relationship_id)
    return enquiry


# --- large-scale enquiries ---------------------------------------------------------------------------------------


def large_scale_create(
    *, actor: User, title: str, started_on: dt.date | None, provider=None, summary: str = ""
) -> LargeScaleEnquiry:
    """A large-scale enquiry (a provider, many adults): each adult at risk's own enquiry is then linked to it."""
    if not access.has(actor, access.Capability.DECIDE_SAFEGUARDING):
        raise PermissionError("Only a safeguarding lead or a team manager can open a large-scale enquiry.")
    errors: dict[str, str] = {}
    title = _text(
        errors,
        "title",
        title,
        label="title",
        required="Enter a title (the provider or setting, and what is alleged)",
        multiline=False,
        max_length=MAX_LINE,
    )
    started_on = _date(errors, "started_on", started_on, what="it started")
    summary = _text(errors, "summary", summary, label="summary")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = LargeScaleEnquiry.objects.create(
            title=title,
            provider=provider,
            started_on=started_on,
            summary=summary,
            created_by=actor,
            created_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            details={"provider": provider.pk if provider else None},
        )
    return row


def enquiry_link_large_scale(
    *, record: access.OpenedRecord, enquiry: Enquiry, large_scale: LargeScaleEnquiry | None
) -> Enquiry:
    require_belongs(require_record(record), enquiry, field="large_scale", what="enquiry")
    if not access.has(record.user, access.Capability.DECIDE_SAFEGUARDING):
        raise access.refuse(
            record.user,
            person_id=record.person_id,
            purpose="link to a large-scale enquiry",
            explanation="Only a safeguarding lead or a team manager can link an enquiry to a large-scale enquiry.",
            obj=enquiry,
        )
    with transaction.atomic():
        enquiry = _lock(Enquiry, enquiry)
        enquiry.large_scale = large_scale
        enquiry.save(update_fields=["large_scale"])
        audit.record(
            actor=record.user,
            action=AuditAction.UPDATE,
            obj=enquiry,
            basis=record.basis,
            details={"large_scale": large_scale.pk if large_scale else None},
        )
    return enquiry


# --- merging --------------------------------------------------------------------------------------------------


def safeguarding_records_move(*, keep, duplicate) -> int:
    """A merge's move of the duplicate's safeguarding records to the kept record, including the allegations that
    name the duplicate as the person alleged to cause harm; for `people.services.person_merge`, inside its
    `audit.bulk` block, whose merge events say how many moved (people.merging)."""
    from openasc.safeguarding.models import SarIndividual

    on_person = (
        Concern,
        Enquiry,
        AgencyInformation,
        Allegation,
        StrategyMeeting,
        ProtectionPlan,
        ProtectionAction,
        ProtectionPlanReview,
        SarIndividual,
    )
    moved = sum(model.objects.filter(person=duplicate).update(person=keep) for model in on_person)
    return moved + Allegation.objects.filter(source_person=duplicate).update(source_person=keep)
