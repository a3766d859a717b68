"""Mental capacity, best interests, advocacy and consent to share information, on a person's record.

- `CapacityAssessment`: the Mental Capacity Act 2005 test for one decision at one time (s.2-3): stage 1 (is there an
  impairment of, or a disturbance in the functioning of, the mind or brain), stage 2 (can the person understand,
  retain, use or weigh the information and communicate their decision), the causative nexus (is the inability
  *because of* the impairment), the practicable steps taken to help the person decide (s.1(3)) and the outcome.
- `BestInterestsDecision`: a decision made for a person assessed as lacking capacity for it (s.4), linked to that
  assessment: who was consulted, the person's wishes, feelings, beliefs and values, the options weighed, the least
  restrictive option (s.1(6)), the decision and the decision maker.
- `AdvocacyDuty`: the Care Act 2014 s.67 judgement (substantial difficulty in any of the four areas, and whether there
  is an appropriate individual to support the person); the duty to arrange an independent advocate follows from it,
  then the referral and its outcome.
- `ImcaReferral`: an Independent Mental Capacity Advocate instructed under MCA ss.35-41 (serious medical treatment, a
  change of accommodation) or the 2006 expansion regulations (care reviews, safeguarding), for a person who lacks
  capacity for the decision.
- `ConsentToShare`: what is shared, with whom, and on what basis (consent given or refused, best interests for a
  person who lacks capacity to consent, or an overriding public or vital interest with its reason).

No national (CLD, SAC) list defines any of these values, so the small fixed vocabularies the Acts themselves give are
TextChoices here; the advocacy providers a council commissions are local reference data (`ADVOCACY_PROVIDER_LIST`,
release "local", docs/capacity.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from openasc.core import audit
from openasc.core.sensitive import SensitiveManager

ADVOCACY_PROVIDER_LIST = (
    "Advocacy provider"  # core.ReferenceCode list_name, release "local": set by the council
)


class Outcome(models.TextChoices):
    HAS_CAPACITY = "has_capacity", "Has capacity for this decision"
    LACKS_CAPACITY = "lacks_capacity", "Lacks capacity for this decision"


class InvolvementIn(models.TextChoices):
    """The Care Act processes in which s.67 (and s.68 for safeguarding) requires the person's involvement."""

    NEEDS_ASSESSMENT = "needs_assessment", "Needs assessment"
    CARERS_ASSESSMENT = "carers_assessment", "Carer's assessment"
    PLANNING = "planning", "Care and support planning"
    REVIEW = "review", "Review of a care and support plan"
    SAFEGUARDING = "safeguarding", "Safeguarding enquiry or review (s.68)"


class ImcaReason(models.TextChoices):
    SERIOUS_MEDICAL_TREATMENT = "serious_medical_treatment", "Serious medical treatment (MCA s.37)"
    ACCOMMODATION = "accommodation", "A change of accommodation (MCA s.38 and s.39)"
    CARE_REVIEW = "care_review", "A review of accommodation arrangements (2006 regulations, discretionary)"
    SAFEGUARDING = "safeguarding", "Adult safeguarding (2006 regulations, discretionary)"


# Reasons for which the law requires that there is no one appropriate to consult (other than paid carers): all but
# safeguarding, where an IMCA may be instructed even when family or friends are involved.
IMCA_NEEDS_NO_ONE_TO_CONSULT = frozenset(
    {ImcaReason.SERIOUS_MEDICAL_TREATMENT, ImcaReason.ACCOMMODATION, ImcaReason.CARE_REVIEW}
)


class ConsentBasis(models.TextChoices):
    GIVEN = "consent_given", "Consent given"
    REFUSED = "consent_refused", "Consent refused"
    BEST_INTERESTS = "best_interests", "Lacks capacity to consent: shared in their best interests"
    OVERRIDING = (
        "overriding_interest",
        "Shared without consent: overriding public interest or vital interests",
    )


# What a record here may be about, in the same person's record: the field, and the noun the pages use.
LINK_FIELDS = {"assessment": "Assessment", "plan": "Care and support plan"}

ABILITIES = (
    ("understand", "understand the information relevant to the decision"),
    ("retain", "retain that information"),
    ("use_weigh", "use or weigh that information as part of the process of making the decision"),
    ("communicate", "communicate their decision (by talking, sign language or any other means)"),
)


