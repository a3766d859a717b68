"""The demo council's letters and attachments (openasc/demo/documents.py): filled from each person's own record,
a few files on disk under random names, written once however often the builder calls it."""

from __future__ import annotations

import datetime as dt

from openasc.assessments.models import OutcomeAssessment
from openasc.assessments.tests.factories import AssessmentFactory
from openasc.core import audit
from openasc.core.models import RelationshipKind, Role
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory
from openasc.demo.documents import MAX_FILES, build_documents, reset_documents
from openasc.documents import files
from openasc.documents.models import Document, DocumentKind
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import PlanFactory, PlanNeedFactory, ReviewFactory

TODAY = dt.date(2026, 11, 23)


def test_demo_letters_and_attachments(staff, documents_dir):
    system = UserFactory(username="system", role=Role.SYSTEM)
    people = []
    for i in range(30):
        p = PersonFactory(first_name=f"Person{i:02d}", last_name="Demo")
        CareRelationshipFactory(person=p, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
        plan = PlanFactory(person=p, agreed_on=TODAY - dt.timedelta(days=30), agreed_weekly_pence=10000 + i)
        PlanNeedFactory(plan=plan, description=f"Support for Person{i:02d}")
        a = AssessmentFactory(person=p, completed=True, started_on=TODAY - dt.timedelta(days=60))
        with audit.exempt_from_safety_net():
            OutcomeAssessment.objects.create(assessment=a, code="nutrition", can_achieve=False, limbs=["a"])
        ReviewFactory(person=p, plan=plan, due_on=TODAY + dt.timedelta(days=20))
        people.append(p)
    with audit.exempt_from_safety_net():
        made = build_documents(seed=1, system=system, today=TODAY)
        assert build_documents(seed=1, system=system, today=TODAY) == 0  # written once
    assert made == Document.objects.count() > 30
    for letter in Document.objects.filter(kind=DocumentKind.LETTER).select_related("person"):
        own = letter.person.first_name
        others = {p.first_name for p in people} - {own}
        assert own in letter.body and not any(name in letter.body for name in others), letter.body
        assert "(not recorded)" not in letter.body and "{" not in letter.body
    kinds = set(Document.objects.values_list("template__key", flat=True))
    assert {"care-and-support-plan", "assessment-outcome", "review-due"} <= kinds
    attachments = list(Document.objects.filter(kind=DocumentKind.ATTACHMENT))
    assert 0 < len(attachments) <= MAX_FILES
    for a in attachments:
        data = files.path_of(a.file_name).read_bytes()
        assert len(data) == a.size and files.check(a.original_name, data)[0].content_type == a.content_type

    reset_documents()  # a demo reset: the rows and the demo's files go
    assert not Document.objects.exists() and not [f for f in documents_dir.rglob("*") if f.is_file()]
