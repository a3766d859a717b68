"""Build a synthetic council: teams, staff (one demo account per role), people, carers, allocations.

Deterministic for a seed. People look like an English county's adult social care population: about
three in ten of working age, the rest older and mostly in their eighties; more women than men; a
county's ethnicity mix; primary support reasons weighted as councils report them; one in six people
an unpaid carer linked to the person they care for. Bulk inserts keep 200,000 people to minutes.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from openasc.core import audit
from openasc.core.models import (
    AuditAction,
    AuditEvent,
    BreakGlassAccess,
    BreakGlassReason,
    CareRelationship,
    FormDraft,
    RelationshipKind,
    Restriction,
    Role,
    Team,
    User,
)
from openasc.core.nhs_number import check_digit
from openasc.core.validation import postcode_key
from openasc.demo import names
from openasc.people.models import Alert, AlertKind, CarerLink, Contact, ContactKind, Person
from openasc.people.names import fold, sound_key

BATCH = 5000
TODAY = dt.date(2026, 11, 23)

TEAMS = (
    ("front-door", "Adult social care front door", False),
    ("locality-north", "Locality team north", False),
    ("locality-south", "Locality team south", False),
    ("locality-east", "Locality team east", False),
    ("hospital-discharge", "Hospital discharge team", False),
    ("learning-disability", "Learning disability team", False),
    ("mental-health", "Mental health social work team", False),
    ("reablement", "Reablement service", False),
    ("occupational-therapy", "Occupational therapy team", False),
    ("safeguarding", "Safeguarding adults hub", False),
    ("brokerage", "Brokerage and commissioning", False),
    ("finance", "Social care finance", False),
    ("performance", "Performance and intelligence", False),
    ("information-governance", "Information governance", False),
    ("nhs-icb", "NHS Northshire integrated care team", True),
)
LOCALITY_TEAMS = ("locality-north", "locality-south", "locality-east")

# One demo account per role: username, role, team codes, first and last name.
DEMO_STAFF = (
    ("frontdoor", Role.FRONT_DOOR, ("front-door",), "Farah", "Doorley"),
    ("socialworker", Role.SOCIAL_WORKER, ("locality-north",), "Sam", "Worthing"),
    ("ot", Role.OCCUPATIONAL_THERAPIST, ("occupational-therapy", "locality-north"), "Olu", "Thomas"),
    ("manager", Role.TEAM_MANAGER, ("locality-north",), "Mina", "Ager"),
    ("broker", Role.BROKER, ("brokerage",), "Bola", "Kerr"),
    ("finance", Role.FINANCE_OFFICER, ("finance",), "Fin", "Ancell"),
    ("safeguarding", Role.SAFEGUARDING_LEAD, ("safeguarding",), "Sade", "Guardia"),
    ("analyst", Role.PERFORMANCE_ANALYST, ("performance",), "Ana", "Lister"),
    ("nhspartner", Role.NHS_PARTNER, ("nhs-icb",), "Nia", "Hughes"),
    ("ig", Role.INFORMATION_GOVERNANCE, ("information-governance",), "Ivan", "Govan"),
    ("admin", Role.ADMINISTRATOR, (), "Ada", "Minter"),
)

ETHNICITY = (
    ("White: English, Welsh, Scottish, Northern Irish or British", 840),
    ("White: Irish", 8),
    ("White: Gypsy or Irish Traveller", 2),
    ("White: Roma", 1),
    ("White: Any other White background", 30),
    ("Mixed or multiple ethnic groups: White and Black Caribbean", 5),
    ("Mixed or multiple ethnic groups: White and Black African", 2),
    ("Mixed or multiple ethnic groups: White and Asian", 4),
    ("Mixed or multiple ethnic groups: Any other Mixed or multiple ethnic background", 3),
    ("Asian or Asian British: Indian", 18),
    ("Asian or Asian British: Pakistani", 12),
    ("Asian or Asian British: Bangladeshi", 4),
    ("Asian or Asian British: Chinese", 3),
    ("Asian or Asian British: Any other Asian background", 5),
    ("Black, Black British, Caribbean or African: African", 8),
    ("Black, Black British, Caribbean or African: Caribbean", 6),
    ("Black, Black British, Caribbean or African: Any other Black, Black British or Caribbean background", 2),
    ("Other ethnic group: Arab", 1),
    ("Other ethnic group: Any other ethnic group", 3),
    ("No data: Undeclared or not known", 30),
    ("No data: Refused", 3),
)
PSR_OLDER = (
    ("Physical support: Personal care support", 560),
    ("Physical support: Access and mobility only", 80),
    ("Support with memory and cognition", 200),
    ("Mental health support", 50),
    ("Sensory support: Support for visual impairment", 25),
    ("Sensory support: Support for hearing impairment", 10),
    ("Sensory support: Support for dual impairment", 5),
    ("Social support: Support for social isolation or other reason", 40),
    ("Learning disability support", 20),
    ("Unknown", 10),
)
PSR_WORKING_AGE = (
    ("Learning disability support", 380),
    ("Mental health support", 220),
    ("Physical support: Personal care support", 220),
    ("Physical support: Access and mobility only", 50),
    ("Support with memory and cognition", 20),
    ("Social support: Substance misuse support", 30),
    ("Social support: Support for social isolation or other reason", 40),
    ("Social support: Asylum seeker support", 5),
    ("Sensory support: Support for visual impairment", 15),
    ("Sensory support: Support for hearing impairment", 10),
    ("Unknown", 10),
)
ACCOMMODATION_OLDER = (
    ("Owner occupier or shared ownership scheme", 420),
    ("Tenant: Local authority or other social housing provider", 180),
    ("Tenant: Private landlord", 40),
    ("Settled mainstream housing with family or friends", 60),
    ("Sheltered housing, extra care housing or other sheltered housing", 70),
    ("Registered care home", 120),
    ("Registered nursing home", 60),
    ("Acute hospital or long term healthcare residential facility", 10),
    ("Unknown", 40),
)
ACCOMMODATION_WORKING_AGE = (
    ("Settled mainstream housing with family or friends", 300),
    ("Owner occupier or shared ownership scheme", 120),
    ("Tenant: Local authority or other social housing provider", 200),
    ("Tenant: Private landlord", 80),
    ("Supported accommodation, supported lodgings or supported group home", 160),
    ("Shared Lives scheme", 25),
    ("Registered care home", 50),
    ("Rough sleeper or squatting", 5),
    ("Placed in temporary accommodation by the council (inc. homelessness resettlement)", 10),
    ("Unknown", 45),
)
EMPLOYMENT_WORKING_AGE = (
    ("Not in paid employment: Not actively seeking work or retired", 600),
    ("Not in paid employment: Seeking work", 80),
    ("Not in paid employment: Voluntary work only", 60),
    ("Paid: Less than 16 hours a week", 60),
    ("Paid: 16 or more hours a week", 40),
    ("Paid: Hours per week unknown", 10),
    ("Unknown", 150),
)
FUNDING = (
    ("Fully social care funded", 550),
    ("Joint client and social care funded", 300),
    ("Fully client funded", 80),
    ("Unknown", 70),
)


def _weighted(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    cum = []
    total = 0
    for w in weights:
        total += w
        cum.append(total)
    return values, cum


@dataclass
class BuildReport:
    people: int = 0
    carers: int = 0
    staff: list[tuple[str, str, str]] = field(default_factory=list)  # username, role label, password
    seconds: float = 0.0


def demo_password(username: str, seed: int) -> str:
    """Demo-only passwords, printed by `make demo`; long enough for the password rules."""
    return f"{username}-demo-{seed}"


def database_has_people() -> bool:
    """Whether the configured database already holds people: the demo refuses to build over a real record."""
    return Person.objects.exists()


def reset_database() -> None:
    """Remove everything the demo build makes (used with --reset on a demo database only)."""
    # (no audit event: the audit trail is wiped with everything else)
    from openasc.safeguarding import models as sg

    with transaction.atomic(), audit.exempt_from_safety_net():
        # safeguarding first: its records protect the people, and the relationships, they are about
        for model in (
            sg.SarIndividual,
            sg.SafeguardingAdultsReview,
            sg.ProtectionPlan,
            sg.Allegation,
            sg.StrategyMeeting,
            sg.Enquiry,
            sg.AgencyInformation,
            sg.Concern,
            sg.LargeScaleEnquiry,
        ):
            model.objects.all().delete()
        for model in (BreakGlassAccess, Restriction, CareRelationship, Alert, Contact, CarerLink, FormDraft):
            model.objects.all().delete()
        Person.objects.update(merged_into=None)
        Person.objects.all().delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("TRUNCATE core_auditevent")
        else:
            AuditEvent.objects.all().delete()
        User.objects.all().delete()
        Team.objects.all().delete()


class Builder:
    def __init__(self, *, seed: int, people: int, progress: Callable[[str], None] | None = None):
        self.rng = random.Random(seed)
        self.seed = seed
        self.target = people
        self.progress = progress or (lambda msg: None)
        self.nhs_seen: set[str] = set()
        self.report = BuildReport()

    def run(self) -> BuildReport:
        started = time.perf_counter()
        with audit.exempt_from_safety_net():
            teams, system = self.build_staff()
            self.build_people(teams, system)
            from openasc.demo.notes import build_notes  # case notes on the people the council works with now

            build_notes(seed=self.seed, system=system, today=TODAY)
            from openasc.demo.documents import build_documents  # letters and a few attachments

            build_documents(seed=self.seed, system=system, today=TODAY)
            from openasc.demo.capacity import build_capacity  # mental capacity, advocacy and consent

            build_capacity(seed=self.seed, system=system, today=TODAY)
            from openasc.demo.safeguarding import build_safeguarding  # concerns, enquiries, their outcomes

            build_safeguarding(seed=self.seed, system=system, today=TODAY)
        AuditEvent.objects.create(
            occurred_at=timezone.now(),
            actor=system,
            action=AuditAction.CREATE,
            object_type="demo.build",
            details={"seed": self.seed, "people": self.report.people, "carers": self.report.carers},
            reason="Synthetic council built for demonstration",
        )
        self._analyze()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _analyze(self) -> None:
        """Refresh the query planner's statistics after the bulk load, as a DBA would after any big import.

        Without them PostgreSQL guesses (autovacuum may be off, and is always some time behind a bulk load)
        and picks slow plans for person search; SQLite has none until ANALYZE runs. On PostgreSQL, VACUUM
        also sets the visibility map, without which the access checks' index-only scans still read the table
        (VACUUM cannot run inside a transaction, e.g. under a test; ANALYZE alone then).
        """
        statement = "ANALYZE"
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            statement = "VACUUM ANALYZE"
        with connection.cursor() as cur:
            cur.execute(statement)

    # --- staff and teams
    def _administrator(self, staff) -> User:
        """Who creates the demo's accounts (through the staff services, audited): its "admin" account, made the
        first administrator on an empty database; otherwise an active administrator already there."""
        if not User.objects.exists():
            first, last = next((f, la) for u, _, _, f, la in DEMO_STAFF if u == "admin")
            return staff.first_administrator_create(
                username="admin",
                first_name=first,
                last_name=last,
                how="first administrator created by the demo build",
            )
        admin = (
            User.objects.filter(username="admin", role=Role.ADMINISTRATOR, is_active=True).first()
            or User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
        )
        if admin is None:
            raise RuntimeError(
                "The database has accounts but no active administrator to create the demo's: "
                "use openasc demo --reset, or make one with openasc users"
            )
        return admin

    def build_staff(self):
        from openasc.staff import services as staff

        admin = self._administrator(staff)
        existing = {t.code: t for t in Team.objects.all()}
        teams = {
            code: existing.get(code)
            or staff.team_create(
                actor=admin,
                name=name,
                code=code,
                is_nhs_partner=nhs,
                organisation="NHS Northshire" if nhs else settings.COUNCIL_NAME,
            )
            for code, name, nhs in TEAMS
        }
        system = User.objects.filter(username="system").first() or staff.system_account_create(
            actor=admin, username="system", description="The demo's history and imports"
        )
        staff.user_change(actor=admin, user=system, first_name="OpenASC", last_name="system")
        for username, role, team_codes, first, last in DEMO_STAFF:
            password = demo_password(username, self.seed)
            fields = {"first_name": first, "last_name": last, "job_title": Role(role).label}
            user = User.objects.filter(username=username).first()
            if user is None:
                user = staff.user_create(
                    actor=admin, username=username, role=role, teams=[teams[c] for c in team_codes], **fields
                )
            else:
                staff.user_change(
                    actor=admin, user=user, role=role, teams=[teams[c] for c in team_codes], **fields
                )
            # Demo passwords are printed for anyone to use, and are like the usernames, so the rules are not checked
            staff.user_password_set(actor=admin, user=user, password=password, check_password_rules=False)
            self.report.staff.append((username, Role(role).label, password))
        # A realistic workforce behind the demo accounts, to allocate people to (no passwords: they never sign in).
        team_cycle = (
            "locality-north",
            "locality-south",
            "locality-east",
            "hospital-discharge",
            "learning-disability",
            "mental-health",
            "reablement",
        )
        for i in range(1, 61):
            username = f"worker{i:02d}"
            team = teams[team_cycle[(i - 1) % len(team_cycle)]]
            worker = User.objects.filter(username=username).first()
            if worker is not None:
                staff.user_change(actor=admin, user=worker, teams=[team])
                continue
            female = self.rng.random() < 0.75
            first = self.rng.choice(names.FEMALE_YOUNGER if female else names.MALE_YOUNGER)
            role = Role.OCCUPATIONAL_THERAPIST if i % 6 == 0 else Role.SOCIAL_WORKER
            staff.user_create(
                actor=admin,
                username=username,
                role=role,
                teams=[team],
                first_name=first,
                last_name=self.rng.choice(names.SURNAMES),
                job_title=Role(role).label,
            )
        self.workers_by_team = {}
        for user in User.objects.filter(username__startswith="worker").prefetch_related("teams"):
            for t in user.teams.all():
                self.workers_by_team.setdefault(t.code, []).append(user)
        self.workers_by_team.setdefault("locality-north", []).append(
            User.objects.get(username="socialworker")
        )
        return teams, system

    # --- people
    def _nhs_number(self) -> str:
        while True:
            first_nine = f"{self.rng.randint(400_000_000, 799_999_999)}"
            check = check_digit(first_nine)
            if check is None:
                continue
            number = first_nine + str(check)
            if number not in self.nhs_seen:
                self.nhs_seen.add(number)
                return number

    def _pick(self, table):
        values, cum = table
        return self.rng.choices(values, cum_weights=cum)[0]

    def _person(self, pk: int, *, carer: bool = False, near: Person | None = None) -> Person:
        rng = self.rng
        if carer:
            age = int(min(92, max(19, rng.gauss(62, 13))))
        elif rng.random() < 0.3:
            age = rng.randint(18, 64)
        else:
            age = int(min(104, max(65, rng.gauss(83, 7))))
        female = rng.random() < (0.62 if age >= 65 else 0.5)
        born = TODAY.year - age
        older = born < 1965
        first_pool = (
            (names.FEMALE_OLDER if older else names.FEMALE_YOUNGER)
            if female
            else (names.MALE_OLDER if older else names.MALE_YOUNGER)
        )
        first = rng.choice(first_pool)
        middle = rng.choice(first_pool) if rng.random() < 0.45 else ""
        last = near.last_name if near is not None and rng.random() < 0.7 else rng.choice(names.SURNAMES)
        dob = dt.date(born, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        if dob > TODAY:
            dob = TODAY - dt.timedelta(days=365 * age)
        if near is not None:
            town, postcode = near.town, near.postcode
            line1 = near.address_line_1
        else:
            town, outward = rng.choice(names.TOWNS)
            postcode = f"{outward} {rng.randint(1, 9)}{rng.choice(names.POSTCODE_LETTERS)}{rng.choice(names.POSTCODE_LETTERS)}"
            line1 = f"{rng.randint(1, 160)} {rng.choice(names.STREETS)}"
        working_age = age < 65
        died = None
        if not carer and age >= 65 and rng.random() < 0.07:
            died = TODAY - dt.timedelta(days=rng.randint(1, 700))
        p = Person(
            id=pk,
            la_person_id=f"P{pk:07d}",
            nhs_number=self._nhs_number() if rng.random() < 0.96 else "",
            first_name=first,
            middle_names=middle,
            last_name=last,
            date_of_birth=dob,
            date_of_death=died,
            gender="Female" if female else "Male",
            ethnicity=self._pick(self.ethnicity),
            primary_support_reason="Social support: Support to unpaid carer"
            if carer
            else self._pick(self.psr_working if working_age else self.psr_older),
            accommodation_status=self._pick(self.acc_working if working_age else self.acc_older)
            if not carer
            else "Owner occupier or shared ownership scheme",
            employment_status=self._pick(self.employment)
            if working_age
            else "Not in paid employment: Not actively seeking work or retired",
            client_type="Unpaid carer" if carer else "Service user",
            funding_status="" if carer else self._pick(self.funding),
            address_line_1=line1,
            town=town,
            postcode=postcode,
            phone=f"01632 {rng.randint(100000, 999999)}" if rng.random() < 0.8 else "",
        )
        p.first_key, p.last_key = fold(first), fold(last)
        p.first_sound, p.last_sound = sound_key(first), sound_key(last)
        p.postcode_key = postcode_key(postcode)
        return p

    def build_people(self, teams, system) -> None:
        rng = self.rng
        self.ethnicity = _weighted(rng, ETHNICITY)
        self.psr_older = _weighted(rng, PSR_OLDER)
        self.psr_working = _weighted(rng, PSR_WORKING_AGE)
        self.acc_older = _weighted(rng, ACCOMMODATION_OLDER)
        self.acc_working = _weighted(rng, ACCOMMODATION_WORKING_AGE)
        self.employment = _weighted(rng, EMPLOYMENT_WORKING_AGE)
        self.funding = _weighted(rng, FUNDING)
        self.nhs_seen.update(Person.objects.exclude(nhs_number="").values_list("nhs_number", flat=True))
        next_pk = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        now = timezone.now()
        made = 0
        nhs_team = teams["nhs-icb"]
        while made < self.target:
            size = min(BATCH, self.target - made)
            people, links, contacts, alerts, rels = [], [], [], [], []
            while len(people) < size:
                user = self._person(next_pk)
                people.append(user)
                next_pk += 1
                if rng.random() < 0.16 and len(people) < size and user.date_of_death is None:
                    carer = self._person(next_pk, carer=True, near=user)
                    people.append(carer)
                    next_pk += 1
                    links.append(
                        CarerLink(
                            carer_id=carer.pk,
                            cared_for_id=user.pk,
                            lives_with=rng.random() < 0.6,
                            relationship=rng.choice(
                                (
                                    "wife",
                                    "husband",
                                    "daughter",
                                    "son",
                                    "partner",
                                    "friend",
                                    "mother",
                                    "father",
                                )
                            ),
                            started_on=TODAY - dt.timedelta(days=rng.randint(30, 3000)),
                        )
                    )
            for p in people:
                if rng.random() < 0.5:
                    contacts.append(
                        Contact(
                            person_id=p.pk,
                            kind=ContactKind.NEXT_OF_KIN,
                            name=f"{rng.choice(names.FEMALE_YOUNGER + names.MALE_YOUNGER)} {p.last_name}",
                            relationship=rng.choice(("daughter", "son", "niece", "nephew", "sister")),
                            phone=f"07700 {rng.randint(900000, 900999)}",
                        )
                    )
                if rng.random() < 0.03:
                    alerts.append(
                        Alert(
                            person_id=p.pk,
                            kind=rng.choice(AlertKind.values),
                            starts_on=TODAY - dt.timedelta(days=rng.randint(1, 900)),
                            description=rng.choice(
                                (
                                    "Dog at the property: ask for it to be shut away before visiting.",
                                    "Key safe at the front door: code held by the duty team.",
                                    "Uses British Sign Language: book an interpreter for visits.",
                                    "Two workers must visit together.",
                                    "Severe nut allergy.",
                                )
                            ),
                        )
                    )
                if p.date_of_death is None and rng.random() < 0.6:
                    team_code = self._team_for(p)
                    started = now - dt.timedelta(days=rng.randint(1, 1500))
                    rels.append(
                        CareRelationship(
                            person_id=p.pk,
                            kind=RelationshipKind.ALLOCATED_TEAM,
                            team=teams[team_code],
                            starts_at=started,
                            created_by=system,
                        )
                    )
                    pool = self.workers_by_team.get(team_code)
                    if pool and rng.random() < 0.45:
                        rels.append(
                            CareRelationship(
                                person_id=p.pk,
                                kind=RelationshipKind.ALLOCATED_WORKER,
                                user=rng.choice(pool),
                                starts_at=started,
                                created_by=system,
                            )
                        )
                    if rng.random() < 0.06:
                        rels.append(
                            CareRelationship(
                                person_id=p.pk,
                                kind=RelationshipKind.NHS_SHARING,
                                team=nhs_team,
                                starts_at=started,
                                created_by=system,
                                basis="Direct care: shared care record agreement",
                            )
                        )
            with transaction.atomic():
                Person.objects.bulk_create(people, batch_size=1000)
                CarerLink.objects.bulk_create(links, batch_size=1000)
                Contact.objects.bulk_create(contacts, batch_size=1000)
                Alert.objects.bulk_create(alerts, batch_size=1000)
                CareRelationship.objects.bulk_create(rels, batch_size=1000)
            made += len(people)
            self.report.people += len(people)
            self.report.carers += len(links)
            self.progress(f"{made:,} of {self.target:,} people")
        self._reset_sequences()
        self._restricted_and_break_glass(teams, system)

    def _team_for(self, p: Person) -> str:
        if p.primary_support_reason == "Learning disability support":
            return "learning-disability"
        if p.primary_support_reason == "Mental health support":
            return "mental-health"
        return LOCALITY_TEAMS[sum(map(ord, p.town)) % 3] if self.rng.random() < 0.85 else "hospital-discharge"

    def _restricted_and_break_glass(self, teams, system) -> None:
        """A few restricted records (staff who are clients) and break-glass accesses waiting for review."""
        rng = self.rng
        ids = list(
            Person.objects.filter(client_type="Service user", date_of_death__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:2000]
        )
        if not ids:
            return
        for pk in rng.sample(ids, min(3, len(ids))):
            Restriction.objects.update_or_create(
                person_id=pk,
                defaults={
                    "reason": "Member of council staff receiving care and support",
                    "review_on": TODAY + dt.timedelta(days=180),
                    "created_by": system,
                    "allowed_roles": Restriction.encode_roles([Role.SAFEGUARDING_LEAD]),
                },
            )
        worker = User.objects.get(username="socialworker")
        now = timezone.now()
        for pk in rng.sample(ids, min(2, len(ids))):
            BreakGlassAccess.objects.create(
                user=worker,
                person_id=pk,
                reason_code=BreakGlassReason.OUT_OF_HOURS,
                reason_text="Emergency duty call from the police about a welfare concern",
                started_at=now - dt.timedelta(days=1),
                expires_at=now - dt.timedelta(days=1) + dt.timedelta(hours=1),
            )

    def _reset_sequences(self) -> None:
        sql = connection.ops.sequence_reset_sql(no_style(), [Person])
        if sql:
            with connection.cursor() as cur:
                for statement in sql:
                    cur.execute(statement)
