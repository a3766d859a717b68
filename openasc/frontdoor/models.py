"""Contacts and requests for support, their triage, and the information and advice given."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openasc.core import audit
from openasc.core.sensitive import SensitiveManager
from openasc.core.workflow import StatusChange


class ContactBy(models.TextChoices):
    SELF = "self", "The person themselves"
    FAMILY = "family", "Family member, friend or neighbour"
    UNPAID_CARER = "carer", "Their unpaid carer"
    GP = "gp", "GP or primary care"
    HOSPITAL = "hospital", "Hospital"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    PROVIDER = "provider", "Care provider"
    OTHER_PROFESSIONAL = "professional", "Other professional"
    ANONYMOUS = "anonymous", "Anonymous"


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent: act today"
    SOON = "soon", "Soon: within 3 working days"
    ROUTINE = "routine", "Routine"


class TriageDecision(models.TextChoices):
    """What the front door decided, each mapped to a CLD Release 2 event outcome (see TRIAGE_OUTCOME)."""

    INFORMATION_AND_ADVICE = "information_and_advice", "Information and advice"
    SIGNPOSTING = "signposting", "Signposting to a community service"
    SHORT_TERM_SUPPORT = "short_term_support", "Short-term support to maximise independence (reablement)"
    ASSESSMENT = "assessment", "Assessment of needs"
    SUPPORT_PLANNING = "support_planning", "Support planning or services"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


# CLD Release 2 Event Outcome recorded for each triage decision (specs/national-data.md 1.3).
TRIAGE_OUTCOME = {
    TriageDecision.INFORMATION_AND_ADVICE: "NFA: Information and advice or signposting",
    TriageDecision.SIGNPOSTING: "NFA: Information and advice or signposting",
    TriageDecision.SHORT_TERM_SUPPORT: "Progress to reablement/ST-Max",
    TriageDecision.ASSESSMENT: "Progress to assessment, review or reassessment",
    TriageDecision.SUPPORT_PLANNING: "Progress to support planning or services",
    TriageDecision.SAFEGUARDING: "NFA: Referral to other service within the local authority",
}
# For no further action, the worker picks the CLD reason itself.
NFA_OUTCOMES = (
    "NFA: Support declined",
    "NFA: Self-funded client or under 12wk disregard",
    "NFA: Referral to NHS services or NHS funded social care",
    "NFA: Responsibility moved to another local authority",
    "NFA: Deceased",
    "NFA: No services offered for other reason",
    "NFA: Other",
)


# Decisions that pass the request to a team: the person waits for allocation (and, for assessment, for an assessment).
ROUTED_DECISIONS = (
    TriageDecision.SHORT_TERM_SUPPORT,
    TriageDecision.ASSESSMENT,
    TriageDecision.SUPPORT_PLANNING,
)
# Decisions that need the information or advice given to be written down.
INFORMATION_DECISIONS = (TriageDecision.INFORMATION_AND_ADVICE, TriageDecision.SIGNPOSTING)


class RequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for triage"
    ROUTED = "routed", "Passed to a team"
    CONCLUDED = "concluded", "Concluded"
    CANCELLED = "cancelled", "Recorded in error"


@audit.sensitive
class SupportRequest(models.Model):
    """A contact or request for support: a CLD 'Request' event from received_on to concluded_on."""

    # db_index=False: the (person, received_on) index below answers lookups by person
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="requests", db_index=False
    )
    received_on = models.DateField()
    route_of_access = models.CharField(max_length=120, blank=True)
    contact_by = models.CharField(max_length=20, choices=ContactBy.choices)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    what_matters = models.TextField(help_text="What matters to the person, in their words")
    reason = models.TextField(blank=True, help_text="Why they contacted us")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    client_type = models.CharField(max_length=60, default="Service user")
    # Triage
    decision = models.CharField(max_length=30, choices=TriageDecision.choices, blank=True)
    outcome = models.CharField("CLD event outcome", max_length=120, blank=True)
    outcome_reason = models.TextField(blank=True)
    information_given = models.TextField(
        blank=True, help_text="Information and advice given, and where signposted"
    )
    concluded_on = models.DateField(null=True, blank=True)
    triaged_on = models.DateField(
        null=True, blank=True, help_text="Also the CLD event end date of a routed request"
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    waiting_ended_on = models.DateField(
        null=True,
        blank=True,
        help_text="When a request passed to a team stopped waiting: the person had a worker and, if it was for an "
        "assessment, one had started. Empty while it may still be waiting (the lists then check).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        indexes = [
            models.Index(fields=["status", "team"], name="request_queue"),
            models.Index(fields=["status", "waiting_ended_on"], name="request_waiting"),
            models.Index(fields=["person", "received_on"], name="request_person"),
        ]


class SupportRequestStatus(StatusChange):
    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="status_changes")
