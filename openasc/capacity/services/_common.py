"""What every capacity service shares: the role check, the input checker that collects every field's error before
anything is written, the link to one of the person's assessments or plans, and the audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openasc.capacity import selectors
from openasc.capacity.models import (
    LINK_FIELDS,
    CapacityAssessment,
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


def _lines(inp: _Input, field: str, value: Any, *, label: str) -> list[str]:
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            inp.fail(field, f"Enter the {label} as text, one a line")
            return []
        value = "\n".join(value)
    text = inp.text(field, value, label=label, max_length=MAX_TEXT)
    return [line.strip() for line in text.split("\n") if line.strip()]


def capacity_records_move(*, keep, duplicate) -> int:
    """A merge's move of the duplicate's capacity assessments, best-interests decisions, advocacy, IMCA referrals and
    consents to the kept record; for `people.services.person_merge`, inside its `audit.bulk` block, whose merge
    events say how many moved."""
    from openasc.capacity.models import (
        AdvocacyDuty,
        BestInterestsDecision,
        CapacityAssessment,
        ConsentToShare,
        ImcaReferral,
    )

    return sum(
        model.objects.filter(person=duplicate).update(person=keep)
        for model in (CapacityAssessment, BestInterestsDecision, AdvocacyDuty, ImcaReferral, ConsentToShare)
    )
