"""Reads for documents, letters and the printable assessment, plan and review, always for a given user.

Every read of one document, of a person's documents or of a printable page opens the person's record through
`access.open_record` with its purpose (audited; a refusal audited too). Downloading an attachment or a letter's PDF
is purpose "download document". A letter's placeholders are filled only from the one record opened
(`letter_values`): every query below is filtered to that person, and what the letter is about is checked to be in
that record first, so a letter can never carry someone else's name, needs or budget.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import OuterRef, Subquery

from openasc.core import access
from openasc.core.models import User
from openasc.documents import letters
from openasc.documents.models import LINK_FIELDS, Document, LetterTemplate

DOWNLOAD = "download document"


# --- documents -------------------------------------------------------------------------------------------------------


def person_documents_open(*, user: User, person_id: int, purpose: str = "documents") -> access.OpenedRecord:
    """Open a person's record to list their documents (audited); raises Person.DoesNotExist or AccessDenied."""
    from openasc.people.models import Person

    return access.open_record(user, Person.objects.get(pk=person_id), purpose)


def documents_for_person(*, record: access.OpenedRecord) -> list[Document]:
    """The person's documents, newest first, each letter at its latest version (with how many versions it has)."""
    newer = Document.objects.filter(previous=OuterRef("pk")).values("pk")[:1]
    return list(
        Document.objects.filter(person_id=record.person_id)
        .annotate(replaced_by=Subquery(newer))
        .filter(replaced_by__isnull=True)
        .select_related("created_by", *LINK_FIELDS)
        .order_by("-created_at", "-pk")
    )


def document_get(
    *, user: User, document_id: int, purpose: str = "view document"
) -> tuple[Document, access.OpenedRecord]:
    """One document and the record as opened (audited, with the document as object); a refusal is audited."""
    document = Document.objects.select_related("person", "created_by", "template", *LINK_FIELDS).get(
        pk=document_id
    )
    return document, access.open_record(user, document.person, purpose, obj=document)


def versions_of(document: Document) -> list[Document]:
    """Every version of the letter the caller opened, oldest first (the chain of `previous`, both ways)."""
    first = document
    seen = {first.pk}
    while first.previous_id and first.previous_id not in seen:
        first = Document.objects.select_related("created_by").get(
            pk=first.previous_id, person_id=document.person_id
        )
        seen.add(first.pk)
    chain = [first]
    while True:
        following = (
            Document.objects.filter(previous=chain[-1], person_id=document.person_id)
            .select_related("created_by")
            .order_by("pk")
            .first()
        )
        if following is None or following.pk in {d.pk for d in chain}:
            break
        chain.append(following)
    return chain


def latest_version(document: Document) -> Document:
    return versions_of(document)[-1]


def is_latest(document: Document) -> bool:
    return not Document.objects.filter(previous=document).exists()


def timeline_documents(person, limit: int = 300) -> list[Document]:
    """The person's documents for the timeline (the page that shows it has opened the record)."""
    return list(
        Document.objects.filter(person_id=person.pk)
        .select_related("created_by")
        .only(
            "pk",
            "kind",
            "title",
            "version",
            "created_at",
            "person_id",
            *(f"created_by__{f}" for f in USER_ONLY),
        )
        .order_by("-created_at", "-pk")[:limit]
    )


USER_ONLY = ("first_name", "last_name", "username")


def link_choices(*, record: access.OpenedRecord) -> list[tuple[str, str]]:
    """What a document on this record may be about ("plan:12"): the same choices as a case note's."""
    from openasc.casenotes.selectors import link_choices as record_links

    return record_links(record=record)


def find_link(*, record: access.OpenedRecord, kind: str, object_id: int):
    """The request, assessment, plan, service or review with this id, or None; the caller checks it is the record's."""
    model = Document._meta.get_field(kind).related_model
    return model.objects.filter(pk=object_id).first()


# --- letter templates ------------------------------------------------------------------------------------------------


def active_templates() -> list[LetterTemplate]:
    return list(LetterTemplate.objects.filter(active=True).order_by("name"))


def all_templates() -> list[LetterTemplate]:
    return list(LetterTemplate.objects.order_by("name"))


def template_get(*, key: str) -> LetterTemplate:
    return LetterTemplate.objects.get(key=key, active=True)


def template_by_id(*, template_id: int) -> LetterTemplate:
    return LetterTemplate.objects.get(pk=template_id)


# --- what a letter is filled from --------------------------------------------------------------------------------------


@dataclass
class LetterSources:
    """The things of one person's record that a letter's placeholders are filled from (any may be missing)."""

    person: object
    assessment: object | None = None
    plan: object | None = None
    review: object | None = None
    plan_needs: list = field(default_factory=list)


