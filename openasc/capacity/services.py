"""Writes: record a capacity assessment, a best-interests decision, a Care Act s.67 advocacy judgement, an IMCA
referral, and consent to share information.

Each service takes the record as opened (`access.OpenedRecord`), checks every field and raises `ValidationFailed`
with every field's error at once before writing anything, then writes inside `transaction.atomic()` and audits the
write against the person. The audit trail says which kind of record, its outcome or basis and its links, never what
was written in it (the evidence, the wishes, the decision in words).

The rules, from the Mental Capacity Act 2005 and the Care Act 2014:
- capacity is presumed (s.1(2)); a person lacks capacity for a decision only if they cannot understand, retain, use or
  weigh the information or communicate their decision (s.3) *because of* an impairment of, or a disturbance in the
  functioning of, the mind or brain (s.2(1)). So "lacks capacity" needs stage 1 yes, at least one ability no and the
  causative nexus yes; "has capacity" needs stage 1 no, all four abilities yes, or the nexus no (the inability is not
  because of an impairment, so the presumption stands);
- a best-interests decision is made only for a decision the person was assessed as lacking capacity to make (s.4);
- the s.67 duty to arrange an independent advocate arises when the person would have substantial difficulty in any of
  the four areas AND there is no appropriate individual to support them; the service derives it;
- an IMCA is instructed for a person who lacks capacity for the decision, and (except in safeguarding) has no one
  appropriate to consult other than paid carers (ss.37-39);
- information shared without consent needs its basis: best interests rests on an assessment that found the person
  lacks capacity, an overriding public or vital interest needs its reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from openasc.capacity import selectors
from openasc.capacity.models import (
    ABILITIES,
    IMCA_NEEDS_NO_ONE_TO_CONSULT,
    LINK_FIELDS,
    AdvocacyDuty,
    BestInterestsDecision,
    CapacityAssessment,
    ConsentBasis,
    ConsentToShare,
    ImcaReason,
    ImcaReferral,
    InvolvementIn,
    Outcome,
)
from openasc.core import access, audit, validation
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User
from openasc.core.workflow import require_record

EARLIEST = dt.date(1900, 1, 1)
MAX_TEXT = 20_000
MAX_CONSULTED = 30
MAX_OPTIONS = 10
REFUSED = (
    "Your role cannot record mental capacity assessments, best-interests decisions, advocacy or consent."
)

ABILITY_WORDS = {
    "understand": "understand the information",
    "retain": "retain it",
    "use_weigh": "use or weigh it",
    "communicate": "communicate their decision",
}


def can_record(user: User) -> bool:
    return access.has(user, access.Capability.ASSESS)


def _require(actor: User) -> None:
    if not can_record(actor):
        raise PermissionError(REFUSED)


# --- input -----------------------------------------------------------------------------------------------------------


class _Input:
    """One request's values and the errors found in them, every field checked before anything is written."""

    def __init__(self, record: access.OpenedRecord, today: dt.date):
        self.record = record
        self.today = today
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(
        self,
        field: str,
        value: Any,
        *,
        label: str,
        missing: str = "",
        max_length: int = MAX_TEXT,
        multiline: bool = True,
    ) -> str:
        """Clean text (no control characters, at most `max_length`); `missing` is the message when it is required."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(field, f"Enter the {label} as text")
            return ""
        try:
            text = validation.clean_text(value, label=label, max_length=max_length, multiline=multiline)
        except validation.TextError as exc:
            self.fail(field, str(exc))
            return ""
        if missing and not text:
            self.fail(field, missing)
        return text

    def yes_no(self, field: str, value: Any, *, missing: str) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("yes", "true"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("no", "false"):
            return False
        if value in (None, ""):
            self.fail(field, missing)
        else:
            self.fail(field, f"{missing} (yes or no)")
        return None

    def date(
        self, field: str, value: Any, *, label: str, required: bool = True, past: bool = True
    ) -> dt.date | None:
        """A date (or ISO text, 2026-11-20), not in the future when `past`, and not before 1900."""
        if value in (None, ""):
            if required:
                self.fail(field, f"Enter the {label}")
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(validation.ascii_digits(value).strip())
            except ValueError:
                self.fail(field, f"Enter the {label} as a real date, like 2026-11-20")
                return None
        if not isinstance(value, dt.date):
            self.fail(field, f"Enter the {label} as a date, like 2026-11-20")
            return None
        if past and value > self.today:
            self.fail(field, f"The {label} must be today or in the past")
            return None
        if value < EARLIEST:
            self.fail(field, f"The {label} must be after 1900")
            return None
        return value

    def choice(self, field: str, value: Any, choices, *, missing: str):
        if isinstance(value, str) and value in choices.values:
            return value
        self.fail(field, missing)
        return ""

    def link(self, value: Any) -> tuple[str, Any]:
        """ "assessment:12" or "plan:7", checked to be in the opened record; "" -> ("", None)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return "", None
        message = "Choose what this is about from the list: one of this person's assessments or plans, or leave it blank"
        if not isinstance(value, str) or ":" not in value:
            self.fail("link", message)
            return "", None
        kind, _, raw = value.strip().partition(":")
        if kind not in LINK_FIELDS or not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
            self.fail("link", message)
            return "", None
        obj = selectors.link_object(kind=kind, pk=int(raw))
        noun = LINK_FIELDS[kind].lower()
        if obj is None:
            self.fail("link", f"There is no {noun} with id {raw}: choose one from the list")
            return "", None
        if obj.person_id != self.record.person_id:
            self.fail(
                "link",
                f"That {noun} belongs to another person's record, not {self.record.person.la_person_id}'s: "
                "link only to this person's own assessments and plans",
            )
            return "", None
        return kind, obj

    def capacity(self, field: str, value: Any, *, missing: str) -> CapacityAssessment | None:
        """A capacity assessment of this person, named by its id; it must have found they lack capacity."""
        if value in (None, ""):
            self.fail(field, missing)
            return None
        raw = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
            self.fail(field, "Choose the mental capacity assessment from the list")
            return None
        found = selectors.capacity_assessment_for_link(pk=int(raw))
        if found is None:
            self.fail(
                field, f"There is no mental capacity assessment with id {raw}: choose one from the list"
            )
            return None
        if found.person_id != self.record.person_id:
            self.fail(
                field,
                f"That mental capacity assessment belongs to another person's record, not "
                f"{self.record.person.la_person_id}'s: choose one of this person's",
            )
            return None
        if found.outcome != Outcome.LACKS_CAPACITY:
            self.fail(
                field,
                f"The assessment of “{found.decision}” found that the person has capacity for that decision: "
                "choose an assessment that found they lack capacity",
            )
            return None
        return found

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def _start(record: access.OpenedRecord) -> tuple[User, _Input]:
    actor = require_record(record).user
    _require(actor)
    return actor, _Input(record, timezone.localdate())


