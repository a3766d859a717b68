"""Reads of capacity assessments, best-interests decisions, advocacy and consent, always through the access rules.

One record (a capacity assessment, a decision...) is read by opening the person's record with it as the object
(`access.open_record`, audited with the purpose, the refusal too). The lists take the record as opened, so a later
context (a safeguarding enquiry, a plan) reuses them on a record it has opened for its own purpose:
`capacity_assessments_for(record, decision="where to live")`, `lacking_capacity_for(record)`,
`consent_refusals_for(record)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from openasc.capacity.models import (
    ADVOCACY_PROVIDER_LIST,
    AdvocacyDuty,
    BestInterestsDecision,
    CapacityAssessment,
    ConsentBasis,
    ConsentToShare,
    ImcaReferral,
    Outcome,
)
from openasc.core import access
from openasc.core.models import ReferenceCode, User
from openasc.core.timeline import USER_FIELDS

_LINKS = ("assessment", "plan", "recorded_by")


def capacity_open(
    *, user: User, person_id: int, purpose: str = "mental capacity and advocacy"
) -> access.OpenedRecord:
    """Open the person's record to read or add to these records (audited); raises Person.DoesNotExist or, after
    auditing the refusal, AccessDenied."""
    from openasc.people.models import Person

    return access.open_record(user, Person.objects.get(pk=person_id), purpose)


def _get(model, pk: int, user: User, purpose: str, related=()):
    obj = model.objects.select_related("person", *_LINKS, *related).get(pk=pk)
    return obj, access.open_record(user, obj.person, purpose, obj=obj)


def capacity_assessment_get(
    *, user: User, capacity_assessment_id: int, purpose: str = "view mental capacity assessment"
) -> tuple[CapacityAssessment, access.OpenedRecord]:
    return _get(CapacityAssessment, capacity_assessment_id, user, purpose)


def best_interests_get(
    *, user: User, best_interests_id: int, purpose: str = "view best-interests decision"
) -> tuple[BestInterestsDecision, access.OpenedRecord]:
    return _get(BestInterestsDecision, best_interests_id, user, purpose, ("capacity_assessment",))


def advocacy_get(
    *, user: User, advocacy_id: int, purpose: str = "view advocacy"
) -> tuple[AdvocacyDuty, access.OpenedRecord]:
    return _get(AdvocacyDuty, advocacy_id, user, purpose)


def imca_get(
    *, user: User, imca_id: int, purpose: str = "view IMCA referral"
) -> tuple[ImcaReferral, access.OpenedRecord]:
    return _get(ImcaReferral, imca_id, user, purpose, ("capacity_assessment",))


def consent_get(
    *, user: User, consent_id: int, purpose: str = "view consent to share"
) -> tuple[ConsentToShare, access.OpenedRecord]:
    return _get(ConsentToShare, consent_id, user, purpose, ("capacity_assessment",))


def _of(model, record: access.OpenedRecord, *order) -> QuerySet:
    return (
        model.objects.filter(person_id=access_person(record)).select_related(*_LINKS).order_by(*order, "-pk")
    )


def access_person(record: access.OpenedRecord) -> int:
    if not isinstance(record, access.OpenedRecord):
        raise TypeError("Pass the record opened by openasc.core.access.open_record")
    return record.person_id


def capacity_assessments_for(
    record: access.OpenedRecord, *, decision: str = "", outcome: str = ""
) -> list[CapacityAssessment]:
    """The person's capacity assessments, latest first; `decision` matches words in the decision (case-insensitive),
    `outcome` one of Outcome's values."""
    found = _of(CapacityAssessment, record, "-assessed_on").select_related("best_interests")
    if decision.strip():
        found = found.filter(decision__icontains=decision.strip())
    if outcome:
        found = found.filter(outcome=outcome)
    return list(found)


def lacking_capacity_for(record: access.OpenedRecord, *, decision: str = "") -> list[CapacityAssessment]:
    """The assessments that found the person lacks capacity (what a best-interests decision, an IMCA referral or a
    safeguarding enquiry rests on)."""
    return capacity_assessments_for(record, decision=decision, outcome=Outcome.LACKS_CAPACITY)


def best_interests_for(record: access.OpenedRecord) -> list[BestInterestsDecision]:
    return list(_of(BestInterestsDecision, record, "-decided_on").select_related("capacity_assessment"))


def advocacy_for(record: access.OpenedRecord) -> list[AdvocacyDuty]:
    return list(_of(AdvocacyDuty, record, "-considered_on"))


def imca_for(record: access.OpenedRecord) -> list[ImcaReferral]:
    return list(_of(ImcaReferral, record, "-referred_on").select_related("capacity_assessment"))


def consents_for(record: access.OpenedRecord) -> list[ConsentToShare]:
    return list(_of(ConsentToShare, record, "-recorded_on"))


def consent_refusals_for(record: access.OpenedRecord) -> list[ConsentToShare]:
    """Every refusal of consent to share, latest first: to be respected and shown wherever sharing is considered."""
    return [c for c in consents_for(record) if c.basis == ConsentBasis.REFUSED]


def linked_to(record: access.OpenedRecord, *, assessment_id: int | None = None, plan_id: int | None = None):
    """The records about one of the person's assessments or plans (for that assessment's or plan's page)."""
    if (assessment_id is None) == (plan_id is None):
        raise ValueError("Name one assessment or one plan")
    where = {"assessment_id": assessment_id} if assessment_id is not None else {"plan_id": plan_id}
    return CapacityRecords(
        assessments=list(_of(CapacityAssessment, record, "-assessed_on").filter(**where)),
        best_interests=list(_of(BestInterestsDecision, record, "-decided_on").filter(**where)),
        advocacy=list(_of(AdvocacyDuty, record, "-considered_on").filter(**where)),
        imca=list(_of(ImcaReferral, record, "-referred_on").filter(**where)),
        consents=list(_of(ConsentToShare, record, "-recorded_on").filter(**where)),
    )


