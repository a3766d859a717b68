"""Who may see whose record: the legitimate-relationship rules, in one place.

A person's record is visible to a user only through a working relationship (allocated worker,
allocated team, open safeguarding enquiry, NHS partner with a recorded sharing basis, time-limited
grant), a role whose job is to see everyone (the front door), or break-glass. A restricted record
ignores team and role-wide access except for the roles and users named on the restriction.

`people_visible_to` (a queryset filter) and `explain` (one person, with the reason) implement the same
rules; the permission-matrix tests check that they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from openasc.core import audit
from openasc.core.errors import AccessDenied
from openasc.core.models import (
    AuditAction,
    BreakGlassAccess,
    CareRelationship,
    RelationshipKind,
    Restriction,
    Role,
    User,
)


class Capability:
    SEARCH_ALL = "search_all"  # search results include everyone (identity only), each search logged
    VIEW_ALL = "view_all"  # open anyone's record without a relationship, each view logged
    CREATE_PERSON = "create_person"
    EDIT_PERSON = "edit_person"
    MERGE = "merge"
    BREAK_GLASS = "break_glass"
    REVIEW_BREAK_GLASS = "review_break_glass"
    VIEW_ACCESS_LOG = "view_access_log"  # "who has looked at this record"
    ALLOCATE = "allocate"
    USE_API = "use_api"
    # The care journey (each app checks these rather than keeping its own list of roles)
    TRIAGE = "triage"  # decide what happens to a request for support
    BE_ALLOCATED = "be_allocated"  # can be a person's named worker
    ASSESS = "assess"  # carry out Care Act needs and carers' assessments
    SIGN_OFF = "sign_off"  # sign off another worker's assessment or plan, where the council requires it
    PLAN = "plan"  # write care and support plans, arrange and complete reviews
    ARRANGE_SERVICES = "arrange_services"  # start, re-cost and end services
    IMPORT_CLD = "import_cld"  # load a council's Client Level Data files (changes many records at once)
    SET_POPULATION = "set_population"  # the ONS population figures behind ASCOF 2B and 2C
    SEE_RETURNS = "see_returns"  # the statutory returns and the people behind each figure (each view audited)
    # NHS numbers in the people behind a returns figure: held by the roles in OPENASC_RETURNS_NHS_NUMBER_ROLES (none
    # by default; returns are built from LA person ids), see returns_show_nhs_numbers
    SEE_NHS_NUMBERS_IN_RETURNS = "see_nhs_numbers_in_returns"
    MANAGE_STAFF = "manage_staff"  # staff accounts, teams, system accounts and API tokens (openasc.staff)
    # Case notes (openasc.casenotes): write a note, or an addendum to one, on a record the user may open. Everyone
    # whose work with a person is recorded as contact with them; not the NHS partner (health staff record in their
    # own clinical system and read ours through a sharing basis), nor analysts, IG or administrators (no casework).
    WRITE_NOTES = "write_notes"
    # The council's letter templates (openasc.documents): reference data that every letter is written from, so changed
    # only by the administrators who keep the council's configuration. Writing a letter or filing an attachment on a
    # record is WRITE_NOTES (correspondence is contact with the person, ADR 0013).
    EDIT_LETTER_TEMPLATES = "edit_letter_templates"
    # Safeguarding adults (openasc.safeguarding, docs/safeguarding.md). Anyone who works with adults raises a concern
    # (NHS partners included); the safeguarding adults manager (a lead or a team manager) decides on it and oversees
    # the enquiries; an enquiry officer is a practitioner or a manager; the details of safeguarding records on a
    # record someone may open are shown role-wide only to leads and managers, otherwise through the enquiry's own
    # relationships (the hub team, the officer) or to whoever raised the concern.
    RAISE_CONCERN = "raise_concern"
    DECIDE_SAFEGUARDING = "decide_safeguarding"
    LEAD_ENQUIRY = "lead_enquiry"
    SEE_SAFEGUARDING = "see_safeguarding"
    SEE_SAC = "see_sac"  # the Safeguarding Adults Collection and the people behind each figure (audited)
    MANAGE_SAFEGUARDING_REFERENCE = "manage_safeguarding_reference"  # local sources of risk, SARs
    # Money (openasc.finance and openasc.payments, docs/finance.md). The finance officer keeps the budgets, the
    # council's cost centres and care categories, enters and approves providers' invoices, runs payments and applies
    # rate uplifts; a team manager sees and forecasts the budgets their teams hold (SEE_BUDGETS: only those, unless
    # SEE_ALL_BUDGETS); the spend report is for finance and performance. Each figure opens the services behind it,
    # and the people it names are audited against each person (money and the minimum identity, never case notes).
    SEE_BUDGETS = "see_budgets"
    SEE_ALL_BUDGETS = "see_all_budgets"
    SET_BUDGETS = "set_budgets"
    SEE_SPEND = "see_spend"
    ENTER_INVOICES = "enter_invoices"
    APPROVE_INVOICES = "approve_invoices"
    RUN_PAYMENTS = "run_payments"
    APPLY_UPLIFTS = "apply_uplifts"


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.FRONT_DOOR: frozenset(
        {
            Capability.SEARCH_ALL,
            Capability.VIEW_ALL,
            Capability.CREATE_PERSON,
            Capability.EDIT_PERSON,
            Capability.MERGE,
            Capability.BREAK_GLASS,
            Capability.TRIAGE,
            Capability.BE_ALLOCATED,
            Capability.WRITE_NOTES,
            Capability.RAISE_CONCERN,
        }
    ),
    Role.SOCIAL_WORKER: frozenset(
        {
            Capability.CREATE_PERSON,
            Capability.EDIT_PERSON,
            Capability.BREAK_GLASS,
            Capability.TRIAGE,
            Capability.BE_ALLOCATED,
            Capability.ASSESS,
            Capability.PLAN,
            Capability.ARRANGE_SERVICES,
            Capability.WRITE_NOTES,
            Capability.RAISE_CONCERN,
            Capability.LEAD_ENQUIRY,
        }
    ),
    Role.OCCUPATIONAL_THERAPIST: frozenset(
        {
            Capability.CREATE_PERSON,
            Capability.EDIT_PERSON,
            Capability.BREAK_GLASS,
            Capability.BE_ALLOCATED,
            Capability.ASSESS,
            Capability.PLAN,
            Capability.ARRANGE_SERVICES,
            Capability.WRITE_NOTES,
            Capability.RAISE_CONCERN,
        }
    ),
    Role.TEAM_MANAGER: frozenset(
        {
            Capability.SEARCH_ALL,
            Capability.CREATE_PERSON,
            Capability.EDIT_PERSON,
            Capability.MERGE,
            Capability.BREAK_GLASS,
            Capability.REVIEW_BREAK_GLASS,
            Capability.VIEW_ACCESS_LOG,
            Capability.ALLOCATE,
            Capability.TRIAGE,
            Capability.BE_ALLOCATED,
            Capability.ASSESS,
            Capability.SIGN_OFF,
            Capability.PLAN,
            Capability.ARRANGE_SERVICES,
            Capability.SEE_RETURNS,
            Capability.WRITE_NOTES,
            Capability.RAISE_CONCERN,
            Capability.DECIDE_SAFEGUARDING,
            Capability.LEAD_ENQUIRY,
            Capability.SEE_SAFEGUARDING,
            Capability.SEE_SAC,
            Capability.SEE_BUDGETS,
        }
    ),
    Role.BROKER: frozenset(
        {
            Capability.BREAK_GLASS,
            Capability.ARRANGE_SERVICES,
            Capability.WRITE_NOTES,
            Capability.RAISE_CONCERN,
        }
    ),
    Role.FINANCE_OFFICER: frozenset(
        {
            Capability.EDIT_PERSON,
            Capability.BREAK_GLASS,
            Capability.WRITE_NOTES,
            Capability.RAISE_CONCERN,
            Capability.SEE_BUDGETS,
            Capability.SEE_ALL_BUDGETS,
            Capability.SET_BUDGETS,
            Capability.SEE_SPEND,
            Capability.ENTER_INVOICES,
            Capability.APPROVE_INVOICES,
            Capability.RUN_PAYMENTS,
            Capability.APPLY_UPLIFTS,
        }
    ),
    Role.SAFEGUARDING_LEAD: frozenset(
        {
            Capability.SEARCH_ALL,
            Capability.CREATE_PERSON,
            Capability.EDIT_PERSON,
            Capability.BREAK_GLASS,
            Capability.ALLOCATE,
            Capability.TRIAGE,
            Capability.BE_ALLOCATED,
            Capability.ASSESS,
            Capability.WRITE_NOTES,
            Capability.RAISE_CONCERN,
            Capability.DECIDE_SAFEGUARDING,
            Capability.LEAD_ENQUIRY,
            Capability.SEE_SAFEGUARDING,
            Capability.SEE_SAC,
            Capability.MANAGE_SAFEGUARDING_REFERENCE,
        }
    ),
    Role.PERFORMANCE_ANALYST: frozenset(
        {
            Capability.IMPORT_CLD,
            Capability.SET_POPULATION,
            Capability.SEE_RETURNS,
            Capability.SEE_SAC,
            Capability.SEE_SPEND,
        }
    ),
    Role.NHS_PARTNER: frozenset({Capability.BREAK_GLASS, Capability.RAISE_CONCERN}),
    Role.INFORMATION_GOVERNANCE: frozenset(
        {
            Capability.SEARCH_ALL,
            Capability.REVIEW_BREAK_GLASS,
            Capability.VIEW_ACCESS_LOG,
            Capability.SEE_RETURNS,
            Capability.SEE_SAC,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Capability.IMPORT_CLD,
            Capability.SET_POPULATION,
            Capability.MANAGE_STAFF,
            Capability.EDIT_LETTER_TEMPLATES,
            Capability.MANAGE_SAFEGUARDING_REFERENCE,
        }
    ),
    Role.SYSTEM: frozenset(
        {
            Capability.SEARCH_ALL,
            Capability.VIEW_ALL,
            Capability.CREATE_PERSON,
            Capability.EDIT_PERSON,
            Capability.USE_API,
            Capability.ASSESS,
            Capability.PLAN,
            Capability.ARRANGE_SERVICES,
            Capability.WRITE_NOTES,
            Capability.RAISE_CONCERN,
            Capability.RUN_PAYMENTS,  # the council's scheduled payment run (`openasc payments run`), invoices approved by people
        }
    ),
}

# Relationships held by one named user survive a restriction; team-wide ones do not.
INDIVIDUAL_KINDS = (
    RelationshipKind.ALLOCATED_WORKER,
    RelationshipKind.SAFEGUARDING_ENQUIRY,
    RelationshipKind.GRANT,
    RelationshipKind.NHS_SHARING,
)


def has(user: User, capability: str) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and capability in ROLE_CAPABILITIES.get(user.role, frozenset())
    )


def roles_with(capability: str) -> frozenset[str]:
    """The roles that hold a capability (for choosing people, e.g. who can be allocated)."""
    return frozenset(role for role, held in ROLE_CAPABILITIES.items() if capability in held)


@dataclass(frozen=True)
class Access:
    allowed: bool
    basis: str  # recorded on every audit event: how access was allowed
    explanation: str  # shown to the user when not allowed
    restricted: bool = False
    break_glass_possible: bool = False


def active_at(now) -> Q:
    """A relationship in force at `now`: started, and not ended (the one definition every list uses)."""
    return Q(starts_at__lte=now) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def _active(qs: QuerySet, now) -> QuerySet:
    return qs.filter(active_at(now))


def _team_ids(user: User) -> list[int]:
    cached = getattr(user, "_openasc_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("id", flat=True))
        user._openasc_team_ids = cached
    return cached


def people_visible_to(user: User, queryset: QuerySet) -> QuerySet:
    """Filter a Person queryset to the records `user` may open right now."""
    condition = may_open(user, "pk")
    return queryset.none() if condition is None else queryset.filter(condition)


def may_open(user: User, person: str) -> Q | None:
    """The condition that `user` may open, right now, the record of the person whose id is in field `person` of the
    rows filtered ("pk" on people, "person_id" on anything about a person); None when they may open none.

    On a table that refers to people it is asked of that table's own column, so the database does not look each
    person up first (at 6,000 waiting requests, that look-up took a quarter of the waiting list's query)."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    now = timezone.now()
    ref = OuterRef(person)
    rels = _active(CareRelationship.objects.filter(person=ref), now)
    individual = Exists(rels.filter(user=user))
    team = Exists(rels.filter(team_id__in=_team_ids(user)))
    glass = Exists(
        BreakGlassAccess.objects.filter(person=ref, user=user, expires_at__gt=now, ended_at__isnull=True)
    )
    restriction = Restriction.objects.filter(person=ref, lifted_at__isnull=True)
    restricted = Exists(restriction)
    excepted = Exists(restriction.filter(Q(allowed_users=user) | Q(allowed_roles__contains=f"|{user.role}|")))
    wide = Q(**{f"{person}__isnull": False}) if has(user, Capability.VIEW_ALL) else team
    return individual | glass | (wide & (~restricted | excepted))


def explain(user: User, person) -> Access:
    """Whether `user` may open `person`'s record now, on what basis, and if not, why not."""
    if not (user and user.is_authenticated and user.is_active):
        return Access(False, "", "You need to sign in.")
    now = timezone.now()
    rels = list(
        _active(CareRelationship.objects.filter(person=person), now)
        .filter(Q(user=user) | Q(team_id__in=_team_ids(user)))
        .select_related("team")
    )
    for rel in rels:
        if rel.user_id == user.pk:
            return Access(True, rel.get_kind_display(), "")
    glass = BreakGlassAccess.objects.filter(
        person=person, user=user, expires_at__gt=now, ended_at__isnull=True
    ).first()
    if glass:
        return Access(True, "Break-glass", "", restricted=glass.was_restricted)
    restriction = Restriction.objects.filter(person=person, lifted_at__isnull=True).first()
    excepted = restriction is not None and (
        user.role in restriction.allowed_role_list or restriction.allowed_users.filter(pk=user.pk).exists()
    )
    can_glass = has(user, Capability.BREAK_GLASS)
    if restriction is not None and not excepted:
        return Access(
            False,
            "",
            "This is a restricted record. Only named staff can open it.",
            restricted=True,
            break_glass_possible=can_glass,
        )
    for rel in rels:
        return Access(True, f"Team: {rel.team.name}"[:64], "", restricted=restriction is not None)
    if has(user, Capability.VIEW_ALL):
        return Access(True, f"Role: {user.get_role_display()}"[:64], "", restricted=restriction is not None)
    return Access(
        False,
        "",
        "You do not have a working relationship with this person: they are not "
        "allocated to you or your team, and no access has been granted to you.",
        break_glass_possible=can_glass,
    )


# --- Opening a record: the one place that decides, audits (refusals included) and hands out the record ------------

_SEAL = object()


@dataclass(frozen=True)
class OpenedRecord:
    """A person's record opened by one user for one purpose, after the decision was made and audited.

    Only `open_record` makes one (the seal), so a selector or service handed an OpenedRecord knows the access
    rules were applied and the view written to the audit trail; the basis it records comes from here, never from
    the caller."""

    person: Any
    user: User
    decision: Access
    purpose: str
    _seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self._seal is not _SEAL:
            raise TypeError("An opened record is made only by openasc.core.access.open_record")

    @property
    def basis(self) -> str:
        return self.decision.basis

    @property
    def person_id(self) -> int:
        return self.person.pk


def _audit_refusal(user: User, person_id: int | None, purpose: str, decision: Access, obj=None) -> None:
    """A refused attempt leaves a trace against the person it was about (anonymous attempts cannot be audited)."""
    if not (user and user.is_authenticated and user.is_active and user.pk):
        return
    audit.record(
        actor=user,
        action=AuditAction.ACCESS_REFUSED,
        obj=obj,
        person_id=person_id,
        details={
            "purpose": purpose,
            "restricted": decision.restricted,
            "break_glass_possible": decision.break_glass_possible,
        },
    )


def refuse(user: User, *, person_id: int | None, purpose: str, explanation: str, obj=None) -> AccessDenied:
    """Audit a refusal decided elsewhere (a role that cannot do something to this person) and return the error."""
    decision = Access(False, "", explanation)
    _audit_refusal(user, person_id, purpose, decision, obj)
    return AccessDenied(decision)


def check(user: User, person, purpose: str) -> Access:
    """Decide without writing a view (the record was opened already on this page); a refusal is audited."""
    decision = explain(user, person)
    if not decision.allowed:
        _audit_refusal(user, person.pk, purpose, decision)
        raise AccessDenied(decision)
    return decision


def open_record(user: User, person, purpose: str, *, obj=None, details: dict | None = None) -> OpenedRecord:
    """Open `person`'s record (or `obj`, something in it) for `user`: decide, audit the view or the refusal.

    Raises AccessDenied after auditing the refusal. The view event carries the basis and the purpose, so the access
    log says how and why the record was opened."""
    decision = explain(user, person)
    if not decision.allowed:
        _audit_refusal(user, person.pk, purpose, decision, obj)
        raise AccessDenied(decision)
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        obj=obj if obj is not None else person,
        person_id=person.pk,
        basis=decision.basis,
        details={"purpose": purpose, **(details or {})},
    )
    return OpenedRecord(person=person, user=user, decision=decision, purpose=purpose, _seal=_SEAL)


