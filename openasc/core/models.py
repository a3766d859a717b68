"""Core data: staff and teams, the audit trail, care relationships and access, reference codes."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from openasc.core.sensitive import SensitiveManager


class WriteOnce(models.Model):
    """A row written once and kept as it is: saving it again or deleting it is refused, with the subclass's words
    (status rows, case-note versions and addenda, stored documents)."""

    changed_message = "This row is written once and never changed."
    deleted_message = "This row is written once and never deleted."

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(self.changed_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(self.deleted_message)


class Role(models.TextChoices):
    FRONT_DOOR = "front_door", "Front door officer"
    SOCIAL_WORKER = "social_worker", "Social worker"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    TEAM_MANAGER = "team_manager", "Team manager"
    BROKER = "broker", "Broker"
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    PERFORMANCE_ANALYST = "performance_analyst", "Performance analyst"
    NHS_PARTNER = "nhs_partner", "NHS partner"
    INFORMATION_GOVERNANCE = "information_governance", "Information governance officer"
    ADMINISTRATOR = "administrator", "Administrator"
    SYSTEM = "system", "System account"


class Team(models.Model):
    """A team of staff; allocation to a team gives its members a care relationship."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=40, unique=True)
    organisation = models.CharField(
        max_length=120, blank=True, help_text="For partner teams, e.g. an NHS trust"
    )
    is_nhs_partner = models.BooleanField(default=False)
    # A closed team is no longer offered for allocation; it stays for the history that names it (staff.services).
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff, a partner, or a system account using the API."""

    role = models.CharField(max_length=40, choices=Role.choices, default=Role.SOCIAL_WORKER)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    failed_sign_ins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Set when an administrator gives a temporary password: every page asks for a new one until it is set.
    must_change_password = models.BooleanField(default=False)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for a system account; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    VIEW = "view", "View"
    SEARCH = "search", "Search"
    EXPORT = "export", "Export"
    MERGE = "merge", "Merge"
    BREAK_GLASS_START = "break_glass_start", "Break-glass access started"
    BREAK_GLASS_END = "break_glass_end", "Break-glass access ended"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    ACCESS_REFUSED = "access_refused", "Access refused"
    DISCLOSE = "disclose", "Shown in a search result or warning"


class AuditEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Every bulk insert of audit events is chained (ids and hashes assigned under the chain's lock)."""
        from django.db import transaction

        from openasc.core import audit

        objs = list(objs)
        if not objs:
            return objs
        with transaction.atomic(using=self.db):
            audit.chain(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


AuditEventManager = models.Manager.from_queryset(AuditEventQuerySet)


class AuditEvent(models.Model):
    """One append-only row per action on personal data. Never updated or deleted."""

    occurred_at = models.DateTimeField(db_index=True)
    # db_index=False: the (actor, occurred_at) index below answers lookups by actor
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    on_behalf_of = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    # The person whose record this touches; a plain id so that the trail outlives merges.
    person_id = models.BigIntegerField(null=True, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    basis = models.CharField(max_length=64, blank=True, help_text="On what basis access was allowed")
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The hash chain (ADR 0008): row_hash is SHA-256 over this row's fields and prev_hash, the row_hash of the row
    # before it in id order. Written by audit.chain(); `openasc audit verify` walks it.
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    row_hash = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEventManager()

    class Meta:
        indexes = [
            models.Index(fields=["person_id", "occurred_at"], name="audit_person_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit events are append-only and cannot be changed.")
        if self.pk is None:
            from django.db import transaction

            from openasc.core import audit

            with transaction.atomic(using=kwargs.get("using")):
                audit.chain([self], using=kwargs.get("using"))
                kwargs["force_insert"] = True
                super().save(*args, **kwargs)
            return
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only and cannot be deleted.")


class RelationshipKind(models.TextChoices):
    ALLOCATED_WORKER = "allocated_worker", "Allocated worker"
    ALLOCATED_TEAM = "allocated_team", "Allocated team"
    SAFEGUARDING_ENQUIRY = "safeguarding_enquiry", "Open safeguarding enquiry"
    NHS_SHARING = "nhs_sharing", "NHS partner with a recorded sharing basis"
    GRANT = "grant", "Time-limited grant"


class CareRelationship(models.Model):
    """A working relationship between staff (a user or a team) and a person: the basis for access."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="care_relationships")
    kind = models.CharField(max_length=32, choices=RelationshipKind.choices)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="care_relationships"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="care_relationships"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    basis = models.CharField(
        max_length=200, blank=True, help_text="For NHS sharing or grants: the recorded basis"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="care_relationship_user_xor_team",
            )
        ]
        indexes = [
            # The access rules ask "does this user (or one of these teams) have a relationship with this person
            # that is active now?" for every search candidate: with the dates in the index that is answered
            # from the index alone (an index-only scan on PostgreSQL, a covering index on SQLite).
            models.Index(
                fields=["user", "person", "starts_at", "ends_at"], name="carerel_user_person_active"
            ),
            models.Index(
                fields=["team", "person", "starts_at", "ends_at"], name="carerel_team_person_active"
            ),
            # "Does this person have a named worker now?" (the waiting lists ask it of every person waiting).
            models.Index(
                fields=["person", "starts_at", "ends_at"],
                condition=models.Q(kind="allocated_worker"),
                name="carerel_worker_person",
            ),
        ]


class Restriction(models.Model):
    """A restricted record (e.g. a member of staff who is also a client): team access does not apply."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="restriction")
    reason = models.TextField()
    # Roles that keep access despite the restriction, stored as "|role|role|" so that it can be
    # filtered with a plain LIKE on every database.
    allowed_roles = models.CharField(max_length=400, blank=True, default="")
    allowed_users = models.ManyToManyField(User, blank=True, related_name="+")
    review_on = models.DateField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    @property
    def allowed_role_list(self) -> list[str]:
        return [r for r in self.allowed_roles.split("|") if r]

    @staticmethod
    def encode_roles(roles: list[str]) -> str:
        return "|" + "|".join(sorted(set(roles))) + "|" if roles else ""


class BreakGlassReason(models.TextChoices):
    URGENT_SAFEGUARDING = "urgent_safeguarding", "Urgent safeguarding"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours duty"
    LEGAL_REQUIREMENT = "legal_requirement", "Legal requirement"
    CONSENT_GIVEN = "consent_given", "The person has given consent"
    OTHER = "other", "Other"


class BreakGlassReview(models.TextChoices):
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Not appropriate: referred to information governance"


class BreakGlassAccess(models.Model):
    """Emergency access to a record without a relationship: time-limited, then reviewed by a manager."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_accesses")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="break_glass_accesses")
    reason_code = models.CharField(max_length=32, choices=BreakGlassReason.choices)
    reason_text = models.TextField(blank=True)
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    was_restricted = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=20, choices=BreakGlassReview.choices, blank=True)
    review_note = models.TextField(blank=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        indexes = [models.Index(fields=["user", "person", "expires_at"], name="breakglass_active")]


class ReferenceCode(models.Model):
    """A value of a national or local defined list (CLD Release 2 and others), loaded from versioned files."""

    list_name = models.CharField(max_length=64)
    value = models.CharField(max_length=200)
    release = models.CharField(max_length=16, help_text="e.g. R2, R1, local")
    order = models.PositiveIntegerField(default=0)
    source = models.TextField(blank=True)
    note = models.TextField(blank=True)
    is_confirmed = models.BooleanField(
        default=True, help_text="False where the national list is not published"
    )
    version = models.CharField(max_length=32)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["list_name", "order"]
        constraints = [
            models.UniqueConstraint(fields=["list_name", "release", "value"], name="reference_code_unique"),
        ]

    def __str__(self) -> str:
        return self.value


class FormDraft(models.Model):
    """What a worker has typed into a form and not yet submitted, so a timeout loses nothing."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "path"], name="form_draft_unique")]


def new_request_id() -> str:
    return uuid.uuid4().hex


class SignInAttempt(models.Model):
    """One failed sign-in, kept to throttle a client and lock an account (ADR 0006), then pruned.

    The username is stored only as a keyed hash: a failed attempt may have a password typed into the username
    box, and an unknown username has no user to point at. The client is the address the request came from."""

    client_key = models.CharField(max_length=64)
    username_key = models.CharField(max_length=64)
    attempted_at = models.DateTimeField(db_index=True)
    # True once the account then signed in from the same client: it no longer counts towards that lockout
    # (it still counts towards the client's throttle, so signing in to a known account does not reset it).
    cleared = models.BooleanField(default=False)
    throttled = models.BooleanField(default=False, help_text="Refused without checking the password")

    class Meta:
        indexes = [
            models.Index(fields=["client_key", "attempted_at"], name="signin_client_time"),
            models.Index(fields=["username_key", "attempted_at"], name="signin_username_time"),
        ]