class _OnRecord(models.Model):
    """What every record here has: the person, an optional link to one of their assessments or plans, who recorded
    it and when."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey(
        "planning.Plan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        abstract = True

    @property
    def link_field(self) -> str:
        return next((name for name in LINK_FIELDS if getattr(self, f"{name}_id")), "")


def _one_link(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(assessment__isnull=False, plan__isnull=False), name=f"{prefix}_one_link"
    )


@audit.sensitive
class CapacityAssessment(_OnRecord):
    """The two-stage test for one decision at one time (capacity is decision- and time-specific)."""

    # CASCADE like every record here and the person's case notes: it is part of the record, which the product never
    # deletes (a merge keeps both); only erasing a person (a demo reset, a DBA's erasure) takes it with them. What
    # rests on an assessment (a best-interests decision, an IMCA referral, a consent) RESTRICTs deleting it on its own.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="capacity_assessments", db_index=False
    )
    decision = models.CharField("the decision", max_length=300)
    assessed_on = models.DateField()
    assessor = models.CharField("who assessed", max_length=200)
    location = models.CharField("where", max_length=200)
    present = models.TextField("who else was present", blank=True)
    impairment = models.BooleanField("stage 1: impairment or disturbance of the mind or brain", null=True)
    impairment_detail = models.TextField(blank=True)
    understand = models.BooleanField(null=True)
    understand_evidence = models.TextField(blank=True)
    retain = models.BooleanField(null=True)
    retain_evidence = models.TextField(blank=True)
    use_weigh = models.BooleanField(null=True)
    use_weigh_evidence = models.TextField(blank=True)
    communicate = models.BooleanField(null=True)
    communicate_evidence = models.TextField(blank=True)
    nexus = models.BooleanField("the inability is because of the impairment", null=True)
    nexus_evidence = models.TextField(blank=True)
    support_steps = models.TextField("practicable steps taken to support the person to decide")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        indexes = [models.Index(fields=["person", "assessed_on"], name="capacity_person_when")]
        constraints = [_one_link("capacity")]

    def __str__(self) -> str:
        return f"Mental capacity assessment {self.pk}"

    @property
    def lacks_capacity(self) -> bool:
        return self.outcome == Outcome.LACKS_CAPACITY


@audit.sensitive
class BestInterestsDecision(_OnRecord):
    """A decision made in the best interests of a person assessed as lacking capacity to make it (MCA s.4)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="best_interests_decisions", db_index=False
    )
    capacity_assessment = models.OneToOneField(
        CapacityAssessment, on_delete=models.RESTRICT, related_name="best_interests"
    )
    consulted = models.JSONField(default=list)  # [{"name": ..., "role": ...}]
    wishes = models.TextField("past and present wishes, feelings, beliefs and values")
    options = models.JSONField(default=list)  # [{"option": ..., "benefits": ..., "risks": ...}]
    least_restrictive = models.TextField("the least restrictive option considered")
    decision = models.TextField("the decision")
    decision_maker = models.CharField(max_length=200)
    decided_on = models.DateField()
    objects = SensitiveManager()

    class Meta:
        indexes = [models.Index(fields=["person", "decided_on"], name="bestinterests_person_when")]
        constraints = [_one_link("bestinterests")]

    def __str__(self) -> str:
        return f"Best-interests decision {self.pk}"


@audit.sensitive
class AdvocacyDuty(_OnRecord):
    """Care Act s.67: would the person have substantial difficulty being involved, and is there an appropriate
    individual to support them? The duty to arrange an independent advocate is the first and not the second."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="advocacy_duties", db_index=False
    )
    involvement_in = models.CharField(max_length=30, choices=InvolvementIn.choices)
    considered_on = models.DateField()
    difficulty_understand = models.BooleanField()
    difficulty_retain = models.BooleanField()
    difficulty_use_weigh = models.BooleanField()
    difficulty_communicate = models.BooleanField()
    difficulty_evidence = models.TextField(blank=True)
    appropriate_individual = models.BooleanField()
    appropriate_individual_name = models.CharField(max_length=200, blank=True)
    duty = (
        models.BooleanField()
    )  # derived by the service: substantial difficulty and no appropriate individual
    referral_made = models.BooleanField(default=False)
    provider = models.CharField(max_length=200, blank=True)
    referred_on = models.DateField(null=True, blank=True)
    no_referral_reason = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    objects = SensitiveManager()

    class Meta:
        indexes = [models.Index(fields=["person", "considered_on"], name="advocacy_person_when")]
        constraints = [_one_link("advocacy")]

    def __str__(self) -> str:
        return f"Advocacy (Care Act s.67) {self.pk}"

    @property
    def substantial_difficulty(self) -> bool:
        return any(
            (
                self.difficulty_understand,
                self.difficulty_retain,
                self.difficulty_use_weigh,
                self.difficulty_communicate,
            )
        )


@audit.sensitive
class ImcaReferral(_OnRecord):
    """An Independent Mental Capacity Advocate instructed for a decision the person lacks capacity to make."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="imca_referrals", db_index=False
    )
    capacity_assessment = models.ForeignKey(
        CapacityAssessment, on_delete=models.RESTRICT, related_name="imca_referrals"
    )
    reason = models.CharField(max_length=30, choices=ImcaReason.choices)
    reason_detail = models.TextField("the treatment or move proposed")
    no_one_appropriate = models.BooleanField("no one appropriate to consult, other than paid carers")
    provider = models.CharField(max_length=200)
    referred_on = models.DateField()
    outcome = models.TextField(blank=True)
    objects = SensitiveManager()

    class Meta:
        indexes = [models.Index(fields=["person", "referred_on"], name="imca_person_when")]
        constraints = [_one_link("imca")]

    def __str__(self) -> str:
        return f"IMCA referral {self.pk}"


@audit.sensitive
class ConsentToShare(_OnRecord):
    """What may be shared about the person, with whom, on what basis; a refusal is kept and shown."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="consents_to_share", db_index=False
    )
    what = models.TextField("what is shared")
    agencies = models.TextField("with whom", help_text="One agency a line")
    basis = models.CharField(max_length=30, choices=ConsentBasis.choices)
    capacity_assessment = models.ForeignKey(
        CapacityAssessment, on_delete=models.RESTRICT, null=True, blank=True, related_name="consents"
    )
    reason = models.TextField(blank=True)
    recorded_on = models.DateField()
    review_on = models.DateField(null=True, blank=True)
    objects = SensitiveManager()

    class Meta:
        indexes = [models.Index(fields=["person", "recorded_on"], name="consent_person_when")]
        constraints = [_one_link("consent")]

    def __str__(self) -> str:
        return f"Consent to share {self.pk}"

    @property
    def refused(self) -> bool:
        return self.basis == ConsentBasis.REFUSED

    @property
    def agency_list(self) -> list[str]:
        return [line.strip() for line in self.agencies.split("\n") if line.strip()]
