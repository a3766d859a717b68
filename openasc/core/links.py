"""What a note or a document on a person's record may be about: one of that person's requests, assessments, plans,
services or reviews. The kinds, the "at most one" constraint and the check of what was chosen, in one place for
every context that links to the care journey (case notes, documents)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

# The field on the linking model, and the noun the pages use.
RECORD_LINKS = {
    "request": "Request for support",
    "assessment": "Assessment",
    "plan": "Care and support plan",
    "service": "Service",
    "review": "Review",
}


def at_most_one(names) -> Q:
    """A CheckConstraint condition: no two of the foreign keys `names` are set at once."""
    names = list(names)
    condition = Q()
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            condition &= ~Q(**{f"{a}__isnull": False, f"{b}__isnull": False})
    return condition


def check_link(
    record, link: Any, errors: dict[str, str], *, thing: str, find: Callable[[str, int], Any]
) -> tuple[str, Any]:
    """ "plan:12" -> ("plan", the plan), checked to be in the opened record; "" -> ("", None). `thing` is what links
    ("note", "document"), `find(kind, id)` the caller's look-up (None if there is none); a problem goes in
    errors["link"], saying what to choose."""
    if link is None or (isinstance(link, str) and not link.strip()):
        return "", None
    if not isinstance(link, str) or ":" not in link:
        errors["link"] = f"Choose what the {thing} is about from the list, or leave it blank"
        return "", None
    kind, _, raw_id = link.strip().partition(":")
    if kind not in RECORD_LINKS or not raw_id.isascii() or not raw_id.isdigit():
        errors["link"] = (
            f"Choose what the {thing} is about from the list: a request for support, an assessment, a plan, a "
            "service or a review of this person"
        )
        return "", None
    obj = find(kind, int(raw_id))
    noun = RECORD_LINKS[kind].lower()
    if obj is None:
        errors["link"] = f"There is no {noun} with id {raw_id}: choose one from the list"
        return "", None
    if obj.person_id != record.person_id:
        errors["link"] = (
            f"That {noun} belongs to another person's record, not {record.person.la_person_id}'s: "
            f"a {thing} can only be about this person's own records"
        )
        return "", None
    return kind, obj
