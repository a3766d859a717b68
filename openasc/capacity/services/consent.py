"""Record consent to share information: given, refused, best interests, or an overriding interest with its reason."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from openasc.capacity.models import (
    ConsentBasis,
    ConsentToShare,
)
from openasc.capacity.services._common import (
    _audit,
    _lines,
    _linked,
    _start,
)
from openasc.core import access

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
