"""Assessment factories (set-up data, exempt from the audit safety net) and helpers: a completed assessment with
its outcomes, and answering every section through the services as a worker would.

`AssessmentFactory()` is a needs assessment in progress; the traits give the common states:
`AssessmentFactory(completed=True)` (completed and eligible, ready for a plan; `eligible=False` too for one whose
needs were not eligible, with the outcome and the computed determination to match) and
`AssessmentFactory(awaiting_sign_off=True)` and `AssessmentFactory(cancelled=True)`."""

import datetime as dt

import factory

from openasc.assessments import sections, services
from openasc.assessments.models import Assessment, AssessmentKind, AssessmentStatus, OutcomeAssessment
from openasc.core import audit
from openasc.core.tests.factories import AuditExemptFactory, UserFactory, opened
from openasc.people.tests.factories import PersonFactory


class AssessmentFactory(AuditExemptFactory):
    class Meta:
        model = Assessment

    class Params:
        completed = factory.Trait(
            status=AssessmentStatus.COMPLETED,
            completed_on=factory.LazyAttribute(lambda o: o.started_on + dt.timedelta(days=5)),
            condition_met=True,
            eligible=True,
            wellbeing_impact=factory.LazyAttribute(lambda o: o.eligible),
            computed_eligible=factory.LazyAttribute(lambda o: o.eligible),
            outcome=factory.LazyAttribute(
                lambda o: (
                    "Progress to support planning or services"
                    if o.eligible
                    else "NFA: Information and advice or signposting"
                )
            ),
        )
        awaiting_sign_off = factory.Trait(status=AssessmentStatus.AWAITING_SIGN_OFF)
        cancelled = factory.Trait(status=AssessmentStatus.CANCELLED)

    person = factory.SubFactory(PersonFactory)
    kind = AssessmentKind.NEEDS
    assessment_type = "Long term assessment"
    method = "Face to face"
    started_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=7))
    assessor = factory.SubFactory(UserFactory)


def completed_assessment(person, unmet: dict[str, list[str]], met: tuple[str, ...] = ("clothing",), **kwargs):
    """A completed, eligible assessment (started 1 September 2026, completed on the 20th unless given) with its
    outcomes: `unmet` maps an outcome code to the limbs the person cannot achieve it by, `met` the ones they can."""
    kwargs = {
        "started_on": dt.date(2026, 9, 1),
        "completed_on": dt.date(2026, 9, 20),
        "assessor": UserFactory(username="assessor", role="social_worker"),
        **kwargs,
    }
    assessment = AssessmentFactory(person=person, completed=True, **kwargs)
    with audit.exempt_from_safety_net():
        for code, limbs in unmet.items():
            OutcomeAssessment.objects.create(
                assessment=assessment,
                code=code,
                can_achieve=False,
                limbs=limbs,
                notes=f"Needs help with {code}",
            )
        for code in met:
            OutcomeAssessment.objects.create(assessment=assessment, code=code, can_achieve=True)
    return assessment


def answer_all(
    assessment,
    actor,
    *,
    unable=("nutrition", "hygiene"),
    condition=True,
    wellbeing=True,
    health_at_risk=False,
    judgement="agree",
    judgement_reason="",
    limbs=("a",),
):
    """Answer every section through the services, as a worker would; returns the assessment."""
    save = services.assessment_section_save
    record = opened(actor, assessment.person)
    save(
        record=record,
        assessment=assessment,
        section=sections.ABOUT,
        data={
            "what_matters": "Staying at home with my cat",
            "strengths": "Good neighbours",
            "existing_support": "Daughter visits on Sundays",
        },
    )
    save(
        record=record,
        assessment=assessment,
        section=sections.CONDITION,
        data={
            "condition_met": condition,
            "condition_description": "Parkinson's disease" if condition else "",
        },
    )
    for code, _ in sections.outcomes_for(assessment.kind):
        cannot = code in unable
        save(
            record=record,
            assessment=assessment,
            section=sections.OUTCOME_PREFIX + code,
            data={
                "can_achieve": not cannot,
                "limbs": list(limbs) if cannot else [],
                "notes": f"About {code}",
            },
        )
    if assessment.kind == AssessmentKind.CARER:
        save(
            record=record,
            assessment=assessment,
            section=sections.CARER_HEALTH,
            data={"carer_health_at_risk": health_at_risk},
        )
    save(
        record=record,
        assessment=assessment,
        section=sections.WELLBEING,
        data={
            "wellbeing_impact": wellbeing,
            "wellbeing_description": "Isolated and anxious" if wellbeing else "",
        },
    )
    save(
        record=record,
        assessment=assessment,
        section=sections.ELIGIBILITY,
        data={"judgement": judgement, "judgement_reason": judgement_reason},
    )
    return assessment