def _not_before_birth(inp: _Input, field: str, day: dt.date | None, label: str) -> None:
    born = getattr(inp.record.person, "date_of_birth", None)
    if day is not None and born is not None and day < born:
        inp.fail(field, f"The {label} must be on or after the person's date of birth ({born:%-d %B %Y})")


def _linked(obj, kind: str, target) -> None:
    for name in LINK_FIELDS:
        setattr(obj, name, target if name == kind else None)


def _audit(record: access.OpenedRecord, obj, event: str, **details) -> None:
    link = obj.link_field
    audit.record(
        actor=record.user,
        action=AuditAction.CREATE,
        obj=obj,
        person_id=record.person_id,
        basis=record.basis,
        details={"event": event, "link": f"{link}:{getattr(obj, f'{link}_id')}" if link else "", **details},
    )


# --- mental capacity assessment ----------------------------------------------------------------------------------


def outcome_errors(
    *,
    outcome: str,
    impairment: bool | None,
    abilities: dict[str, bool | None],
    nexus: bool | None,
) -> dict[str, str]:
    """Why this outcome does not follow from the answers (empty when it does): each error on the field to change."""
    errors: dict[str, str] = {}
    unable = [name for name, _ in ABILITIES if abilities.get(name) is False]
    if outcome == Outcome.LACKS_CAPACITY:
        if impairment is False:
            errors["outcome"] = (
                "The person can be recorded as lacking capacity only if there is an impairment of, or a disturbance in "
                "the functioning of, the mind or brain: stage 1 is answered no"
            )
            errors.setdefault(
                "impairment", "Stage 1 is no, so the outcome cannot be that the person lacks capacity"
            )
        elif not unable and all(abilities.get(n) is True for n, _ in ABILITIES):
            errors["outcome"] = (
                "The person can be recorded as lacking capacity only if they cannot do at least one of the four: "
                "understand, retain, use or weigh, communicate. All four are answered yes"
            )
        elif unable and nexus is False:
            errors["outcome"] = (
                "The person can be recorded as lacking capacity only if their inability is because of the impairment: "
                "the causative nexus is answered no"
            )
            errors.setdefault(
                "nexus", "The nexus is no, so the outcome cannot be that the person lacks capacity"
            )
    elif outcome == Outcome.HAS_CAPACITY and impairment is True and unable and nexus is True:
        words = ", ".join(ABILITY_WORDS[n] for n in unable)
        errors["outcome"] = (
            f"The answers show the person lacks capacity for this decision: there is an impairment (stage 1), they "
            f"cannot {words} (stage 2), and that is because of the impairment (nexus). Change the outcome, or the "
            "answers that are wrong"
        )
    return errors


