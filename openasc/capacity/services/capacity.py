"""Record a mental capacity assessment (the two-stage test for one decision) and a best-interests decision on one
that found the person lacks capacity."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from openasc.capacity.models import (
    ABILITIES,
    BestInterestsDecision,
    CapacityAssessment,
    Outcome,
)
from openasc.capacity.services._common import (
    ABILITY_WORDS,
    MAX_CONSULTED,
    MAX_OPTIONS,
    _audit,
    _Input,
    _lines,
    _linked,
    _not_before_birth,
    _start,
)
from openasc.core import access
from openasc.core.errors import ValidationFailed

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


def parse_consulted(inp: _Input, value: Any) -> list[dict[str, str]]:
    """Who was consulted: a list of {"name", "role"}, or text with one "Name, relationship or role" a line."""
    people: list[dict[str, str]] = []
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        if not all(isinstance(v.get(k, ""), str) for v in value for k in ("name", "role")):
            inp.fail("consulted", "Enter each person consulted with their name and role as text")
            return []
        rows = []
        for v in value:
            texts = [
                inp.text("consulted", v.get(k) or "", label="list of who was consulted")
                for k in ("name", "role")
            ]
            rows.append((texts[0].strip(), texts[1].strip()))
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
