"""Care and support plans with personal budgets, and reviews with their schedule."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openasc.core import audit
from openasc.core.sensitive import SensitiveManager
from openasc.core.workflow import StatusChange


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Waiting for sign-off"
    AGREED = "agreed", "Agreed"
    SUPERSEDED = "superseded", "Replaced by a later version"


class MeetBy(models.TextChoices):
    SERVICE = "service", "A commissioned or paid-for service"
    COMMUNITY = "community", "Community resources"
    FAMILY_AND_FRIENDS = "family", "Family and friends"
    TECHNOLOGY = "technology", "Technology and equipment"
    SELF = "self", "The person themselves"


# Formal support is paid for (a commissioned service or a direct payment); the rest is informal or universal.
FORMAL_SUPPORT = frozenset({MeetBy.SERVICE})
# Support that stops if one person cannot give it: a plan that relies on it needs a contingency plan.
FRAGILE_SUPPORT = frozenset({MeetBy.FAMILY_AND_FRIENDS})


class ResourceAllocationBand(models.Model):
    """A row of the council's resource allocation table: assessed need points to an indicative weekly budget."""

    setting = models.CharField(
        max_length=40, default="community", help_text="community, residential or nursing"
    )
    min_points = models.PositiveIntegerField()
    max_points = models.PositiveIntegerField()
    weekly_pence = models.PositiveIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["setting", "min_points"]


@audit.sensitive
class Plan(models.Model):
    """A care and support plan (one version). A new version supersedes the last; nothing is overwritten."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="plans")
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    version = models.PositiveIntegerField(default=1)
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    goals = models.TextField(help_text="The person's goals, in their own words")
    contingency = models.TextField(
        blank=True,
        help_text="What happens if the usual support cannot be given (a carer is ill, a visit is missed) and whom "
        "to call",
    )
    indicative_weekly_pence = models.PositiveIntegerField(null=True, blank=True)
    agreed_weekly_pence = models.PositiveIntegerField(null=True, blank=True)
    delivery_mechanism = models.CharField("CLD delivery mechanism", max_length=60, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "version"], name="plan_version_unique")]


@audit.sensitive
class PlanNeed(models.Model):
    """How one eligible need (a Care Act outcome from the assessment) will be met."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="needs")
    outcome_code = models.CharField(max_length=30)
    meet_by = models.CharField(max_length=20, choices=MeetBy.choices)
    description = models.TextField()  # what will be done
    who = models.CharField(max_length=200, blank=True)  # who does it: "Bluebell Home Care", "Daughter Susan"
    when = models.CharField(max_length=200, blank=True)  # when: "Every morning, 7.30 to 8.15"
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)


class PlanStatusChange(StatusChange):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="status_changes")


class ReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class WhatFollowed(models.TextChoices):
    NO_CHANGE = "no_change", "No change"
    INCREASE = "increase", "Support increased"
    DECREASE = "decrease", "Support decreased"
    RESIDENTIAL = "residential", "Move to residential care"
    NURSING = "nursing", "Move to nursing care"
    ENDED = "ended", "Services ended"


# CLD Release 2 event outcome recorded for each review sequel.
REVIEW_OUTCOME = {
    WhatFollowed.NO_CHANGE: "Continuation of support or services",
    WhatFollowed.INCREASE: "Progress to support planning or services",
    WhatFollowed.DECREASE: "Progress to support planning or services",
    WhatFollowed.RESIDENTIAL: "Progress to support planning or services",
    WhatFollowed.NURSING: "Progress to support planning or services",
    WhatFollowed.ENDED: "NFA: Support ended as planned",
}


@audit.sensitive
class Review(models.Model):
    """A CLD 'Review' event: planned (scheduled automatically) or unplanned, and what followed."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="reviews")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews")
    due_on = models.DateField()
    reason = models.CharField("CLD review reason", max_length=120, default="Planned")
    method = models.CharField(max_length=60, blank=True)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    outcomes_achieved = models.CharField(max_length=60, blank=True)
    what_followed = models.CharField(max_length=20, choices=WhatFollowed.choices, blank=True)
    outcome = models.CharField("CLD event outcome", max_length=120, blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.SCHEDULED)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        indexes = [models.Index(fields=["status", "due_on"], name="review_due")]


class ReviewStatusChange(StatusChange):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="status_changes")
