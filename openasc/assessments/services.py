"""Writes to assessments: start, save a section as the worker goes, decide eligibility, complete, sign off, cancel.

Each is atomic, audited, checks the worker's relationship with the person, and raises ValidationFailed with a
message per field. Each workflow transition writes an immutable AssessmentStatusChange row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openasc.assessments import sections
from openasc.assessments.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    Judgement,
    OutcomeAssessment,
)
from openasc.assessments.workflows import ASSESSMENT
from openasc.core import access, audit, codes
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User
from openasc.core.workflow import require_belongs, require_record

# Who carries out Care Act assessments (Capability.ASSESS; a system account may load them from another system) and
# who signs off another worker's assessment when settings.OPENASC_ASSESSMENT_SIGN_OFF is on (Capability.SIGN_OFF):
# see core.access.

# The CLD Release 2 Event Outcome recorded when an assessment is completed (specs/national-data.md §1.3), keyed
# by (eligible, information and advice given). Eligible needs go on to a care and support plan; a person who is
# not eligible but was given information and advice, or signposted, is "NFA: Information and advice or
# signposting"; otherwise no services were offered. The worker may record any other CLD Event Outcome instead,
# typically one of OUTCOME_OVERRIDES when the person declined support or died.
COMPLETION_OUTCOME: dict[tuple[bool, bool], str] = {
    (True, True): "Progress to support planning or services",
    (True, False): "Progress to support planning or services",
    (False, True): "NFA: Information and advice or signposting",
    (False, False): "NFA: No services offered for other reason",
}
OUTCOME_OVERRIDES: tuple[str, ...] = ("NFA: Support declined", "NFA: Deceased")

MAX_TEXT = 10_000


def can_assess(user: User) -> bool:
    return access.has(user, access.Capability.ASSESS)


def can_sign_off(user: User) -> bool:
    return access.has(user, access.Capability.SIGN_OFF)


def completion_outcome(*, eligible: bool, information_given: bool) -> str:
    return COMPLETION_OUTCOME[(bool(eligible), bool(information_given))]


def _require_assessor(actor: User) -> None:
    if not can_assess(actor):
        raise PermissionError("Your role cannot carry out assessments.")


def _require_open(assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        raise ValidationFailed(
            {
                "assessment": f"This assessment is {assessment.get_status_display().lower()}, "
                "so it can no longer be changed"
            }
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _yes_no(value: Any) -> bool | None:
    """True, False or None (not answered) from a boolean or the 'yes'/'no' a form sends."""
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    return {"yes": True, "true": True, "no": False, "false": False}.get(text)


@transaction.atomic
def assessment_start(
    *,
    record: access.OpenedRecord,
    kind: str = AssessmentKind.NEEDS,
    assessment_type: str = "Long term assessment",
    method: str = "",
    request=None,
    cared_for=None,
    started_on: dt.date | None = None,
) -> Assessment:
    """Start a needs assessment, or a carer's assessment linked to the adult the carer looks after, on the record
    as opened (access.open_record): the assessor, the person and the basis come from the opening."""
    from openasc.people.models import CarerLink

    actor, person, decision = require_record(record).user, record.person, record.decision
    _require_assessor(actor)
    errors: dict[str, str] = {}
    if kind not in AssessmentKind.values:
        errors["kind"] = "Select a needs assessment or a carer's assessment"
    if not codes.is_valid(codes.ListName.ASSESSMENT_TYPE, assessment_type):
        errors["assessment_type"] = "Select whether this is a long term or short term assessment"
    if not codes.is_valid(codes.ListName.METHOD_OF_ASSESSMENT, method):
        errors["method"] = "Select how the assessment is being carried out"
    if person.merged_into_id:
        errors["person"] = "This record was merged into another: start the assessment on that record"
    if request is not None:
        if request.person_id != person.pk:
            errors["request"] = "Choose a request for support made for this person"
        elif request.status == "cancelled":
            errors["request"] = "That request was recorded in error: choose another or none"
    if kind == AssessmentKind.CARER:
        if cared_for is None:
            errors["cared_for"] = "Select the person the carer looks after"
        elif not CarerLink.objects.filter(carer=person, cared_for=cared_for, ended_on__isnull=True).exists():
            errors["cared_for"] = (
                "The carer is not linked to this person: link them on the cared-for person's record first"
            )
    elif cared_for is not None:
        errors["cared_for"] = "Only a carer's assessment is linked to a person cared for"
    today = timezone.localdate()
    started_on = started_on or today
    if started_on > today:
        errors["started_on"] = "The start date must be today or in the past"
    if errors:
        raise ValidationFailed(errors)
    assessment = Assessment.objects.create(
        person=person,
        kind=kind,
        request=request,
        cared_for=cared_for,
        assessment_type=assessment_type,
        method=method,
        started_on=started_on,
        assessor=actor,
        status=AssessmentStatus.IN_PROGRESS,
    )
    ASSESSMENT.begin(record, assessment, note="Started")
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assessment,
        basis=decision.basis,
        details={
            "kind": kind,
            "assessment_type": assessment_type,
            "method": method,
            "request": request.pk if request else None,
            "cared_for": cared_for.pk if cared_for else None,
        },
    )
    from openasc.frontdoor.services import requests_close_waiting

    requests_close_waiting(record=record)
    return assessment


def _clean_section(assessment: Assessment, section: sections.Section, data: dict[str, Any]) -> dict[str, Any]:
    """Check a finished section's answers; returns the values to store."""
    errors: dict[str, str] = {}
    carer = assessment.kind == AssessmentKind.CARER
    who = "the carer" if carer else "the person"
    clean: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, str) and len(value) > MAX_TEXT:
            errors[name] = f"This must be {MAX_TEXT:,} characters or fewer"
    key = section.key
    if key == sections.ABOUT:
        clean = {f: _text(data.get(f)) for f in ("what_matters", "strengths", "existing_support")}
        if not clean["what_matters"]:
            errors["what_matters"] = f"Enter what matters to {who}, in their words"
    elif key == sections.CONDITION:
        met = _yes_no(data.get("condition_met"))
        clean = {"condition_met": met, "condition_description": _text(data.get("condition_description"))}
        if met is None:
            errors["condition_met"] = (
                "Select whether the needs arise from providing necessary care"
                if carer
                else "Select whether the needs arise from a physical or mental impairment or illness"
            )
        elif met and not clean["condition_description"]:
            errors["condition_description"] = (
                "Describe the care the carer provides" if carer else "Describe the impairment or illness"
            )
    elif key == sections.CARER_HEALTH:
        if not carer:
            raise ValidationFailed({"section": "Only a carer's assessment has this section"})
        at_risk = _yes_no(data.get("carer_health_at_risk"))
        clean = {"carer_health_at_risk": at_risk}
        if at_risk is None:
            errors["carer_health_at_risk"] = (
                "Select whether the carer's physical or mental health is, or is at risk of, deteriorating"
            )
    elif key == sections.WELLBEING:
        impact = _yes_no(data.get("wellbeing_impact"))
        clean = {
            "wellbeing_impact": impact,
            "wellbeing_description": _text(data.get("wellbeing_description")),
        }
        if impact is None:
            errors["wellbeing_impact"] = (
                f"Select whether there is, or is likely to be, a significant impact on {who}'s wellbeing"
            )
        elif impact and not clean["wellbeing_description"]:
            errors["wellbeing_description"] = "Describe the impact on wellbeing"
    elif section.outcome_code:
        can = _yes_no(data.get("can_achieve"))
        raw_limbs = data.get("limbs") or []
        limbs = [raw_limbs] if isinstance(raw_limbs, str) else list(raw_limbs)
        allowed = [code for code, _ in sections.limbs_for(assessment.kind)]
        clean = {
            "can_achieve": can,
            "limbs": [code for code in allowed if code in limbs],
            "notes": _text(data.get("notes")),
        }
        if can is None:
            errors["can_achieve"] = f"Select whether {who} can achieve this outcome"
        elif can:
            clean["limbs"] = []
        else:
            unknown = [x for x in limbs if x not in allowed]
            if unknown and carer and "d" in unknown:
                errors["limbs"] = (
                    "Taking significantly longer does not apply to carers: select how else the "
                    "carer is unable to achieve this outcome"
                )
            elif unknown:
                errors["limbs"] = "Select from the list how the outcome cannot be achieved"
            elif not limbs:
                errors["limbs"] = f"Select at least one way in which {who} is unable to achieve this outcome"
    elif key == sections.ELIGIBILITY:
        clean = {
            "judgement": _text(data.get("judgement")),
            "judgement_reason": _text(data.get("judgement_reason")),
        }
        if clean["judgement"] not in Judgement.values:
            errors["judgement"] = "Select whether you agree with the determination"
        elif clean["judgement"] != Judgement.AGREE and not clean["judgement_reason"]:
            errors["judgement_reason"] = (
                "Explain the professional judgement that leads to a different decision"
            )
    if errors:
        raise ValidationFailed(errors)
    return clean


