"""The sections of an assessment's task list, in order, for a needs assessment and a carer's assessment."""

from __future__ import annotations

from dataclasses import dataclass

from openasc.assessments import eligibility
from openasc.assessments.models import AssessmentKind

ABOUT = "about"
CONDITION = "condition"
CARER_HEALTH = "carer-health"
WELLBEING = "wellbeing"
ELIGIBILITY = "eligibility"
OUTCOME_PREFIX = "outcome-"

# Sections whose answers the determination is made from: changing one means deciding eligibility again.
DETERMINATION_INPUTS = (CONDITION, CARER_HEALTH, WELLBEING)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    group: str
    outcome_code: str = ""


def outcomes_for(kind: str) -> tuple[tuple[str, str], ...]:
    return eligibility.CARER_OUTCOMES if kind == AssessmentKind.CARER else eligibility.ADULT_OUTCOMES


def limbs_for(kind: str) -> list[tuple[str, str]]:
    allowed = (
        eligibility.CARER_LIMBS
        if kind == AssessmentKind.CARER
        else tuple(code for code, _ in eligibility.LIMBS)
    )
    return [(code, label) for code, label in eligibility.LIMBS if code in allowed]


def for_kind(kind: str) -> list[Section]:
    """Every section of this kind of assessment, in task-list order."""
    carer = kind == AssessmentKind.CARER
    who = "the carer" if carer else "the person"
    items = [Section(ABOUT, f"About {who}: what matters, strengths and support", "About " + who)]
    items.append(
        Section(
            CONDITION,
            "Needs arising from providing necessary care"
            if carer
            else "Needs arising from an impairment or illness",
            "Condition 1",
        )
    )
    group = "Condition 2: the carer's outcomes" if carer else "Condition 2: the outcomes"
    items += [
        Section(OUTCOME_PREFIX + code, label, group, outcome_code=code) for code, label in outcomes_for(kind)
    ]
    if carer:
        items.append(Section(CARER_HEALTH, "The carer's physical or mental health", group))
    items.append(Section(WELLBEING, "Impact on wellbeing", "Condition 3"))
    items.append(Section(ELIGIBILITY, "Eligibility determination", "Decision"))
    return items


def get(kind: str, key: str) -> Section | None:
    return next((s for s in for_kind(kind) if s.key == key), None)


def after(kind: str, key: str) -> Section | None:
    """The section that follows `key` in task-list order (None after the last)."""
    items = for_kind(kind)
    keys = [s.key for s in items]
    i = keys.index(key) if key in keys else len(keys)
    return items[i + 1] if i + 1 < len(items) else None


def is_determination_input(key: str) -> bool:
    return key in DETERMINATION_INPUTS or key.startswith(OUTCOME_PREFIX)