def resting_on(assessment: CapacityAssessment) -> tuple[list[ImcaReferral], list[ConsentToShare]]:
    """The IMCA referrals and consents that rest on a capacity assessment the caller has opened."""
    return (
        list(ImcaReferral.objects.filter(capacity_assessment=assessment).order_by("-referred_on", "-pk")),
        list(ConsentToShare.objects.filter(capacity_assessment=assessment).order_by("-recorded_on", "-pk")),
    )


@dataclass(frozen=True)
class CapacityRecords:
    assessments: list[CapacityAssessment]
    best_interests: list[BestInterestsDecision]
    advocacy: list[AdvocacyDuty]
    imca: list[ImcaReferral]
    consents: list[ConsentToShare]

    @property
    def refusals(self) -> list[ConsentToShare]:
        return [c for c in self.consents if c.basis == ConsentBasis.REFUSED]


def records_for(record: access.OpenedRecord) -> CapacityRecords:
    """Everything this context holds about the person (the section page and the API's list)."""
    return CapacityRecords(
        assessments=capacity_assessments_for(record),
        best_interests=best_interests_for(record),
        advocacy=advocacy_for(record),
        imca=imca_for(record),
        consents=consents_for(record),
    )


def link_choices(*, record: access.OpenedRecord) -> list[tuple[str, str]]:
    """What a record here may be about: ("assessment:12", "Needs assessment started 3 November 2026")."""
    from openasc.assessments.models import Assessment
    from openasc.planning.models import Plan

    pid = access_person(record)
    out: list[tuple[str, str]] = []
    for a in Assessment.objects.filter(person_id=pid).order_by("-started_on", "-pk")[:50]:
        out.append((f"assessment:{a.pk}", f"{a.get_kind_display()} started {a.started_on:%-d %B %Y}"))
    for p in Plan.objects.filter(person_id=pid).order_by("-version", "-pk")[:50]:
        out.append(
            (f"plan:{p.pk}", f"Care and support plan, version {p.version} ({p.get_status_display().lower()})")
        )
    return out


def link_object(*, kind: str, pk: int):
    """The assessment or plan a link names (only its id and person), or None; the service checks whose it is."""
    from openasc.assessments.models import Assessment
    from openasc.planning.models import Plan

    model = {"assessment": Assessment, "plan": Plan}[kind]
    return model.objects.filter(pk=pk).only("pk", "person_id").first()


def capacity_assessment_for_link(*, pk: int) -> CapacityAssessment | None:
    """A capacity assessment named in input (an IMCA referral's, a consent's), or None; the service checks whose."""
    return CapacityAssessment.objects.filter(pk=pk).first()


def capacity_choices(*, record: access.OpenedRecord) -> list[tuple[str, str]]:
    """The person's assessments that found they lack capacity, for an IMCA referral or a best-interests consent."""
    return [
        (str(c.pk), f"{c.decision} (assessed {c.assessed_on:%-d %B %Y})")
        for c in lacking_capacity_for(record)
    ]


def advocacy_providers() -> tuple[str, ...]:
    """The advocacy providers the council has set (local reference data, docs/capacity.md). Read from the table
    each time rather than through `codes.values`' per-process cache, so that a provider an administrator adds is
    offered at once by every web process."""
    return tuple(
        ReferenceCode.objects.filter(list_name=ADVOCACY_PROVIDER_LIST, release="local", active=True)
        .order_by("order", "value")
        .values_list("value", flat=True)
    )


TIMELINE_KINDS = {
    "assessments": (CapacityAssessment, "assessed_on", ("decision", "outcome")),
    "best_interests": (BestInterestsDecision, "decided_on", ("decision",)),
    "advocacy": (AdvocacyDuty, "considered_on", ("duty", "involvement_in", "referral_made")),
    "imca": (ImcaReferral, "referred_on", ("reason",)),
    "consents": (ConsentToShare, "recorded_on", ("basis",)),
}


def timeline_kinds_present(person) -> set[str]:
    """Which kinds of capacity record the person has, in one query (most people have none)."""
    from django.db.models import Exists, OuterRef

    from openasc.people.models import Person

    flags = (
        Person.objects.filter(pk=person.pk)
        .annotate(
            **{
                f"has_{kind}": Exists(model.objects.filter(person_id=OuterRef("pk")))
                for kind, (model, _, _) in TIMELINE_KINDS.items()
            }
        )
        .values(*(f"has_{kind}" for kind in TIMELINE_KINDS))
        .first()
    ) or {}
    return {name.removeprefix("has_") for name, present in flags.items() if present}


def timeline_records(person, kind: str, limit: int = 100) -> list:
    """The person's latest records of one kind for the timeline, in one query, only the fields it shows (the page
    showing it opened the record)."""
    model, when, fields = TIMELINE_KINDS[kind]
    user_only = tuple(f"recorded_by__{f}" for f in USER_FIELDS)
    return list(
        model.objects.filter(person_id=person.pk)
        .select_related("recorded_by")
        .only("pk", "person_id", "recorded_at", when, *fields, *user_only)
        .order_by(f"-{when}", "-pk")[:limit]
    )