def _draft_value(value: Any) -> str | list[str]:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return [str(v)[:50] for v in value][:20]
    return _text(value)[:MAX_TEXT]


@transaction.atomic
def _clean_texts(data: dict[str, Any]) -> dict[str, Any]:
    """Every text typed into a section through the shared normaliser (NFKC, trimmed, no NUL or control characters
    other than new lines and tabs), every bad field reported at once; other values are left to the section's checks."""
    from openasc.core.validation import TextError, clean_text

    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, value in data.items():
        label = name.replace("_", " ")
        try:
            if isinstance(value, str):
                clean[name] = clean_text(value, label=label, multiline=True)
            elif isinstance(value, list):
                clean[name] = [
                    clean_text(v, label=label, multiline=True) if isinstance(v, str) else v for v in value
                ]
            else:
                clean[name] = value
        except TextError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    return clean


def assessment_section_save(
    *,
    record: access.OpenedRecord,
    assessment: Assessment,
    section: str,
    data: dict[str, Any],
    complete: bool = True,
) -> Assessment:
    """Save one section. complete=True checks it and marks it done; complete=False ("Save and come back later")
    keeps what was typed on the assessment as work in progress, without checking it."""
    actor, decision = require_record(record).user, record.decision
    _require_assessor(actor)
    require_belongs(record, assessment, field="assessment", what="assessment")
    _require_open(assessment)
    sec = sections.get(assessment.kind, section)
    if sec is None:
        raise ValidationFailed({"section": "There is no such section in this assessment"})
    allowed_fields = _SECTION_FIELDS[sec.key if not sec.outcome_code else "outcome"]
    unknown = sorted(set(data) - set(allowed_fields))
    if unknown:
        raise ValidationFailed(dict.fromkeys(unknown, "This field cannot be set in this section"))
    data = _clean_texts(data)
    done = [k for k in assessment.sections_done if k != sec.key]
    drafts = {k: v for k, v in assessment.section_drafts.items() if k != sec.key}
    fields: list[str] = []
    determination_inputs_changed = sections.is_determination_input(sec.key)
    if not complete:
        drafts[sec.key] = {name: _draft_value(value) for name, value in data.items()}
    elif sec.key == sections.ELIGIBILITY:
        clean = _clean_section(assessment, sec, data)
        _decide(assessment, clean)
        fields = ["judgement", "judgement_reason", "computed_eligible", "computed_reasons", "eligible"]
        done.append(sec.key)
    else:
        clean = _clean_section(assessment, sec, data)
        if sec.outcome_code:
            answer, created = OutcomeAssessment.objects.update_or_create(
                assessment=assessment, code=sec.outcome_code, defaults=clean
            )
            audit.record(
                actor=actor,
                action=AuditAction.CREATE if created else AuditAction.UPDATE,
                obj=answer,
                person_id=assessment.person_id,
                basis=decision.basis,
                details={"code": answer.code, "can_achieve": answer.can_achieve, "limbs": answer.limbs},
            )
            fields = [f"outcome:{sec.outcome_code}"]
        else:
            for name, value in clean.items():
                setattr(assessment, name, value)
            fields = list(clean)
        done.append(sec.key)
    if determination_inputs_changed and sections.ELIGIBILITY in done:
        # The determination was made from the old answers: it has to be looked at again.
        done.remove(sections.ELIGIBILITY)
        assessment.computed_eligible = None
        assessment.eligible = None
    order = [s.key for s in sections.for_kind(assessment.kind)]
    assessment.sections_done = [k for k in order if k in done]
    assessment.section_drafts = drafts
    assessment.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=assessment,
        basis=decision.basis,
        details={"section": sec.key, "complete": complete, "fields": fields},
    )
    return assessment