def capacity_assessment_record(
    *,
    record: access.OpenedRecord,
    decision: Any,
    assessed_on: Any,
    assessor: Any,
    location: Any,
    present: Any = "",
    impairment: Any = None,
    impairment_detail: Any = "",
    understand: Any = None,
    understand_evidence: Any = "",
    retain: Any = None,
    retain_evidence: Any = "",
    use_weigh: Any = None,
    use_weigh_evidence: Any = "",
    communicate: Any = None,
    communicate_evidence: Any = "",
    nexus: Any = None,
    nexus_evidence: Any = "",
    support_steps: Any = "",
    outcome: Any = "",
    link: Any = "",
) -> CapacityAssessment:
    """Record the two-stage test for one decision; refused, with every field's error, when the outcome does not follow
    from the answers."""
    actor, inp = _start(record)
    c = CapacityAssessment(person=record.person, recorded_by=actor)
    c.decision = inp.text(
        "decision",
        decision,
        label="decision",
        max_length=300,
        multiline=False,
        missing="Enter the decision the assessment is about, for example “where to live on discharge from hospital”",
    )
    c.assessed_on = inp.date("assessed_on", assessed_on, label="date of the assessment")
    _not_before_birth(inp, "assessed_on", c.assessed_on, "date of the assessment")
    c.assessor = inp.text(
        "assessor",
        assessor,
        label="name of who assessed",
        max_length=200,
        multiline=False,
        missing="Enter who assessed, with their role",
    )
    c.location = inp.text(
        "location",
        location,
        label="place",
        max_length=200,
        multiline=False,
        missing="Enter where the assessment took place",
    )
    c.present = inp.text("present", present, label="list of who else was present", max_length=5000)
    c.impairment = inp.yes_no(
        "impairment",
        impairment,
        missing="Answer stage 1: is there an impairment of, or a disturbance in the functioning of, the mind or brain",
    )
    c.impairment_detail = inp.text("impairment_detail", impairment_detail, label="impairment")
    if c.impairment is True and not c.impairment_detail:
        inp.fail("impairment_detail", "Say what the impairment or disturbance is, and the evidence for it")
    abilities: dict[str, bool | None] = {}
    given = {
        "understand": (understand, understand_evidence),
        "retain": (retain, retain_evidence),
        "use_weigh": (use_weigh, use_weigh_evidence),
        "communicate": (communicate, communicate_evidence),
    }
    for name, question in ABILITIES:
        answer, evidence = given[name]
        abilities[name] = inp.yes_no(name, answer, missing=f"Answer whether the person can {question}")
        setattr(c, name, abilities[name])
        text = inp.text(
            f"{name}_evidence", evidence, label=f"evidence that they can or cannot {ABILITY_WORDS[name]}"
        )
        if not text and f"{name}_evidence" not in inp.errors:
            inp.fail(f"{name}_evidence", f"Give the evidence for your answer: can the person {question}?")
        setattr(c, f"{name}_evidence", text)
    unable = any(v is False for v in abilities.values())
    c.nexus = None
    if nexus not in (None, ""):
        c.nexus = inp.yes_no(
            "nexus", nexus, missing="Answer whether the inability is because of the impairment"
        )
    elif c.impairment is True and unable:
        inp.fail(
            "nexus",
            "Answer whether the person's inability to make the decision is because of the impairment (the causative "
            "nexus)",
        )
    c.nexus_evidence = inp.text("nexus_evidence", nexus_evidence, label="evidence for the causative nexus")
    if c.impairment is True and unable and c.nexus is not None and not c.nexus_evidence:
        inp.fail(
            "nexus_evidence", "Give the evidence that the inability is, or is not, because of the impairment"
        )
    c.support_steps = inp.text(
        "support_steps",
        support_steps,
        label="steps taken to support the person",
        missing="Say what practicable steps were taken to help the person make the decision themselves (MCA s.1(3))",
    )
    c.outcome = inp.choice(
        "outcome",
        outcome,
        Outcome,
        missing="Select the outcome: has capacity for this decision, or lacks capacity for this decision",
    )
    if c.outcome and c.impairment is not None and all(v is not None for v in abilities.values()):
        for field, message in outcome_errors(
            outcome=c.outcome, impairment=c.impairment, abilities=abilities, nexus=c.nexus
        ).items():
            inp.fail(field, message)
    kind, target = inp.link(link)
    inp.raise_if_any()
    with transaction.atomic():
        c.recorded_at = timezone.now()
        _linked(c, kind, target)
        c.save()
        _audit(
            record,
            c,
            "capacity_assessment_recorded",
            outcome=c.outcome,
            assessed_on=c.assessed_on.isoformat(),
        )
    return c


