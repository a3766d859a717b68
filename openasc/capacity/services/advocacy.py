"""Record the Care Act s.67 advocacy judgement (the duty derived) and an IMCA referral (MCA ss.35-41)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from openasc.capacity import selectors
from openasc.capacity.models import (
    IMCA_NEEDS_NO_ONE_TO_CONSULT,
    AdvocacyDuty,
    ImcaReason,
    ImcaReferral,
    InvolvementIn,
)
from openasc.capacity.services._common import (
    _audit,
    _Input,
    _linked,
    _not_before_birth,
    _start,
)
from openasc.core import access

# --- advocacy (Care Act s.67) ---------------------------------------------------------------------------------------


def s67_duty(*, difficulties: list[bool], appropriate_individual: bool) -> bool:
    """The duty to arrange an independent advocate: substantial difficulty in any area, and no appropriate individual."""
    return any(difficulties) and not appropriate_individual


def _provider(inp: _Input, value: Any) -> str:
    providers = selectors.advocacy_providers()
    if not providers:
        inp.fail(
            "provider",
            "The council has not set up its advocacy providers yet: an administrator adds them with "
            "“openasc capacity providers add NAME”",
        )
        return ""
    if isinstance(value, str) and value in providers:
        return value
    inp.fail("provider", "Choose the advocacy provider from the council's list")
    return ""


def advocacy_record(
    *,
    record: access.OpenedRecord,
    involvement_in: Any,
    considered_on: Any,
    difficulty_understand: Any,
    difficulty_retain: Any,
    difficulty_use_weigh: Any,
    difficulty_communicate: Any,
    difficulty_evidence: Any = "",
    appropriate_individual: Any = None,
    appropriate_individual_name: Any = "",
    referral_made: Any = False,
    provider: Any = "",
    referred_on: Any = None,
    no_referral_reason: Any = "",
    outcome: Any = "",
    outcome_on: Any = None,
    link: Any = "",
) -> AdvocacyDuty:
    """The s.67 judgement and what followed: the duty is derived here, never typed; a duty with no referral needs
    the reason."""
    actor, inp = _start(record)
    a = AdvocacyDuty(person=record.person, recorded_by=actor)
    a.involvement_in = inp.choice(
        "involvement_in",
        involvement_in,
        InvolvementIn,
        missing="Select what the person is to be involved in: an assessment, care and support planning, a review or "
        "a safeguarding enquiry",
    )
    a.considered_on = inp.date("considered_on", considered_on, label="date it was considered")
    _not_before_birth(inp, "considered_on", a.considered_on, "date it was considered")
    areas = {
        "difficulty_understand": (difficulty_understand, "understanding relevant information"),
        "difficulty_retain": (difficulty_retain, "retaining that information"),
        "difficulty_use_weigh": (difficulty_use_weigh, "using or weighing that information"),
        "difficulty_communicate": (difficulty_communicate, "communicating their views, wishes or feelings"),
    }
    for field, (value, words) in areas.items():
        setattr(
            a,
            field,
            inp.yes_no(
                field,
                value,
                missing=f"Answer whether the person would have substantial difficulty in {words}",
            ),
        )
    difficulties = [getattr(a, f) for f in areas]
    a.difficulty_evidence = inp.text(
        "difficulty_evidence", difficulty_evidence, label="evidence of the difficulty"
    )
    if any(d is True for d in difficulties) and not a.difficulty_evidence:
        inp.fail(
            "difficulty_evidence", "Say what makes the difficulty substantial: the evidence for your answers"
        )
    a.appropriate_individual = inp.yes_no(
        "appropriate_individual",
        appropriate_individual,
        missing="Answer whether there is an appropriate individual (not paid to care for them) to support and "
        "represent the person",
    )
    a.appropriate_individual_name = inp.text(
        "appropriate_individual_name",
        appropriate_individual_name,
        label="appropriate individual",
        max_length=200,
        multiline=False,
    )
    if a.appropriate_individual is True and not a.appropriate_individual_name:
        inp.fail(
            "appropriate_individual_name", "Enter who the appropriate individual is, and their relationship"
        )
    a.referral_made = inp.yes_no("referral_made", referral_made, missing="Answer whether a referral was made")
    a.provider = ""
    a.referred_on = None
    if a.referral_made:
        a.provider = _provider(inp, provider)
        a.referred_on = inp.date("referred_on", referred_on, label="date of the referral")
        if a.referred_on and a.considered_on and a.referred_on < a.considered_on:
            inp.fail("referred_on", "The date of the referral must be on or after the date it was considered")
    a.no_referral_reason = inp.text(
        "no_referral_reason", no_referral_reason, label="reason no referral was made"
    )
    known = all(d is not None for d in difficulties) and a.appropriate_individual is not None
    a.duty = known and s67_duty(
        difficulties=difficulties, appropriate_individual=bool(a.appropriate_individual)
    )
    if a.duty and a.referral_made is False and not a.no_referral_reason:
        inp.fail(
            "no_referral_reason",
            "The council must arrange an independent advocate (substantial difficulty and no appropriate individual): "
            "refer to an advocacy provider, or say why no referral was made",
        )
    a.outcome = inp.text("outcome", outcome, label="outcome")
    a.outcome_on = inp.date("outcome_on", outcome_on, label="date of the outcome", required=False)
    if a.outcome_on and a.referred_on and a.outcome_on < a.referred_on:
        inp.fail("outcome_on", "The date of the outcome must be on or after the date of the referral")
    if a.outcome_on and not a.outcome:
        inp.fail("outcome", "Enter the outcome, or leave its date blank")
    kind, target = inp.link(link)
    inp.raise_if_any()
    with transaction.atomic():
        a.recorded_at = timezone.now()
        _linked(a, kind, target)
        a.save()
        _audit(record, a, "advocacy_recorded", duty=a.duty, referral_made=a.referral_made)
    return a


# --- IMCA ------------------------------------------------------------------------------------------------------------


def imca_referral_record(
    *,
    record: access.OpenedRecord,
    capacity_assessment: Any,
    reason: Any,
    reason_detail: Any,
    no_one_appropriate: Any,
    provider: Any,
    referred_on: Any,
    outcome: Any = "",
    link: Any = "",
) -> ImcaReferral:
    """An IMCA referral, for a decision the person was assessed as lacking capacity to make."""
    actor, inp = _start(record)
    i = ImcaReferral(person=record.person, recorded_by=actor)
    assessed = inp.capacity(
        "capacity_assessment",
        capacity_assessment,
        missing="Choose the mental capacity assessment that found the person lacks capacity for this decision",
    )
    i.reason = inp.choice(
        "reason",
        reason,
        ImcaReason,
        missing="Select why an IMCA is needed: serious medical treatment, a change of accommodation, a review or "
        "safeguarding",
    )
    i.reason_detail = inp.text(
        "reason_detail",
        reason_detail,
        label="treatment or move proposed",
        missing="Describe the treatment or the move proposed, or what the review or safeguarding concern is about",
    )
    i.no_one_appropriate = inp.yes_no(
        "no_one_appropriate",
        no_one_appropriate,
        missing="Answer whether there is no one appropriate to consult other than paid carers",
    )
    if i.no_one_appropriate is False and i.reason in IMCA_NEEDS_NO_ONE_TO_CONSULT:
        inp.fail(
            "no_one_appropriate",
            "An IMCA is instructed for this reason only when there is no one appropriate to consult (family or "
            "friends) other than paid carers: consult them instead, or consider Care Act advocacy",
        )
    i.provider = _provider(inp, provider)
    i.referred_on = inp.date("referred_on", referred_on, label="date of the referral")
    if i.referred_on and assessed and i.referred_on < assessed.assessed_on:
        inp.fail(
            "referred_on",
            f"The date of the referral must be on or after the capacity assessment "
            f"({assessed.assessed_on:%-d %B %Y})",
        )
    i.outcome = inp.text("outcome", outcome, label="outcome")
    kind, target = inp.link(link)
    inp.raise_if_any()
    with transaction.atomic():
        i.capacity_assessment = assessed
        i.recorded_at = timezone.now()
        _linked(i, kind, target)
        i.save()
        _audit(
            record, i, "imca_referral_recorded", reason=i.reason, capacity_assessment=i.capacity_assessment.pk
        )
    return i