_SECTION_FIELDS = {
    sections.ABOUT: ("what_matters", "strengths", "existing_support"),
    sections.CONDITION: ("condition_met", "condition_description"),
    sections.CARER_HEALTH: ("carer_health_at_risk",),
    sections.WELLBEING: ("wellbeing_impact", "wellbeing_description"),
    sections.ELIGIBILITY: ("judgement", "judgement_reason"),
    "outcome": ("can_achieve", "limbs", "notes"),
}


def _decide(assessment: Assessment, clean: dict[str, str]) -> None:
    """Record the determination (computed from the answers) and the worker's judgement on it."""
    from openasc.assessments import selectors

    missing = selectors.missing_sections(assessment, exclude=(sections.ELIGIBILITY,))
    if missing:
        raise ValidationFailed(
            {
                "judgement": "Finish these sections before deciding eligibility: "
                + "; ".join(s.title for s in missing)
            }
        )
    result = selectors.determination(assessment)
    judgement = clean["judgement"]
    if (
        judgement != Judgement.AGREE
        and final_eligibility(computed=result.eligible, judgement=judgement) == result.eligible
    ):
        raise ValidationFailed(
            {
                "judgement": "Your judgement is the same as the determination: select "
                "'Agree with the determination'"
            }
        )
    assessment.computed_eligible = result.eligible
    assessment.computed_reasons = result.reasons
    assessment.judgement = judgement
    assessment.judgement_reason = clean["judgement_reason"] if judgement != Judgement.AGREE else ""
    assessment.eligible = final_eligibility(computed=result.eligible, judgement=judgement)


