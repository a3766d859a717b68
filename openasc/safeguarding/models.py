"""Safeguarding adults: concerns and the decision on them, section 42 and other enquiries with their strategy
discussions, allegations, protection plans and conclusions (Making Safeguarding Personal), large-scale enquiries and
Safeguarding Adults Reviews. The Safeguarding Adults Collection is counted from these rows (sac.py).

The adult at risk is `person`. A person alleged to cause harm who has a record of their own is held only as
`Allegation.source_person`, which nothing on that person's record reads (docs/safeguarding.md, "Who sees what")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from openasc.core import audit
from openasc.core.sensitive import SensitiveManager
from openasc.core.workflow import StatusChange
from openasc.safeguarding.codes import (
    Agency,
    Autism,
    ConcernDecision,
    Consent,
    EnquiryKind,
    HarmPersonKnown,
    LackedCapacity,
    LocationOfRisk,
    MeetingKind,
    MspAchieved,
    MspAsked,
    NoEnquiryOutcome,
    ReferrerKind,
    RiskAssessmentOutcome,
    RiskOutcome,
    SarOutcome,
    SharingBasis,
    SourceOfRisk,
    TypeOfRisk,
)


class ConcernStatus(models.TextChoices):
    AWAITING_DECISION = "awaiting_decision", "Waiting for a decision"
    ENQUIRY = "enquiry", "Enquiry started"
    NO_ENQUIRY = "no_enquiry", "No enquiry"
    CANCELLED = "cancelled", "Recorded in error"


class EnquiryStatus(models.TextChoices):
    PLANNING = "planning", "Planning: strategy and allocation"
    IN_PROGRESS = "in_progress", "Enquiry in progress"
    CONCLUDED = "concluded", "Concluded"
    CLOSED = "closed", "Closed"


OPEN_ENQUIRY = (EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS, EnquiryStatus.CONCLUDED)


@audit.sensitive
class Concern(models.Model):
    """A safeguarding concern about an adult: reported to, or identified by, the council (SAC SG1: counted in the
    year it was received)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="safeguarding_concerns", db_index=False
    )
    received_on = models.DateField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    referrer_kind = models.CharField(max_length=20, choices=ReferrerKind.choices)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True)
    what_happened = models.TextField("what was seen or reported")
    adult_views = models.TextField("the adult's views and wishes", blank=True)
    consent = models.CharField(max_length=20, choices=Consent.choices)
    consent_override_reason = models.TextField(blank=True)
    immediate_actions = models.TextField("immediate safety actions", blank=True)
    harm_person_known = models.CharField(
        "whether the person causing harm is known", max_length=10, choices=HarmPersonKnown.choices
    )
    request = models.ForeignKey(
        "frontdoor.SupportRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+")
    # The safeguarding team's relationship with the adult while the concern (and any enquiry) is open
    team_relationship = models.ForeignKey(
        "core.CareRelationship", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.AWAITING_DECISION
    )
    # The decision: the three s.42(1) criteria one by one
    care_and_support_needs = models.BooleanField(null=True)
    abuse_or_neglect = models.BooleanField("experiencing or at risk of abuse or neglect", null=True)
    unable_to_protect = models.BooleanField("unable to protect themselves because of those needs", null=True)
    decision = models.CharField(max_length=10, choices=ConcernDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    no_enquiry_outcome = models.CharField(max_length=30, choices=NoEnquiryOutcome.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        indexes = [
            models.Index(fields=["status", "decision_due_on"], name="sg_concern_queue"),
            models.Index(fields=["received_on"], name="sg_concern_received"),
            models.Index(fields=["person", "received_on"], name="sg_concern_person"),
        ]

    def __str__(self) -> str:
        return f"Safeguarding concern {self.pk}"

    @property
    def criteria_met(self) -> bool:
        """Care Act s.42(1): all three criteria."""
        return bool(self.care_and_support_needs and self.abuse_or_neglect and self.unable_to_protect)


class ConcernStatusChange(StatusChange):
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="status_changes")


@audit.sensitive
class AgencyInformation(models.Model):
    """What another agency shared about the concern (as in a MASH), and on what basis."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="agency_information")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    agency = models.CharField(max_length=20, choices=Agency.choices)
    agency_name = models.CharField(max_length=200, blank=True)
    information = models.TextField()
    sharing_basis = models.CharField(max_length=20, choices=SharingBasis.choices)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    objects = SensitiveManager()


class LargeScaleEnquiry(models.Model):
    """An enquiry into a provider or a setting that involves many adults: each adult at risk has their own enquiry
    (and is counted in the SAC), linked here."""

    title = models.CharField(max_length=200)
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField()
    concluded_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.title


@audit.sensitive
class Enquiry(models.Model):
    """A section 42 enquiry, or another safeguarding enquiry, about one adult at risk (SG1: counted in the year it
    started; SG2 to SG4: in the year it concluded)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="safeguarding_enquiries", db_index=False
    )
    concern = models.OneToOneField(Concern, on_delete=models.PROTECT, related_name="enquiry")
    kind = models.CharField(max_length=10, choices=EnquiryKind.choices)
    other_reason = models.TextField("why an other enquiry is necessary and proportionate", blank=True)
    started_on = models.DateField()
    status = models.CharField(max_length=20, choices=EnquiryStatus.choices, default=EnquiryStatus.PLANNING)
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    officer_relationship = models.ForeignKey(
        "core.CareRelationship", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    large_scale = models.ForeignKey(
        LargeScaleEnquiry, on_delete=models.PROTECT, null=True, blank=True, related_name="enquiries"
    )
    # SG1e: a health condition of the adult recorded for the enquiry
    autism = models.CharField(max_length=140, choices=Autism.choices, blank=True, default="")
    # The conclusion
    concluded_on = models.DateField(null=True, blank=True)
    risk_assessment_outcome = models.CharField(
        max_length=80, choices=RiskAssessmentOutcome.choices, blank=True
    )
    risk_outcome = models.CharField(max_length=20, choices=RiskOutcome.choices, blank=True)
    lacked_capacity = models.CharField(max_length=40, choices=LackedCapacity.choices, blank=True)
    capacity_assessment = models.ForeignKey(
        "capacity.CapacityAssessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    supported_by_advocate = models.BooleanField(
        "supported by an advocate, family member or friend", null=True
    )
    msp_asked = models.CharField(max_length=60, choices=MspAsked.choices, blank=True)
    msp_desired_outcomes = models.TextField(blank=True)
    msp_achieved = models.CharField(max_length=30, choices=MspAchieved.choices, blank=True)
    conclusion = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closure_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    objects = SensitiveManager()

    class Meta:
        indexes = [
            models.Index(fields=["started_on"], name="sg_enquiry_started"),
            models.Index(fields=["concluded_on"], name="sg_enquiry_concluded"),
            models.Index(fields=["status", "officer"], name="sg_enquiry_stage"),
            models.Index(fields=["person", "started_on"], name="sg_enquiry_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(concluded_on__gte=models.F("started_on")),
                name="sg_enquiry_concluded_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Safeguarding enquiry {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ENQUIRY


class EnquiryStatusChange(StatusChange):
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="status_changes")


class LocalSourceType(models.Model):
    """A council's finer source of risk (a relative, a private-sector provider...), mapped to the national source
    of risk it is counted as: reference data an administrator or safeguarding lead sets."""

    name = models.CharField(max_length=120, unique=True)
    national = models.CharField(max_length=40, choices=SourceOfRisk.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["national", "name"]

    def __str__(self) -> str:
        return self.name


@audit.sensitive
class Allegation(models.Model):
    """One line of what is alleged: the type, the location and the source of risk (national lists)."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="allegations")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    type_of_risk = models.CharField(max_length=40, choices=TypeOfRisk.choices)
    location_of_risk = models.CharField(max_length=40, choices=LocationOfRisk.choices)
    source_of_risk = models.CharField(max_length=40, choices=SourceOfRisk.choices)
    local_source = models.ForeignKey(LocalSourceType, on_delete=models.PROTECT, null=True, blank=True)
    source_description = models.CharField("who or what is the source of risk", max_length=200, blank=True)
    # The person alleged to cause harm, where they have a record. Never read from their side (docs/safeguarding.md).
    source_person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    details = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    objects = SensitiveManager()

    class Meta:
        indexes = [models.Index(fields=["source_person"], name="sg_allegation_source")]


@audit.sensitive
class StrategyMeeting(models.Model):
    """A strategy discussion or meeting, or a case conference: who took part, what was decided."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="meetings")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField()
    attendees = models.TextField()
    agencies = models.CharField(max_length=200, blank=True, help_text="Agency values, separated by |")
    decisions = models.TextField()
    actions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    objects = SensitiveManager()

    @property
    def agency_list(self) -> list[str]:
        return [a for a in self.agencies.split("|") if a]


@audit.sensitive
class ProtectionPlan(models.Model):
    """The adult's safeguarding (protection) plan: what will keep them safe, who does what, and when it is
    reviewed."""

    enquiry = models.OneToOneField(Enquiry, on_delete=models.CASCADE, related_name="protection_plan")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    agreed_on = models.DateField()
    summary = models.TextField()
    review_due_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    objects = SensitiveManager()

    class Meta:
        indexes = [
            models.Index(
                fields=["review_due_on"], condition=Q(ended_on__isnull=True), name="sg_plan_review_due"
            )
        ]


@audit.sensitive
class ProtectionAction(models.Model):
    plan = models.ForeignKey(ProtectionPlan, on_delete=models.CASCADE, related_name="actions")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    action = models.TextField()
    owner = models.CharField("who will do it", max_length=200)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    objects = SensitiveManager()


@audit.sensitive
class ProtectionPlanReview(models.Model):
    plan = models.ForeignKey(ProtectionPlan, on_delete=models.CASCADE, related_name="reviews")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    reviewed_on = models.DateField()
    summary = models.TextField()
    next_review_on = models.DateField(null=True, blank=True, help_text="Empty when the plan ends")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    objects = SensitiveManager()


class SafeguardingAdultsReview(models.Model):
    """A Safeguarding Adults Review (Care Act s.44), which the Safeguarding Adults Board commissions; recorded here
    where the council keeps them, for SAC SG5 (counted in the year the review was completed: the national period
    rule is NOT FOUND, docs/safeguarding.md)."""

    reference = models.CharField(max_length=40, unique=True)
    referred_on = models.DateField()
    mandatory = models.BooleanField(help_text="s.44(1)-(3); otherwise discretionary, s.44(4)")
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.reference


@audit.sensitive
class SarIndividual(models.Model):
    review = models.ForeignKey(SafeguardingAdultsReview, on_delete=models.CASCADE, related_name="individuals")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    outcome = models.CharField(max_length=10, choices=SarOutcome.choices)
    objects = SensitiveManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "person"], name="sar_person_once")]
