"""The person: identity, demographics, contacts, carer links, alerts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from openasc.core import audit
from openasc.core.nhs_number import display as nhs_display
from openasc.core.sensitive import SensitiveManager


@audit.sensitive
class Person(models.Model):
    """One record per person (service user or unpaid carer), as the CLD and the case record see them."""

    la_person_id = models.CharField("LA person unique identifier", max_length=20, unique=True)
    nhs_number = models.CharField(max_length=10, blank=True, default="")
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    # CLD Release 2 coded values, stored as the exact strings of the defined lists.
    gender = models.CharField(max_length=60, blank=True)
    ethnicity = models.CharField(max_length=120, blank=True)
    primary_support_reason = models.CharField(max_length=120, blank=True)
    accommodation_status = models.CharField(max_length=120, blank=True)
    employment_status = models.CharField(max_length=120, blank=True)
    client_type = models.CharField(max_length=60, blank=True)
    funding_status = models.CharField(max_length=60, blank=True)
    # Contact details.
    address_line_1 = models.CharField(max_length=120, blank=True)
    address_line_2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    gp_practice_code = models.CharField(max_length=10, blank=True)
    gp_practice_name = models.CharField(max_length=120, blank=True)
    communication_needs = models.TextField(blank=True)
    # Search keys, kept in step by the services (never by save()).
    first_key = models.CharField(max_length=100, blank=True, db_index=True)
    last_key = models.CharField(max_length=100, blank=True, db_index=True)
    first_sound = models.CharField(max_length=4, blank=True)
    last_sound = models.CharField(max_length=4, blank=True)
    postcode_key = models.CharField(max_length=8, blank=True, db_index=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~Q(nhs_number="") & Q(merged_into__isnull=True),
                name="person_nhs_number_unique_live",
            ),
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_birth__isnull=True)
                | Q(date_of_death__gte=models.F("date_of_birth")),
                name="person_death_after_birth",
            ),
        ]
        indexes = [
            models.Index(fields=["nhs_number"], name="person_nhs"),
            models.Index(fields=["date_of_birth"], name="person_dob"),
            models.Index(fields=["last_sound", "first_sound"], name="person_sound"),
            models.Index(fields=["first_sound", "last_sound"], name="person_sound_swapped"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_names, self.last_name) if p)

    @property
    def nhs_number_display(self) -> str:
        return nhs_display(self.nhs_number)

    @property
    def is_carer(self) -> bool:
        return self.client_type.lower().startswith("unpaid carer")


class ContactKind(models.TextChoices):
    NEXT_OF_KIN = "next_of_kin", "Next of kin"
    FAMILY = "family", "Family member"
    FRIEND = "friend", "Friend or neighbour"
    ADVOCATE = "advocate", "Advocate"
    LASTING_POWER_OF_ATTORNEY = "lpa", "Lasting power of attorney"
    PROFESSIONAL = "professional", "Professional"
    OTHER = "other", "Other"


@audit.sensitive
class Contact(models.Model):
    """Someone to contact about the person who is not themselves a record here."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, blank=True, help_text="e.g. daughter, neighbour")
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)


@audit.sensitive
class CarerLink(models.Model):
    """An unpaid carer and the adult they care for, both people with records."""

    carer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="caring_for")
    cared_for = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cared_for_by")
    relationship = models.CharField(max_length=100, blank=True, help_text="e.g. wife, son, friend")
    lives_with = models.BooleanField(default=False)
    hours_caring_per_week = models.CharField(max_length=40, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(carer=models.F("cared_for")), name="carer_not_self"),
        ]


class AlertKind(models.TextChoices):
    RISK_TO_STAFF = "risk_to_staff", "Risk to staff"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    COMMUNICATION = "communication", "Communication need"
    ACCESS = "access", "Access to the home (key safe, entry)"
    HEALTH = "health", "Health (allergy, medication)"
    OTHER = "other", "Other"


@audit.sensitive
class Alert(models.Model):
    """Something every worker must know before contacting or visiting the person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    description = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)