def final_eligibility(*, computed: bool, judgement: str) -> bool:
    """The professional judgement when one was recorded, otherwise the determination."""
    if judgement == Judgement.ELIGIBLE:
        return True
    if judgement == Judgement.NOT_ELIGIBLE:
        return False
    return computed


def assessment_complete(
    *,
    record: access.OpenedRecord,
    assessment: Assessment,
    information_given: str = "",
    outcome: str = "",
    completed_on: dt.date | None = None,
) -> Assessment:
    """Complete the assessment with its CLD event outcome; it then waits for sign-off if the council asks for it."""

    require_belongs(require_record(record), assessment, field="assessment", what="assessment")
    transition = "submit" if settings.OPENASC_ASSESSMENT_SIGN_OFF else "complete"
    ASSESSMENT.check(record, assessment, transition)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _complete(
            record,
            locked,
            transition,
            information_given=information_given,
            outcome=outcome,
            completed_on=completed_on,
        )
    assessment.refresh_from_db()
    return assessment


def _complete(
    record: access.OpenedRecord,
    assessment: Assessment,
    transition: str,
    *,
    information_given: str,
    outcome: str,
    completed_on: dt.date | None,
) -> None:
    from openasc.assessments import selectors

    errors: dict[str, str] = {}
    missing = selectors.missing_sections(assessment)
    if missing:
        errors["sections"] = "Complete every section first. Not completed: " + "; ".join(
            s.title for s in missing
        )
    information_given = _text(information_given)
    outcome = _text(outcome)
    if outcome and not codes.is_valid(codes.ListName.EVENT_OUTCOME, outcome):
        errors["outcome"] = "Select an outcome from the list"
    today = timezone.localdate()
    completed_on = completed_on or today
    if completed_on > today:
        errors["completed_on"] = "The completion date must be today or in the past"
    elif completed_on < assessment.started_on:
        errors["completed_on"] = (
            f"The completion date must be on or after the start date, {assessment.started_on:%-d %B %Y}"
        )
    if errors:
        raise ValidationFailed(errors)
    assessment.information_given = information_given
    assessment.outcome = outcome or completion_outcome(
        eligible=bool(assessment.eligible), information_given=bool(information_given)
    )
    assessment.completed_on = completed_on
    ASSESSMENT.apply(
        record,
        assessment,
        transition,
        note=f"Completed: {'eligible' if assessment.eligible else 'not eligible'}; {assessment.outcome}",
        fields=["information_given", "outcome", "completed_on", "updated_at"],
        details={
            "eligible": assessment.eligible,
            "outcome": assessment.outcome,
            "completed_on": completed_on.isoformat(),
        },
    )