# --- best interests ------------------------------------------------------------------------------------------------


def _lines(inp: _Input, field: str, value: Any, *, label: str) -> list[str]:
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            inp.fail(field, f"Enter the {label} as text, one a line")
            return []
        value = "\n".join(value)
    text = inp.text(field, value, label=label, max_length=MAX_TEXT)
    return [line.strip() for line in text.split("\n") if line.strip()]


def parse_consulted(inp: _Input, value: Any) -> list[dict[str, str]]:
    """Who was consulted: a list of {"name", "role"}, or text with one "Name, relationship or role" a line."""
    people: list[dict[str, str]] = []
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        rows = [(str(v.get("name") or "").strip(), str(v.get("role") or "").strip()) for v in value]
    else:
        rows = []
        for line in _lines(inp, "consulted", value, label="list of who was consulted"):
            name, _, role = line.partition(",")
            rows.append((name.strip(), role.strip()))
    for n, (name, role) in enumerate(rows, start=1):
        if not name or not role:
            inp.fail(
                "consulted",
                f"Line {n} of who was consulted needs a name and their relationship or role, separated by a comma, "
                "like “Mary Smith, daughter and attorney (health and welfare)”",
            )
            return []
        if len(name) > 200 or len(role) > 200:
            inp.fail(
                "consulted",
                f"Line {n} of who was consulted is too long: at most 200 characters for each part",
            )
            return []
        people.append({"name": name, "role": role})
    if not people and "consulted" not in inp.errors:
        inp.fail(
            "consulted",
            "Enter who was consulted (family, carers, an attorney or deputy, an IMCA), one a line, with their "
            "relationship or role",
        )
    if len(people) > MAX_CONSULTED:
        inp.fail("consulted", f"List at most {MAX_CONSULTED} people consulted")
    return people


def parse_options(inp: _Input, value: Any) -> list[dict[str, str]]:
    """The options weighed: a list of {"option", "benefits", "risks"}; at least two (what happens now, and the other
    ways), each with its benefits and risks."""
    if value in (None, ""):
        value = []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        inp.fail(
            "options",
            "Enter the options considered as a list, each with the option, its benefits and its risks",
        )
        return []
    options = []
    for n, item in enumerate(value, start=1):
        row = {}
        for part in ("option", "benefits", "risks"):
            raw = item.get(part)
            row[part] = inp.text(
                f"option_{n}_{part}",
                raw if isinstance(raw, str) else ("" if raw is None else raw),
                label=f"{part} of option {n}",
                max_length=5000,
            )
        if not any(row.values()):
            continue
        if not row["option"]:
            inp.fail(f"option_{n}_option", f"Describe option {n}, or leave its benefits and risks blank")
        for part in ("benefits", "risks"):
            if row["option"] and not row[part]:
                inp.fail(f"option_{n}_{part}", f"Enter the {part} of option {n} (“{row['option'][:60]}”)")
        options.append(row)
    if len(options) < 2:
        inp.fail(
            "options",
            "Enter at least two options considered (for example what happens now and the alternative), each with "
            "its benefits and risks",
        )
    if len(options) > MAX_OPTIONS:
        inp.fail("options", f"Enter at most {MAX_OPTIONS} options")
    return options