def letter_sources(*, record: access.OpenedRecord, about=None) -> LetterSources:
    """What the letter is about, and the rest from the same person's record: the assessment it is about (or the
    person's latest completed one), the plan (or the current agreed one), the review (or the next scheduled one).
    `about` must already be checked to be in the record (services do); every query is filtered to the person."""
    from openasc.assessments.models import Assessment, AssessmentStatus
    from openasc.planning.models import Plan, PlanStatus, Review, ReviewStatus

    pid = record.person_id
    if about is not None and getattr(about, "person_id", None) != pid:
        raise ValueError("What a letter is about must be in the record it is written on")
    sources = LetterSources(person=record.person)
    kind = about._meta.model_name if about is not None else ""
    if kind == "assessment":
        sources.assessment = about
    elif kind == "plan":
        sources.plan = about
    elif kind == "review":
        sources.review = about
        sources.plan = about.plan if about.plan_id else None
    if sources.review is None:
        sources.review = (
            Review.objects.filter(person_id=pid, status=ReviewStatus.SCHEDULED)
            .order_by("due_on", "pk")
            .first()
        )
    if sources.plan is None:
        mine = Plan.objects.filter(person_id=pid)
        sources.plan = (
            mine.filter(status=PlanStatus.AGREED).order_by("-version", "-pk").first()
            or mine.order_by("-version", "-pk").first()
        )
    if (
        sources.plan is not None and sources.plan.person_id != pid
    ):  # belt and braces: never another person's plan
        sources.plan = None
    if sources.assessment is None:
        if sources.plan is not None and sources.plan.assessment_id:
            sources.assessment = Assessment.objects.filter(
                pk=sources.plan.assessment_id, person_id=pid
            ).first()
        if sources.assessment is None:
            sources.assessment = (
                Assessment.objects.filter(person_id=pid, status=AssessmentStatus.COMPLETED)
                .order_by("-completed_on", "-pk")
                .first()
            )
    if sources.plan is not None:
        sources.plan_needs = list(sources.plan.needs.order_by("pk"))
    return sources


def _eligible_needs(assessment) -> list[str]:
    from openasc.assessments.selectors import eligible_needs

    return [need.label for need in eligible_needs(assessment).outcomes]


def letter_values(
    *, record: access.OpenedRecord, sources: LetterSources, today: dt.date | None = None
) -> dict[str, str]:
    """Each placeholder's words for this record (letters.PLACEHOLDERS); "" when the record has nothing for it."""
    from openasc.documents import presenters

    today = today or dt.date.today()
    person = sources.person
    a, plan, review = sources.assessment, sources.plan, sources.review
    values = {
        "council_name": settings.COUNCIL_NAME,
        "today": presenters.long_date(today),
        "person_name": person.full_name,
        "first_name": person.preferred_name or person.first_name,
        "address": presenters.address(person),
        "person_number": person.la_person_id,
        "worker_name": record.user.display_name,
        "assessment_date": presenters.long_date(a.completed_on or a.started_on) if a else "",
        "assessment_outcome": presenters.eligibility_words(a) if a else "",
        "eligible_needs": (
            "\n".join(f"- {label}" for label in _eligible_needs(a))
            if a and a.eligible
            else ("- None: see the outcome above" if a and a.eligible is False else "")
        ),
        "plan_budget": presenters.weekly_budget(plan) if plan else "",
        "plan_start": presenters.long_date(plan.starts_on or plan.agreed_on) if plan else "",
        "how_needs_are_met": "\n".join(f"- {line}" for line in presenters.need_lines(sources.plan_needs)),
        "review_due": presenters.long_date(review.due_on) if review else "",
    }
    assert set(values) == set(letters.PLACEHOLDERS)
    return values


# --- printable pages ---------------------------------------------------------------------------------------------------


@dataclass
class AssessmentPrint:
    assessment: object
    record: access.OpenedRecord
    outcomes: list  # (label, can_achieve, notes) for each outcome recorded
    eligible: list[str]


def assessment_print(*, user: User, assessment_id: int, purpose: str = "print assessment") -> AssessmentPrint:
    from openasc.assessments import sections
    from openasc.assessments.selectors import assessment_open

    assessment, record = assessment_open(user=user, assessment_id=assessment_id, purpose=purpose)
    labels = dict(sections.outcomes_for(assessment.kind))
    order = list(labels)
    recorded = sorted(
        (o for o in assessment.outcomes.all() if o.code in labels), key=lambda o: order.index(o.code)
    )
    return AssessmentPrint(
        assessment=assessment,
        record=record,
        outcomes=[(labels[o.code], o.can_achieve, o.notes) for o in recorded],
        eligible=_eligible_needs(assessment),
    )


@dataclass
class PlanPrint:
    plan: object
    record: access.OpenedRecord
    needs: list
    next_review: object | None


def plan_print(*, user: User, plan_id: int, purpose: str = "print plan") -> PlanPrint:
    from openasc.planning.models import Review, ReviewStatus
    from openasc.planning.selectors import plan_get, plan_needs

    plan, record = plan_get(user=user, plan_id=plan_id, purpose=purpose)
    review = (
        Review.objects.filter(person_id=plan.person_id, plan=plan, status=ReviewStatus.SCHEDULED)
        .order_by("due_on", "pk")
        .first()
    )
    return PlanPrint(plan=plan, record=record, needs=plan_needs(plan), next_review=review)


@dataclass
class ReviewPrint:
    review: object
    record: access.OpenedRecord


def review_print(*, user: User, review_id: int, purpose: str = "print review") -> ReviewPrint:
    from openasc.planning.selectors import review_get

    review, record = review_get(user=user, review_id=review_id, purpose=purpose)
    return ReviewPrint(review=review, record=record)


@dataclass
class Printables:
    assessments: list
    plans: list
    reviews: list


def printables_for_person(*, record: access.OpenedRecord) -> Printables:
    """What of the opened record can be printed: assessments (not cancelled), plans and reviews, newest first."""
    from openasc.assessments.models import Assessment, AssessmentStatus
    from openasc.planning.models import Plan, Review

    pid = record.person_id
    return Printables(
        assessments=list(
            Assessment.objects.filter(person_id=pid)
            .exclude(status=AssessmentStatus.CANCELLED)
            .order_by("-started_on", "-pk")[:20]
        ),
        plans=list(Plan.objects.filter(person_id=pid).order_by("-version", "-pk")[:20]),
        reviews=list(Review.objects.filter(person_id=pid).order_by("-due_on", "-pk")[:20]),
    )