def assessment_sign_off(
    *, record: access.OpenedRecord, assessment: Assessment, approve: bool = True, reason: str = ""
) -> Assessment:
    """A team manager (not the assessor) signs the assessment off, or returns it to the assessor with a reason."""
    actor = require_record(record).user
    require_belongs(record, assessment, field="assessment", what="assessment")
    transition = "sign_off" if approve else "return"
    ASSESSMENT.check(record, assessment, transition)
    reason = _text(reason)
    if not approve and not reason:
        raise ValidationFailed({"reason": "Explain what the assessor needs to change"})
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if approve:
            locked.signed_off_by = actor
            locked.signed_off_at = timezone.now()
            note = "Signed off" + (f": {reason}" if reason else "")
            fields = ["signed_off_by", "signed_off_at"]
        else:
            locked.completed_on = None
            locked.outcome = ""
            note = f"Returned: {reason}"
            fields = ["completed_on", "outcome"]
        ASSESSMENT.apply(
            record,
            locked,
            transition,
            note=note,
            reason=reason,
            fields=[*fields, "updated_at"],
            details={"signed_off": approve},
        )
    assessment.refresh_from_db()
    return assessment


def assessment_cancel(*, record: access.OpenedRecord, assessment: Assessment, reason: str) -> Assessment:
    """Cancel an assessment in progress that will not be finished (started in error, the person withdrew): its
    assessor or a manager, with a reason. It stays on the record, read-only, and is counted neither as completed
    nor as open; a new assessment can then be started."""
    from openasc.core.validation import TextError, clean_text

    require_belongs(require_record(record), assessment, field="assessment", what="assessment")
    ASSESSMENT.check(record, assessment, "cancel")
    try:
        reason = clean_text(reason, label="reason", max_length=MAX_TEXT, multiline=True)
    except TextError as exc:
        raise ValidationFailed({"reason": str(exc)}) from None
    if not reason:
        raise ValidationFailed({"reason": "Enter why the assessment is being cancelled"})
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        ASSESSMENT.apply(
            record,
            locked,
            "cancel",
            note=f"Cancelled: {reason}",
            reason=reason,
            fields=["updated_at"],
            details={"sections_done": len(locked.sections_done)},
        )
        from openasc.frontdoor.services import requests_reopen_waiting

        requests_reopen_waiting(record=record)  # the request it answered waits for an assessment again
    assessment.refresh_from_db()
    return assessment
