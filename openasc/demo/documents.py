"""Letters and attachments for the synthetic council.

About one in three people with an agreed care and support plan were sent "Your care and support plan" a few days
after it was agreed; about one in four with a completed assessment were sent "Your assessment outcome"; about one
in two whose review is due in the next eight weeks were sent "Your review is due". Each letter is the council's
standard letter filled from that person's own record, as a worker would have stored it (about one in ten changed
once, a second version kept). A dozen people have an attachment: a small signed consent form (a PDF made by
WeasyPrint) or a text file of notes from the family, written to OPENASC_DOCUMENTS_DIR under a random name like any
upload. The builder writes the attachments; `openasc demo` writes the letters once the history they are about is built
(`build_letters`). Rows are written in bulk inside `audit.bulk` (one summary event a batch); at most MAX_LETTERS
letters and MAX_FILES files, so a county-sized demo stays quick to build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openasc.core import audit
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, User
from openasc.documents import files, letters, presenters, standard
from openasc.documents.models import Document, DocumentKind, LetterTemplate

MAX_LETTERS = 3000
MAX_FILES = 12
BATCH = 1000

FAMILY_NOTES = (
    "Notes from {first}'s daughter, typed up after the family meeting\n\n"
    "- Mum is happier since the carers changed to the morning.\n"
    "- She would like to go to the lunch club on Thursdays again.\n"
    "- The key safe code was changed last week; the agency has the new one.\n"
)


def _when(day: dt.date, rng: random.Random, end: dt.datetime) -> dt.datetime:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.randint(0, 59))))
    return min(at, end)


def _consent_pdf(first: str, full: str, la_id: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = (
        f"<html lang='en-GB'><body style='font-family: arial, sans-serif'><h1>Consent to share information</h1>"
        f"<p>I, {full} ({la_id}), agree that {settings.COUNCIL_NAME} may share information about my care and "
        f"support with my GP, the district nurses and my care agency.</p><p>Signed: {first}</p></body></html>"
    )
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=frozenset())).write_pdf()


def build_documents(*, seed: int, system: User, today: dt.date) -> int:
    """Write the letters and attachments; returns how many documents. Deterministic for a seed and the record.
    Each part is written once: called before the history is built (as the builder does) it writes the attachments,
    and called again after it (or on a council built earlier) the letters."""
    rng = random.Random(seed * 7919 + 3)
    made = 0
    if not Document.objects.filter(kind=DocumentKind.LETTER).exists():  # once, whoever calls again
        made += _letters(rng=rng, system=system, today=today)
    if not Document.objects.filter(kind=DocumentKind.ATTACHMENT).exists():
        workers, users, end = _workers(today)
        made += _attachments(rng=rng, system=system, users=users, workers=workers, end=end)
    return made


def build_letters(*, seed: int, today: dt.date) -> int:
    """The letters, once the history they are about is built (`openasc demo` calls this after the history)."""
    return build_documents(seed=seed, system=User.objects.get(username="system"), today=today)


def _workers(today: dt.date):
    end = min(timezone.make_aware(dt.datetime.combine(today, dt.time(17, 0))), timezone.now())
    workers = dict(
        CareRelationship.objects.filter(kind=RelationshipKind.ALLOCATED_WORKER, ends_at__isnull=True)
        .order_by("person_id", "pk")
        .values_list("person_id", "user_id")
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=set(workers.values()), is_active=True)}
    return workers, users, end


def _letters(*, rng: random.Random, system: User, today: dt.date) -> int:
    """About a third of agreed plans, a quarter of completed assessments, half of the reviews due soon."""
    from openasc.assessments import sections
    from openasc.assessments.models import Assessment, AssessmentStatus, OutcomeAssessment
    from openasc.people.models import Person
    from openasc.planning.models import Plan, PlanNeed, PlanStatus, Review, ReviewStatus

    templates = {t.key: t for t in LetterTemplate.objects.all()}
    if not all(key in templates for key in ("care-and-support-plan", "assessment-outcome", "review-due")):
        standard.load(LetterTemplate)
        templates = {t.key: t for t in LetterTemplate.objects.all()}
    workers, users, end = _workers(today)

    wanted: list[tuple[str, int, object]] = []  # (template key, person id, the thing it is about)
    for plan in Plan.objects.filter(status=PlanStatus.AGREED, agreed_on__isnull=False).order_by("pk"):
        if rng.random() < 0.33:
            wanted.append(("care-and-support-plan", plan.person_id, plan))
    for a in Assessment.objects.filter(
        status=AssessmentStatus.COMPLETED, completed_on__isnull=False
    ).order_by("pk"):
        if rng.random() < 0.25:
            wanted.append(("assessment-outcome", a.person_id, a))
    soon = today + dt.timedelta(weeks=8)
    for r in Review.objects.filter(
        status=ReviewStatus.SCHEDULED, due_on__gte=today, due_on__lte=soon
    ).order_by("pk"):
        if rng.random() < 0.5:
            wanted.append(("review-due", r.person_id, r))
    wanted = wanted[:MAX_LETTERS]

    made = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        people = Person.objects.in_bulk({pid for _, pid, _ in chunk})
        plan_ids = {obj.pk for key, _, obj in chunk if key == "care-and-support-plan"}
        needs: dict[int, list] = {}
        for need in PlanNeed.objects.filter(plan_id__in=plan_ids).order_by("pk"):
            needs.setdefault(need.plan_id, []).append(need)
        a_ids = {obj.pk for key, _, obj in chunk if key == "assessment-outcome"}
        unable: dict[int, list[str]] = {}
        for o in OutcomeAssessment.objects.filter(assessment_id__in=a_ids, can_achieve=False).order_by("pk"):
            unable.setdefault(o.assessment_id, []).append(o.code)
        rows, second = [], []
        for key, pid, obj in chunk:
            person = people[pid]
            writer = users.get(workers.get(pid)) or system
            values = dict.fromkeys(letters.PLACEHOLDERS, "")
            values.update(
                council_name=settings.COUNCIL_NAME,
                person_name=person.full_name,
                first_name=person.preferred_name or person.first_name,
                address=presenters.address(person),
                person_number=person.la_person_id,
                worker_name=writer.display_name,
            )
            if key == "care-and-support-plan":
                day = obj.agreed_on + dt.timedelta(days=rng.randint(1, 5))
                values.update(
                    plan_budget=presenters.weekly_budget(obj),
                    plan_start=presenters.long_date(obj.starts_on or obj.agreed_on),
                    how_needs_are_met="\n".join(
                        f"- {x}" for x in presenters.need_lines(needs.get(obj.pk, []))
                    ),
                    review_due=presenters.long_date(obj.agreed_on + dt.timedelta(weeks=52)),
                )
                link = {"plan": obj}
            elif key == "assessment-outcome":
                day = obj.completed_on + dt.timedelta(days=rng.randint(1, 7))
                labels = dict(sections.outcomes_for(obj.kind))
                values.update(
                    assessment_date=presenters.long_date(obj.completed_on),
                    assessment_outcome=presenters.eligibility_words(obj),
                    eligible_needs="\n".join(f"- {labels[c]}" for c in unable.get(obj.pk, []) if c in labels)
                    if obj.eligible
                    else "- None: see the outcome above",
                )
                link = {"assessment": obj}
            else:
                day = max(obj.due_on - dt.timedelta(weeks=rng.randint(3, 6)), today - dt.timedelta(days=20))
                values.update(review_due=presenters.long_date(obj.due_on))
                link = {"review": obj}
            day = min(day, today)
            values["today"] = presenters.long_date(day)
            template = templates[key]
            document = Document(
                person_id=pid,
                kind=DocumentKind.LETTER,
                title=letters.fill(template.subject, values),
                template=template,
                body=letters.fill(template.body, values),
                created_by=writer,
                created_at=_when(day, rng, end),
                **link,
            )
            rows.append(document)
            if rng.random() < 0.1:
                second.append(document)
        with audit.bulk(actor=system, action=AuditAction.CREATE, reason="Demo: synthetic letters"):
            Document.objects.bulk_create(rows, batch_size=500)
            revised = [
                Document(
                    person_id=d.person_id,
                    kind=DocumentKind.LETTER,
                    title=d.title,
                    template=d.template,
                    body=d.body.replace(
                        "Yours sincerely", "Please ring us if you have any questions.\n\nYours sincerely"
                    ),
                    version=2,
                    previous_id=d.pk,
                    created_by=d.created_by,
                    created_at=min(d.created_at + dt.timedelta(minutes=rng.randint(10, 90)), end),
                    plan=d.plan,
                    assessment=d.assessment,
                    review=d.review,
                )
                for d in second
            ]
            Document.objects.bulk_create(revised, batch_size=500)
        made += len(rows) + len(revised)
    return made


def _attachments(*, rng: random.Random, system: User, users: dict, workers: dict, end: dt.datetime) -> int:
    from openasc.people.models import Person

    chosen = sorted(workers)[:: max(1, len(workers) // MAX_FILES)][:MAX_FILES] if workers else []
    rows, written = [], []
    try:
        for i, person in enumerate(Person.objects.filter(pk__in=chosen).order_by("pk")):
            if i % 2 == 0:
                data = _consent_pdf(person.first_name, person.full_name, person.la_person_id)
                name, title, kind = (
                    "Consent form (signed).pdf",
                    "Signed consent to share information",
                    files.PDF,
                )
            else:
                data = FAMILY_NOTES.format(first=person.first_name).encode()
                name, title, kind = "Notes from the family.txt", "Notes from the family meeting", files.TEXT
            file_name = files.new_name()
            files.write(file_name, data)
            written.append(file_name)
            rows.append(
                Document(
                    person=person,
                    kind=DocumentKind.ATTACHMENT,
                    title=title,
                    file_name=file_name,
                    original_name=name,
                    content_type=kind.content_type,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    created_by=users.get(workers.get(person.pk)) or system,
                    created_at=end - dt.timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 600)),
                )
            )
        with audit.bulk(actor=system, action=AuditAction.CREATE, reason="Demo: synthetic attachments"):
            Document.objects.bulk_create(rows)
    except BaseException:
        for file_name in written:
            files.remove(file_name)
        raise
    return len(rows)


def reset_documents() -> None:
    """Delete every document row and the demo's files (demo databases only), before the history its letters point
    at is deleted (`openasc demo --reset`): the history is removed with raw deletes, which would leave dangling
    references rather than set them to null."""
    from openasc.documents.models import Document

    names = list(Document.objects.exclude(file_name="").values_list("file_name", flat=True))
    # (no audit event: reset_database wipes the audit trail next, demo databases only)
    with transaction.atomic(), audit.exempt_from_safety_net():
        Document.objects.all()._raw_delete(Document.objects.db)
    for name in names:
        files.remove(name)