def disclose(user: User, people, *, purpose: str, details: dict | None = None) -> int:
    """Audit that each of `people` was shown to `user` (in search results, a duplicate warning, a list)."""
    people = list(people)
    if not people:
        return 0
    return audit.record_many(
        actor=user, action=AuditAction.DISCLOSE, objs=people, details={"purpose": purpose, **(details or {})}
    )


def disclosure_events(user: User, people, *, purpose: str, details: dict | None = None) -> list:
    """The events `disclose` writes, unsaved, for `audit.write` with the event that showed them."""
    return [
        audit.event(
            actor=user, action=AuditAction.DISCLOSE, obj=p, details={"purpose": purpose, **(details or {})}
        )
        for p in people
    ]


def returns_show_nhs_numbers(user: User) -> bool:
    """Whether the people behind a returns figure (pages, downloads) show `user` their NHS numbers: only for the roles
    a council names in OPENASC_RETURNS_NHS_NUMBER_ROLES (Capability.SEE_NHS_NUMBERS_IN_RETURNS; none by default)."""
    from django.conf import settings

    roles = {
        r.strip() for r in str(getattr(settings, "OPENASC_RETURNS_NHS_NUMBER_ROLES", "") or "").split(",")
    }
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and has(user, Capability.SEE_RETURNS)
        and user.role in roles - {""}
    )
