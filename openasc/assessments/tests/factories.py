"""Assessment factories (set-up data, exempt from the audit safety net) and a helper that answers every section."""

import datetime as dt

import factory

from openasc.assessments import sections, services
from openasc.assessments.models import Assessment, AssessmentKind
from openasc.core.tests.factories import AuditExemptFactory, UserFactory
from openasc.frontdoor.tests.factories import opened
from openasc.people.tests.factories import PersonFactory


class AssessmentFactory(AuditExemptFactory):
    class Meta:
        model = Assessment

    person = factory.SubFactory(PersonFactory)
    kind = AssessmentKind.NEEDS
    assessment_type = "Long term assessment"
    method = "Face to face"
    started_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=7))
    assessor = factory.SubFactory(UserFactory)


def answer_all(assessment, actor, *, unable=("nutrition", "hygiene"), condition=True, wellbeing=True,
               health_at_risk=False, judgement="agree", judgement_reason="", limbs=("a",)):
    """Answer every section through the services, as a worker would; returns the assessment."""
    save = services.assessment_section_save
    record = opened(actor, assessment.person)
    save(record=record, assessment=assessment, section=sections.ABOUT,
         data={"what_matters": "Staying at home with my cat", "strengths": "Good neighbours",
               "existing_support": "Daughter visits on Sundays"})
    save(record=record, assessment=assessment, section=sections.CONDITION,
         data={"condition_met": condition, "condition_description": "Parkinson's disease" if condition else ""})
    for code, _ in sections.outcomes_for(assessment.kind):
        cannot = code in unable
        save(record=record, assessment=assessment, section=sections.OUTCOME_PREFIX + code,
             data={"can_achieve": not cannot, "limbs": list(limbs) if cannot else [], "notes": f"About {code}"})
    if assessment.kind == AssessmentKind.CARER:
        save(record=record, assessment=assessment, section=sections.CARER_HEALTH,
             data={"carer_health_at_risk": health_at_risk})
    save(record=record, assessment=assessment, section=sections.WELLBEING,
         data={"wellbeing_impact": wellbeing, "wellbeing_description": "Isolated and anxious" if wellbeing else ""})
    save(record=record, assessment=assessment, section=sections.ELIGIBILITY,
         data={"judgement": judgement, "judgement_reason": judgement_reason})
    return assessment
