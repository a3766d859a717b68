"""Reads of assessments, always for a given user, through the access rules, audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from openasc.assessments import eligibility, sections
from openasc.assessments.models import Assessment, AssessmentKind, AssessmentStatus, OutcomeAssessment
from openasc.core import access, audit
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, User

NOT_STARTED = "Not started"
IN_PROGRESS = "In progress"
COMPLETED = "Completed"


def assessment_open(
    *, user: User, assessment_id: int, purpose: str = "view"
) -> tuple[Assessment, access.OpenedRecord]:
    """Open an assessment: allowed only with a legitimate basis to open the person's record; audited. The opened
    record is what the assessment write services take."""
    assessment = Assessment.objects.select_related(
        "person", "cared_for", "assessor", "signed_off_by", "request"
    ).get(pk=assessment_id)
    return assessment, access.open_record(user, assessment.person, purpose, obj=assessment)


def assessment_get(*, user: User, assessment_id: int, purpose: str = "view") -> Assessment:
    """Open an assessment to read it (`assessment_open`, without the record)."""
    return assessment_open(user=user, assessment_id=assessment_id, purpose=purpose)[0]


def assessment_person_id(*, assessment_id: int) -> int:
    """Only whose assessment it is, so that a refused page can offer break-glass access to that record."""
    return Assessment.objects.values_list("person_id", flat=True).get(pk=assessment_id)


def assessments_for_person(*, user: User, person) -> list[Assessment]:
    """The person's assessments, newest first (the caller has opened the person's record through a selector)."""
    access.check(user, person, "assessments")
    return list(
        Assessment.objects.filter(person=person)
        .select_related("assessor", "cared_for")
        .order_by("-started_on", "-pk")
    )


@dataclass
class StartOptions:
    person: object
    record: access.OpenedRecord | None = None  # the person's record as opened for starting the assessment
    requests: list = field(default_factory=list)
    cared_for: list = field(default_factory=list)  # people this person is an unpaid carer for


def start_options(*, user: User, person_id: int) -> StartOptions:
    """What the start page offers: the person's requests for support and the people they care for."""
    from openasc.frontdoor.models import SupportRequest
    from openasc.people import selectors as people_selectors
    from openasc.people.models import CarerLink

    record = people_selectors.person_open(user=user, person_id=person_id, purpose="start assessment")
    person = record.person
    requests = list(
        SupportRequest.objects.filter(person=person)
        .exclude(status="cancelled")
        .order_by("-received_on", "-pk")[:20]
    )
    links = list(CarerLink.objects.filter(carer=person, ended_on__isnull=True).select_related("cared_for"))
    return StartOptions(
        person=person, record=record, requests=requests, cared_for=[link.cared_for for link in links]
    )


def outcome_answers(assessment: Assessment) -> dict[str, OutcomeAssessment]:
    return {o.code: o for o in assessment.outcomes.all()}


def section_status(assessment: Assessment, key: str) -> str:
    if key in assessment.section_drafts:
        return IN_PROGRESS
    if key in assessment.sections_done:
        return COMPLETED
    return NOT_STARTED


@dataclass
class TaskItem:
    section: sections.Section
    status: str


def task_list(assessment: Assessment) -> list[TaskItem]:
    """Every section with its status, in order."""
    return [TaskItem(s, section_status(assessment, s.key)) for s in sections.for_kind(assessment.kind)]


def missing_sections(assessment: Assessment, *, exclude: tuple[str, ...] = ()) -> list[sections.Section]:
    """Sections not yet completed (work in progress does not count)."""
    return [
        s
        for s in sections.for_kind(assessment.kind)
        if s.key not in exclude and section_status(assessment, s.key) != COMPLETED
    ]


def determination(assessment: Assessment) -> eligibility.Determination:
    """The three-condition test applied to what has been recorded (unanswered conditions count as not met)."""
    answers = [
        eligibility.OutcomeAnswer(code=o.code, limbs=frozenset() if o.can_achieve else frozenset(o.limbs))
        for o in assessment.outcomes.all()
    ]
    if assessment.kind == AssessmentKind.CARER:
        return eligibility.determine_carer(
            needs_from_necessary_care=bool(assessment.condition_met),
            health_at_risk=bool(assessment.carer_health_at_risk),
            answers=answers,
            significant_wellbeing_impact=bool(assessment.wellbeing_impact),
        )
    return eligibility.determine_adult(
        impairment_or_illness=bool(assessment.condition_met),
        answers=answers,
        significant_wellbeing_impact=bool(assessment.wellbeing_impact),
    )


def return_note(assessment: Assessment) -> str:
    """Why a manager returned the assessment, while it is back with the assessor."""
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        return ""
    last = assessment.status_changes.order_by("-changed_at", "-pk").first()
    if last and last.note.startswith("Returned: "):
        return last.note.removeprefix("Returned: ")
    return ""


def cancel_reason(assessment: Assessment) -> str:
    """Why a cancelled assessment was cancelled (the note of the status row that cancelled it)."""
    if assessment.status != AssessmentStatus.CANCELLED:
        return ""
    row = (
        assessment.status_changes.filter(status=AssessmentStatus.CANCELLED)
        .order_by("-changed_at", "-pk")
        .first()
    )
    return row.note.removeprefix("Cancelled: ") if row else ""


def awaiting_sign_off(*, user: User) -> list[Assessment]:
    """Assessments waiting for this manager's sign-off: their teams' people, not their own work."""
    from openasc.assessments.services import can_sign_off
    from openasc.people.models import Person

    if not can_sign_off(user):
        return []
    team_ids = list(user.teams.values_list("id", flat=True))
    now = timezone.now()
    team_people = CareRelationship.objects.filter(
        access.active_at(now), team_id__in=team_ids, kind=RelationshipKind.ALLOCATED_TEAM
    ).values("person_id")
    visible = access.people_visible_to(user, Person.objects.all()).values("pk")
    qs = (
        Assessment.objects.filter(status=AssessmentStatus.AWAITING_SIGN_OFF, person_id__in=visible)
        .filter(Q(person_id__in=team_people) | Q(assessor__teams__in=team_ids))
        .exclude(assessor=user)
        .distinct()
        .select_related("person", "assessor")
        .order_by("completed_on", "pk")
    )
    found = list(qs)
    if found:
        audit.record_many(actor=user, action=AuditAction.VIEW, objs=found, basis="Sign-off queue")
    return found


@dataclass(frozen=True)
class Need:
    code: str
    label: str
    notes: str
    limbs: tuple[str, ...]


@dataclass(frozen=True)
class EligibleNeeds:
    eligible: bool | None
    outcomes: list[Need]
    what_matters: str
    strengths: str
    existing_support: str


def eligible_needs(assessment: Assessment) -> EligibleNeeds:
    """What the plan starts from, so nothing is keyed twice: the outcomes the person cannot achieve (code, label,
    notes, limbs) and what matters to them and their strengths. The caller got `assessment` from
    `assessment_get`, which checked and audited access."""
    labels = dict(sections.outcomes_for(assessment.kind))
    order = list(labels)
    unable = [o for o in assessment.outcomes.all() if not o.can_achieve and o.code in labels]
    unable.sort(key=lambda o: order.index(o.code))
    return EligibleNeeds(
        eligible=assessment.eligible,
        outcomes=[
            Need(code=o.code, label=labels[o.code], notes=o.notes, limbs=tuple(o.limbs)) for o in unable
        ],
        what_matters=assessment.what_matters,
        strengths=assessment.strengths,
        existing_support=assessment.existing_support,
    )