def best_interests_record(
    *,
    record: access.OpenedRecord,
    capacity_assessment: CapacityAssessment,
    consulted: Any,
    wishes: Any,
    options: Any,
    least_restrictive: Any,
    decision: Any,
    decision_maker: Any,
    decided_on: Any,
    link: Any = "",
) -> BestInterestsDecision:
    """A best-interests decision for a decision the person was assessed as lacking capacity to make."""
    actor, inp = _start(record)
    if capacity_assessment.person_id != record.person_id:
        raise ValidationFailed(
            {
                "capacity_assessment": "This mental capacity assessment belongs to another person's record: open that "
                "record to record a best-interests decision"
            }
        )
    if capacity_assessment.outcome != Outcome.LACKS_CAPACITY:
        raise ValidationFailed(
            {
                "capacity_assessment": f"The assessment found that the person has capacity to decide “"
                f"{capacity_assessment.decision}”, so the decision is theirs: a best-interests decision is made only "
                "for a person who lacks capacity for it"
            }
        )
    if BestInterestsDecision.objects.filter(capacity_assessment=capacity_assessment).exists():
        raise ValidationFailed(
            {
                "capacity_assessment": "A best-interests decision has already been recorded for this assessment: if "
                "things have changed, assess capacity again and record the decision on the new assessment"
            }
        )
    b = BestInterestsDecision(
        person=record.person, capacity_assessment=capacity_assessment, recorded_by=actor
    )
    b.consulted = parse_consulted(inp, consulted)
    b.wishes = inp.text(
        "wishes",
        wishes,
        label="person's wishes, feelings, beliefs and values",
        missing="Enter the person's past and present wishes and feelings, and the beliefs and values that would "
        "influence their decision",
    )
    b.options = parse_options(inp, options)
    b.least_restrictive = inp.text(
        "least_restrictive",
        least_restrictive,
        label="least restrictive option",
        missing="Say which option is the least restrictive of the person's rights and freedom, and why it was or was "
        "not chosen",
    )
    b.decision = inp.text(
        "decision", decision, label="decision", missing="Enter the decision made in their best interests"
    )
    b.decision_maker = inp.text(
        "decision_maker",
        decision_maker,
        label="decision maker",
        max_length=200,
        multiline=False,
        missing="Enter who the decision maker is, with their role",
    )
    b.decided_on = inp.date("decided_on", decided_on, label="date of the decision")
    if b.decided_on is not None and b.decided_on < capacity_assessment.assessed_on:
        inp.fail(
            "decided_on",
            f"The date of the decision must be on or after the capacity assessment it rests on "
            f"({capacity_assessment.assessed_on:%-d %B %Y})",
        )
    kind, target = inp.link(link)
    inp.raise_if_any()
    with transaction.atomic():
        b.recorded_at = timezone.now()
        _linked(b, kind, target)
        b.save()
        _audit(
            record,
            b,
            "best_interests_recorded",
            capacity_assessment=capacity_assessment.pk,
            consulted=len(b.consulted),
            options=len(b.options),
        )
    return b


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


# --- consent to share ------------------------------------------------------------------------------------------------


def consent_record(
    *,
    record: access.OpenedRecord,
    what: Any,
    agencies: Any,
    basis: Any,
    recorded_on: Any,
    review_on: Any = None,
    reason: Any = "",
    capacity_assessment: Any = None,
    link: Any = "",
) -> ConsentToShare:
    """What may be shared, with whom, and why; a refusal is recorded like a consent, and shown."""
    actor, inp = _start(record)
    s = ConsentToShare(person=record.person, recorded_by=actor)
    s.what = inp.text(
        "what",
        what,
        label="information shared",
        missing="Enter what information is to be shared",
    )
    names = _lines(inp, "agencies", agencies, label="list of agencies")
    if not names and "agencies" not in inp.errors:
        inp.fail("agencies", "Enter who the information is shared with: the agencies, one a line")
    s.agencies = "\n".join(names)
    s.basis = inp.choice(
        "basis",
        basis,
        ConsentBasis,
        missing="Select the basis: consent given, consent refused, lacks capacity and shared in their best interests, "
        "or an overriding public or vital interest",
    )
    s.reason = inp.text("reason", reason, label="reason")
    s.capacity_assessment = None
    if s.basis == ConsentBasis.BEST_INTERESTS:
        s.capacity_assessment = inp.capacity(
            "capacity_assessment",
            capacity_assessment,
            missing="Choose the mental capacity assessment that found the person lacks capacity to consent to sharing",
        )
    if s.basis == ConsentBasis.OVERRIDING and not s.reason:
        inp.fail(
            "reason",
            "Say why sharing without consent is justified: the overriding public interest or the vital interests, "
            "and why it could not wait for consent",
        )
    s.recorded_on = inp.date("recorded_on", recorded_on, label="date recorded")
    s.review_on = inp.date("review_on", review_on, label="review date", required=False, past=False)
    if s.review_on and s.recorded_on and s.review_on <= s.recorded_on:
        inp.fail("review_on", "The review date must be after the date recorded")
    kind, target = inp.link(link)
    inp.raise_if_any()
    with transaction.atomic():
        s.recorded_at = timezone.now()
        _linked(s, kind, target)
        s.save()
        _audit(record, s, "consent_to_share_recorded", basis=s.basis, agencies=len(names))
    return s
