"""The placeholders a letter template may use, checking a template's words, and filling them in.

A placeholder is a name in braces, `{person_name}`, from the fixed list below. Anything else in braces (a name we do
not know, `{person.__class__}`, `{0}`, a format spec) is refused with its name, when the template is saved and again
when a letter is written from it, so a letter never goes out with a hole or a guess in it. Filling is a plain
substitution of values computed from the one record the letter is written on (`selectors.letter_values`): no
`str.format` (which would let a template reach attributes of the values), no lookups by the template itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# name -> what it is filled with (shown to whoever edits templates)
PLACEHOLDERS: dict[str, str] = {
    "council_name": "The council's name",
    "today": "Today's date, like 3 December 2026",
    "person_name": "The person's full name",
    "first_name": "The person's first name (or the name they prefer)",
    "address": "The person's address, one part a line",
    "person_number": "The person's council reference (LA person id)",
    "worker_name": "The name of the worker writing the letter",
    "assessment_date": "When the assessment was completed (or started, if not completed)",
    "assessment_outcome": "The assessment's outcome in plain words (eligible or not for care and support)",
    "eligible_needs": "The needs the person cannot meet on their own, one a line",
    "plan_budget": "The personal budget agreed in the care and support plan, a week",
    "plan_start": "When the care and support plan starts",
    "how_needs_are_met": "How each need will be met (what, by whom, when), one a line",
    "review_due": "When the next review is due",
}

NOT_RECORDED = "(not recorded)"
_BRACES = re.compile(r"\{([^{}]*)\}")


def placeholders_in(text: str) -> list[str]:
    """Every name in braces in `text`, in order, each once."""
    seen: list[str] = []
    for name in _BRACES.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in placeholders_in(text) if name not in PLACEHOLDERS]


def unknown_message(unknown: list[str]) -> str:
    """'{ful_name} is not a placeholder ...': names what is wrong and lists what may be used."""
    shown = ", ".join("{" + n + "}" for n in unknown)
    verb = "is not a placeholder" if len(unknown) == 1 else "are not placeholders"
    allowed = ", ".join("{" + n + "}" for n in PLACEHOLDERS)
    return f"{shown} {verb} that can be filled from the record. Use only these: {allowed}"


def check_template(fields: Mapping[str, str]) -> dict[str, str]:
    """Errors by field for the template's words (its title and body): unknown placeholders, named."""
    errors: dict[str, str] = {}
    for field, text in fields.items():
        unknown = unknown_placeholders(text)
        if unknown:
            errors[field] = unknown_message(unknown)
    return errors


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each known placeholder replaced by its value; the caller has refused unknown ones."""

    def swap(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            raise KeyError(name)
        value = values.get(name)
        return value if value else NOT_RECORDED

    return _BRACES.sub(swap, text or "")
