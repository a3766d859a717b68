"""Needs assessments and carers' assessments against the Care Act outcomes, with the eligibility decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openasc.core import audit
from openasc.core.sensitive import SensitiveManager
from openasc.core.workflow import StatusChange


class AssessmentKind(models.TextChoices):
    NEEDS = "needs", "Needs assessment"
    CARER = "carer", "Carer's assessment"


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Waiting for a manager to sign off"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Judgement(models.TextChoices):
    AGREE = "agree", "Agree with the determination"
    ELIGIBLE = "eligible", "Eligible, by professional judgement"
    NOT_ELIGIBLE = "not_eligible", "Not eligible, by professional judgement"


@audit.sensitive
class Assessment(models.Model):
    """A CLD 'Assessment' event (started_on to completed_on): a long- or short-term needs assessment, or a
    carer's assessment linked to the adult cared for. Work in progress is saved section by section."""

    # db_index=False: the (person, started_on) index below answers lookups by person
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="assessments", db_index=False
    )
    kind = models.CharField(max_length=10, choices=AssessmentKind.choices, default=AssessmentKind.NEEDS)
    request = models.ForeignKey(
        "frontdoor.SupportRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    cared_for = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="carer_assessments"
    )
    assessment_type = models.CharField("CLD assessment type", max_length=60, default="Long term assessment")
    method = models.CharField(max_length=60, blank=True)
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS
    )
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Condition 1 (adult: impairment or illness; carer: needs arise from providing necessary care)
    condition_met = models.BooleanField(null=True)
    condition_description = models.TextField(blank=True)
    # Carers only: health deteriorating or at risk
    carer_health_at_risk = models.BooleanField(null=True)
    # Condition 3: significant impact on wellbeing
    wellbeing_impact = models.BooleanField(null=True)
    wellbeing_description = models.TextField(blank=True)
    what_matters = models.TextField(blank=True)
    strengths = models.TextField(blank=True, help_text="Strengths and what the person already has")
    existing_support = models.TextField(blank=True, help_text="Support from family, friends and community")
    # Decision
    computed_eligible = models.BooleanField(null=True)
    computed_reasons = models.JSONField(default=list, blank=True)
    judgement = models.CharField(max_length=20, choices=Judgement.choices, blank=True)
    judgement_reason = models.TextField(blank=True)
    eligible = models.BooleanField(null=True)
    outcome = models.CharField("CLD event outcome", max_length=120, blank=True)
    sections_done = models.JSONField(default=list, blank=True)
    # "Save and come back later": what was typed into a section that is not finished, keyed by section.
    section_drafts = models.JSONField(default=dict, blank=True)
    # Information and advice given, and where signposted (decides the NFA outcome when not eligible).
    information_given = models.TextField(blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        indexes = [
            models.Index(fields=["status", "assessor"], name="assessment_work"),
            models.Index(fields=["person", "started_on"], name="assessment_person"),
        ]


@audit.sensitive
class OutcomeAssessment(models.Model):
    """For one Care Act outcome: can the person achieve it, and if not, which of the limbs applies."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="outcomes")
    code = models.CharField(max_length=30)
    can_achieve = models.BooleanField()
    limbs = models.JSONField(default=list, blank=True, help_text="Any of a, b, c, d (carers: a, b, c)")
    notes = models.TextField(blank=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="outcome_once_per_assessment")
        ]


class AssessmentStatusChange(StatusChange):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="status_changes")
