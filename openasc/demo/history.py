"""Two years of care history for the synthetic council, written in bulk.

For each person: requests for support and their triage; short-term support to maximise independence
(reablement) and what followed; needs assessments against the ten Care Act outcomes with the eligibility
decision; care and support plans with personal budgets; long-term services with realistic costs that rise each
April; reviews (most on time, some overdue); carers' assessments and carer support; deaths ending services.
Costs follow the issue's guide: residential care around £580 a week, nursing around £670, home care £16-£20 an hour.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openasc.assessments.eligibility import ADULT_OUTCOMES, CARER_OUTCOMES
from openasc.assessments.models import Assessment, AssessmentKind, AssessmentStatus, OutcomeAssessment
from openasc.core import audit
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, Role, Team, User
from openasc.frontdoor.models import (
    ROUTED_DECISIONS,
    TRIAGE_OUTCOME,
    ContactBy,
    RequestStatus,
    SupportRequest,
    TriageDecision,
    Urgency,
)
from openasc.people.models import CarerLink, Person
from openasc.planning.models import (
    REVIEW_OUTCOME,
    Plan,
    PlanNeed,
    PlanStatus,
    Review,
    ReviewStatus,
    WhatFollowed,
)
from openasc.providers.models import Provider, ProviderLocation
from openasc.services.models import Service, ServiceCost

BATCH = 2000
YEARS = 2

ROUTES = (
    ("Community or other route", 60),
    ("Discharge from hospital", 25),
    ("Diversion from hospital services", 5),
    ("Planned entry (transition)", 4),
    ("Self-funder with depleted funds", 5),
    ("Prison", 1),
)
CONTACT_BY = (
    (ContactBy.SELF, 25),
    (ContactBy.FAMILY, 30),
    (ContactBy.HOSPITAL, 22),
    (ContactBy.GP, 10),
    (ContactBy.OTHER_PROFESSIONAL, 8),
    (ContactBy.POLICE, 2),
    (ContactBy.HOUSING, 3),
)
DECISIONS = (
    (TriageDecision.INFORMATION_AND_ADVICE, 22),
    (TriageDecision.SIGNPOSTING, 10),
    (TriageDecision.SHORT_TERM_SUPPORT, 20),
    (TriageDecision.ASSESSMENT, 35),
    (TriageDecision.SUPPORT_PLANNING, 4),
    (TriageDecision.SAFEGUARDING, 3),
    (TriageDecision.NO_FURTHER_ACTION, 6),
)
REABLEMENT_SEQUEL = (
    ("NFA: Support ended as planned", 52),
    ("Progress to support planning or services", 25),
    ("Short term support: Ongoing low level", 12),
    ("Admitted to hospital", 6),
    ("NFA: Support declined", 5),
)  # deaths come only from the date of death
DELIVERY = (("CASSR commissioned support", 62), ("Direct payment", 27), ("CASSR managed personal budget", 11))
WHAT_MATTERS = (
    "Staying in my own home with my cat.",
    "Getting back to the lunch club on Thursdays.",
    "Being able to wash and dress without my daughter having to come every morning.",
    "Feeling safe at night.",
    "Seeing my grandchildren.",
    "Going back to work part time.",
    "Not being a burden on my husband.",
    "Getting out to the shops and the library.",
)
# Who does what, when, and what happens if it cannot: chosen from a generator seeded by the plan's id, so that the
# rest of the history (and the bench built from it) is the same as before these were added.
PROVIDERS_WHO = ("the home care agency", "the reablement team", "the day centre", "the care home's staff")
WHEN = (
    "Every morning, 7.30 to 8.15",
    "Mornings and evenings, every day",
    "Weekdays at lunchtime",
    "Three times a week",
    "Every day, as needed",
)
CONTINGENCY = (
    "If a visit is missed, ring the agency's out-of-hours line; the duty team on 01632 960 000 in office hours.",
    "If the usual carer cannot come, the agency sends a replacement; the family are told by phone.",
    "If family cannot help, ring the duty team for an emergency call; the key safe code is held by the agency.",
)

GOALS = (
    "I want to stay living at home and manage my own personal care with some help in the mornings.",
    "I want to get out into the community twice a week and see my friends.",
    "I want my wife to have a proper break so that she can keep caring for me.",
    "I want to live somewhere I feel safe and have people around me.",
)


def _table(rows):
    values, weights = zip(*rows, strict=True)
    return values, weights


@dataclass
class HistoryReport:
    requests: int = 0
    assessments: int = 0
    plans: int = 0
    services: int = 0
    reviews: int = 0
    counts: dict = field(default_factory=dict)


class HistoryBuilder:
    """Adds history to people already built; deterministic for a seed."""

    def __init__(self, *, seed: int, today: dt.date, progress: Callable[[str], None] | None = None):
        self.rng = random.Random(seed * 7919 + 1)
        self.today = today
        self.start = today - dt.timedelta(days=365 * YEARS)
        self.progress = progress or (lambda msg: None)
        self.report = HistoryReport()

    def pick(self, rows):
        values, weights = _table(rows)
        return self.rng.choices(values, weights=weights)[0]

    def day_between(self, a: dt.date, b: dt.date) -> dt.date:
        if b <= a:
            return a
        return a + dt.timedelta(days=self.rng.randint(0, (b - a).days))

    def run(self) -> HistoryReport:
        self.system = User.objects.get(username="system")
        workers = list(
            User.objects.filter(
                role__in=[Role.SOCIAL_WORKER, Role.OCCUPATIONAL_THERAPIST], is_active=True
            ).order_by("pk")
        )
        self.workers = workers or [self.system]
        self.managers = list(User.objects.filter(role=Role.TEAM_MANAGER).order_by("pk")) or [self.system]
        self.teams = {t.code: t for t in Team.objects.all()}
        self.locations = self._providers()
        self.ids = {
            m: (m.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
            for m in (SupportRequest, Assessment, Plan, Service, Review)
        }
        self.team_allocations: dict[int, set[int]] = {}
        for person_id, team_id in CareRelationship.objects.filter(
            kind=RelationshipKind.ALLOCATED_TEAM, ends_at__isnull=True
        ).values_list("person_id", "team_id"):
            self.team_allocations.setdefault(person_id, set()).add(team_id)
        carers_of = {}
        for link in CarerLink.objects.order_by("pk").values("carer_id", "cared_for_id"):
            carers_of.setdefault(link["carer_id"], link["cared_for_id"])
        people = (
            Person.objects.filter(merged_into__isnull=True)
            .order_by("pk")
            .values(
                "pk",
                "date_of_birth",
                "date_of_death",
                "client_type",
                "primary_support_reason",
                "accommodation_status",
            )
        )
        batch = []
        total = people.count()
        done = 0
        for row in people.iterator(chunk_size=BATCH):
            batch.append(row)
            if len(batch) >= BATCH:
                self._write(batch, carers_of)
                done += len(batch)
                self.progress(f"history for {done:,} of {total:,} people")
                batch = []
        if batch:
            self._write(batch, carers_of)
            self.progress(f"history for {total:,} of {total:,} people")
        self._reset_sequences()
        from openasc.frontdoor.services import requests_close_waiting

        requests_close_waiting(
            on=self.today
        )  # (the history's requests that have their worker and assessment)
        return self.report

    @staticmethod
    def _reset_sequences() -> None:
        """The rows above were given their ids here; move PostgreSQL's id sequences past them, or the next record
        a worker creates would collide (SQLite takes the next id from the table itself)."""
        from django.core.management.color import no_style
        from django.db import connection

        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [SupportRequest, Assessment, Plan, Service, Review]
            ):
                cur.execute(sql)

    def _providers(self) -> dict[str, list[ProviderLocation]]:
        if not ProviderLocation.objects.exists():
            specs = [
                (
                    "Meadowbank Care Group",
                    "1-101",
                    [
                        ("Meadowbank House", "1-1010001", "Care home"),
                        ("Meadowbank Nursing Centre", "1-1010002", "Care home with nursing"),
                    ],
                ),
                (
                    "Northshire Home Care",
                    "1-102",
                    [
                        ("Northshire Home Care Kingsford", "1-1020001", "Home care agency"),
                        ("Northshire Home Care Wexley", "1-1020002", "Home care agency"),
                    ],
                ),
                (
                    "Riverside Living",
                    "1-103",
                    [
                        ("Riverside Supported Living", "1-1030001", "Supported living"),
                        ("The Willows", "1-1030002", "Care home"),
                    ],
                ),
                (
                    "Oakleaf Healthcare",
                    "1-104",
                    [("Oakleaf Court Nursing Home", "1-1040001", "Care home with nursing")],
                ),
                (
                    "Northshire County Council",
                    "",
                    [
                        ("Northshire Reablement Service", "1-1050001", "Reablement"),
                        ("Community Equipment Service", "", "Equipment"),
                        ("Brambles Day Centre", "", "Day service"),
                    ],
                ),
            ]
            for name, cqc, locs in specs:
                provider = Provider.objects.create(name=name, cqc_provider_id=cqc)
                for lname, lcqc, kind in locs:
                    ProviderLocation.objects.create(
                        provider=provider, name=lname, cqc_location_id=lcqc, kind=kind
                    )
        by_kind: dict[str, list[ProviderLocation]] = {}
        for loc in ProviderLocation.objects.order_by("pk"):
            by_kind.setdefault(loc.kind, []).append(loc)
        return by_kind

    def _next(self, model) -> int:
        value = self.ids[model]
        self.ids[model] += 1
        return value

    # ------------------------------------------------------------------ one batch of people
    def _write(self, batch, carers_of) -> None:
        self.out = {
            k: []
            for k in (
                "requests",
                "assessments",
                "outcomes",
                "plans",
                "needs",
                "services",
                "costs",
                "reviews",
                "relationships",
            )
        }
        for p in batch:
            if p["client_type"].lower().startswith("unpaid carer"):
                self._carer(p, carers_of.get(p["pk"]))
            elif self.rng.random() < 0.9:
                self._service_user(p)
        with audit.bulk(
            actor=self.system,
            action=AuditAction.CREATE,
            reason="Demo: synthetic care history",
            details={"people": len(batch)},
        ):  # one summary event a batch, with the rows written
            SupportRequest.objects.bulk_create(self.out["requests"], batch_size=1000)
            Assessment.objects.bulk_create(self.out["assessments"], batch_size=1000)
            OutcomeAssessment.objects.bulk_create(self.out["outcomes"], batch_size=2000)
            Plan.objects.bulk_create(self.out["plans"], batch_size=1000)
            PlanNeed.objects.bulk_create(self.out["needs"], batch_size=2000)
            Service.objects.bulk_create(self.out["services"], batch_size=1000)
            ServiceCost.objects.bulk_create(self.out["costs"], batch_size=2000)
            Review.objects.bulk_create(self.out["reviews"], batch_size=1000)
            CareRelationship.objects.bulk_create(self.out["relationships"], batch_size=1000)
            self._status_rows()
        r = self.report
        r.requests += len(self.out["requests"])
        r.assessments += len(self.out["assessments"])
        r.plans += len(self.out["plans"])
        r.services += len(self.out["services"])
        r.reviews += len(self.out["reviews"])

    def _at(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, self.rng.randint(0, 59))))

    def _status_rows(self) -> None:
        """The status history each record would have had if it had been worked in the product (the timeline shows
        it): requests received then triaged, assessments started then finished, plans agreed, reviews scheduled
        then held."""
        from openasc.assessments.models import AssessmentStatusChange
        from openasc.frontdoor.models import SupportRequestStatus
        from openasc.planning.models import PlanStatusChange, ReviewStatusChange

        system = self.system
        requests, assessments, plans, reviews = [], [], [], []
        for r in self.out["requests"]:
            requests.append(
                SupportRequestStatus(
                    request_id=r.id,
                    status=RequestStatus.OPEN,
                    changed_by=system,
                    changed_at=self._at(r.received_on, 9),
                    note="Request recorded",
                )
            )
            if r.status != RequestStatus.OPEN:
                label = TriageDecision(r.decision).label
                note = (
                    f"{label}: passed to {r.team.name}"
                    if r.status == RequestStatus.ROUTED
                    else f"{label}: {r.outcome}"
                )
                requests.append(
                    SupportRequestStatus(
                        request_id=r.id,
                        status=r.status,
                        changed_by=system,
                        changed_at=self._at(r.triaged_on, 15),
                        note=note,
                    )
                )
        for a in self.out["assessments"]:
            assessments.append(
                AssessmentStatusChange(
                    assessment_id=a.id,
                    status=AssessmentStatus.IN_PROGRESS,
                    changed_by=a.assessor,
                    changed_at=self._at(a.started_on),
                )
            )
            if a.completed_on:
                assessments.append(
                    AssessmentStatusChange(
                        assessment_id=a.id,
                        status=AssessmentStatus.AWAITING_SIGN_OFF,
                        changed_by=a.assessor,
                        changed_at=self._at(a.completed_on, 11),
                        note=a.outcome,
                    )
                )
            if a.status == AssessmentStatus.COMPLETED:
                assessments.append(
                    AssessmentStatusChange(
                        assessment_id=a.id,
                        status=AssessmentStatus.COMPLETED,
                        changed_by=a.signed_off_by,
                        changed_at=a.signed_off_at,
                        note="Signed off",
                    )
                )
        for plan in self.out["plans"]:
            plans.append(
                PlanStatusChange(
                    plan_id=plan.id,
                    status=PlanStatus.DRAFT,
                    changed_by=plan.created_by,
                    changed_at=self._at(plan.agreed_on, 9),
                )
            )
            plans.append(
                PlanStatusChange(
                    plan_id=plan.id,
                    status=PlanStatus.AGREED,
                    changed_by=plan.signed_off_by,
                    changed_at=self._at(plan.agreed_on, 16),
                    note="Agreed and signed off",
                )
            )
        for review in self.out["reviews"]:
            scheduled = min(review.due_on - dt.timedelta(weeks=6), self.today)
            reviews.append(
                ReviewStatusChange(
                    review_id=review.id,
                    status=ReviewStatus.SCHEDULED,
                    changed_by=system,
                    changed_at=self._at(scheduled, 8),
                )
            )
            if review.status == ReviewStatus.COMPLETED:
                reviews.append(
                    ReviewStatusChange(
                        review_id=review.id,
                        status=ReviewStatus.COMPLETED,
                        changed_by=review.reviewer,
                        changed_at=self._at(review.completed_on),
                        note=review.outcome,
                    )
                )
        SupportRequestStatus.objects.bulk_create(requests, batch_size=2000)
        AssessmentStatusChange.objects.bulk_create(assessments, batch_size=2000)
        PlanStatusChange.objects.bulk_create(plans, batch_size=2000)
        ReviewStatusChange.objects.bulk_create(reviews, batch_size=2000)

    def _worker(self):
        return self.rng.choice(self.workers)

    def _team(self, p) -> Team | None:
        code = (
            "learning-disability"
            if "earning" in p["primary_support_reason"]
            else (
                "mental-health"
                if p["primary_support_reason"] == "Mental health support"
                else self.rng.choice(
                    ("locality-north", "locality-south", "locality-east", "hospital-discharge")
                )
            )
        )
        return self.teams.get(code)

    def _request(
        self, p, received: dt.date, decision, *, client_type="Service user", open_=False
    ) -> SupportRequest:
        rng = self.rng
        outcome = TRIAGE_OUTCOME.get(decision, "")
        reason = ""
        if decision == TriageDecision.NO_FURTHER_ACTION:
            outcome = rng.choice(
                (
                    "NFA: Support declined",
                    "NFA: Self-funded client or under 12wk disregard",
                    "NFA: Referral to NHS services or NHS funded social care",
                    "NFA: Other",
                )
            )
            reason = "Recorded at triage"
        triaged = None if open_ else min(self.today, received + dt.timedelta(days=rng.randint(0, 6)))
        routed = decision in ROUTED_DECISIONS and not open_
        team = self._team(p) if routed else None
        req = SupportRequest(
            id=self._next(SupportRequest),
            person_id=p["pk"],
            received_on=received,
            route_of_access=self.pick(ROUTES),
            contact_by=self.pick(CONTACT_BY),
            what_matters=rng.choice(WHAT_MATTERS),
            reason="Needs help at home",
            client_type=client_type,
            urgency=rng.choices((Urgency.ROUTINE, Urgency.SOON, Urgency.URGENT), weights=(70, 22, 8))[0],
            decision="" if open_ else decision,
            outcome="" if open_ else outcome,
            outcome_reason=reason,
            information_given="Leaflet on local support and the community directory"
            if decision in (TriageDecision.INFORMATION_AND_ADVICE, TriageDecision.SIGNPOSTING)
            else "",
            triaged_on=triaged,
            triaged_by=self.system if triaged else None,
            concluded_on=None if routed else triaged,
            team=team,
            created_by=self.system,
            status=RequestStatus.OPEN
            if open_
            else (RequestStatus.ROUTED if routed else RequestStatus.CONCLUDED),
        )
        self.out["requests"].append(req)
        if team is not None and team.pk not in self.team_allocations.get(p["pk"], ()):
            self.team_allocations.setdefault(p["pk"], set()).add(team.pk)
            # Passing a request to a team allocates the person to it (as triage does in the product).
            self.out["relationships"].append(
                CareRelationship(
                    person_id=p["pk"],
                    kind=RelationshipKind.ALLOCATED_TEAM,
                    team=team,
                    created_by=self.system,
                    starts_at=timezone.make_aware(dt.datetime.combine(triaged, dt.time(10))),
                )
            )
        return req

    def _assessment(
        self,
        p,
        started: dt.date,
        *,
        kind=AssessmentKind.NEEDS,
        request=None,
        cared_for=None,
        eligible_rate=0.72,
        finish_by: dt.date | None = None,
    ) -> Assessment:
        rng = self.rng
        days = rng.randint(7, 56)
        finished = started + dt.timedelta(days=days)
        if finish_by is not None:
            finished = max(started, min(finished, finish_by))
        in_progress = finished > self.today
        eligible = rng.random() < eligible_rate
        outcomes = CARER_OUTCOMES if kind == AssessmentKind.CARER else ADULT_OUTCOMES
        unable_n = rng.randint(2, 6) if eligible else rng.randint(0, 1)
        unable = set(rng.sample([c for c, _ in outcomes], min(unable_n, len(outcomes))))
        limbs = ("a", "b", "c") if kind == AssessmentKind.CARER else ("a", "b", "c", "d")
        status = (
            AssessmentStatus.IN_PROGRESS
            if in_progress
            else (
                AssessmentStatus.AWAITING_SIGN_OFF
                if finished > self.today - dt.timedelta(days=10) and rng.random() < 0.5
                else AssessmentStatus.COMPLETED
            )
        )
        done = status != AssessmentStatus.IN_PROGRESS
        a = Assessment(
            id=self._next(Assessment),
            person_id=p["pk"],
            kind=kind,
            request=request,
            cared_for_id=cared_for,
            assessment_type="Long term assessment",
            method=rng.choice(("Face to face", "Face to face", "Telephone")),
            started_on=started,
            completed_on=finished if done else None,
            status=status,
            assessor=self._worker(),
            condition_met=True if done else None,
            carer_health_at_risk=(eligible if kind == AssessmentKind.CARER else None) if done else None,
            wellbeing_impact=eligible if done else None,
            what_matters=rng.choice(WHAT_MATTERS),
            strengths="Good support from neighbours; manages own medication.",
            computed_eligible=eligible if done else None,
            eligible=eligible if done else None,
            outcome=(
                "Progress to support planning or services"
                if eligible
                else "NFA: Information and advice or signposting"
            )
            if done
            else "",
            sections_done=["about", "condition", "outcomes", "wellbeing", "determination"]
            if done
            else ["about"],
            signed_off_by=rng.choice(self.managers) if status == AssessmentStatus.COMPLETED else None,
            signed_off_at=timezone.make_aware(dt.datetime.combine(finished, dt.time(15)))
            if status == AssessmentStatus.COMPLETED
            else None,
        )
        self.out["assessments"].append(a)
        if done:
            for code, _ in outcomes:
                cant = code in unable
                self.out["outcomes"].append(
                    OutcomeAssessment(
                        assessment_id=a.id,
                        code=code,
                        can_achieve=not cant,
                        limbs=sorted(rng.sample(limbs, rng.randint(1, 2))) if cant else [],
                    )
                )
        a._unable = unable
        return a

    def _plan(self, p, assessment: Assessment, agreed_on: dt.date, weekly_pence: int, mechanism: str) -> Plan:
        plan = Plan(
            id=self._next(Plan),
            person_id=p["pk"],
            assessment=assessment,
            version=1,
            status=PlanStatus.AGREED,
            goals=self.rng.choice(GOALS),
            indicative_weekly_pence=int(weekly_pence * self.rng.uniform(0.9, 1.1)),
            agreed_weekly_pence=weekly_pence,
            delivery_mechanism=mechanism,
            starts_on=agreed_on,
            agreed_on=agreed_on,
            created_by=assessment.assessor,
            signed_off_by=self.rng.choice(self.managers),
        )
        detail = random.Random(plan.id)  # its own generator: the main sequence is unchanged
        plan.contingency = detail.choice(CONTINGENCY)
        self.out["plans"].append(plan)
        for code in sorted(getattr(assessment, "_unable", ())):
            self.out["needs"].append(
                PlanNeed(
                    plan_id=plan.id,
                    outcome_code=code,
                    meet_by="service",
                    description="Support from a paid carer or service",
                    who=detail.choice(PROVIDERS_WHO).capitalize(),
                    when=detail.choice(WHEN),
                )
            )
        return plan

    def _service(
        self,
        p,
        *,
        stype,
        component,
        start,
        end=None,
        end_outcome="",
        unit_pence,
        frequency,
        units=None,
        mechanism="CASSR commissioned support",
        location_kind=None,
        plan=None,
        client_type="Service user",
        uplift=True,
    ) -> Service:
        rng = self.rng
        locs = self.locations.get(location_kind or "", [])
        s = Service(
            id=self._next(Service),
            person_id=p["pk"],
            plan=plan,
            service_type=stype,
            service_component=component,
            provider_location=rng.choice(locs) if locs else None,
            delivery_mechanism=mechanism,
            client_type=client_type,
            start_on=start,
            end_on=end,
            end_outcome=end_outcome if end else "",
            created_by=self.system,
        )
        self.out["services"].append(s)
        cost = unit_pence
        self.out["costs"].append(
            ServiceCost(
                service_id=s.id,
                effective_from=start,
                unit_cost_pence=cost,
                cost_frequency=frequency,
                planned_units_per_week=units,
                created_by=self.system,
                reason="Service started",
            )
        )
        if uplift:
            year = start.year + (1 if start >= dt.date(start.year, 4, 1) else 0)
            while True:
                april = dt.date(year, 4, 1)
                if april > (end or self.today):
                    break
                cost = int(cost * rng.uniform(1.04, 1.065))
                self.out["costs"].append(
                    ServiceCost(
                        service_id=s.id,
                        effective_from=april,
                        unit_cost_pence=cost,
                        cost_frequency=frequency,
                        planned_units_per_week=units,
                        created_by=self.system,
                        reason="Annual fee uplift",
                    )
                )
                year += 1
        return s

    def _reviews(self, p, plan: Plan, first_start: dt.date, end: dt.date | None) -> None:
        rng = self.rng
        due = first_start + dt.timedelta(weeks=6)
        last = end or self.today
        while due <= last + dt.timedelta(days=60):
            overdue = due <= self.today and rng.random() < 0.12
            if due > self.today or overdue:
                self.out["reviews"].append(
                    Review(
                        id=self._next(Review),
                        person_id=p["pk"],
                        plan=plan,
                        due_on=due,
                        reason="Planned",
                        status=ReviewStatus.SCHEDULED,
                    )
                )
                return
            held = min(self.today, due + dt.timedelta(days=rng.randint(-10, 20)))
            followed = rng.choices(
                (WhatFollowed.NO_CHANGE, WhatFollowed.INCREASE, WhatFollowed.DECREASE), weights=(70, 22, 8)
            )[0]
            self.out["reviews"].append(
                Review(
                    id=self._next(Review),
                    person_id=p["pk"],
                    plan=plan,
                    due_on=due,
                    reason="Planned",
                    method=rng.choice(("Face to face", "Telephone")),
                    started_on=held,
                    completed_on=held,
                    outcomes_achieved=rng.choice(("Fully achieved", "Partially achieved")),
                    what_followed=followed,
                    outcome=REVIEW_OUTCOME[followed],
                    status=ReviewStatus.COMPLETED,
                    reviewer=self._worker(),
                )
            )
            due = held + dt.timedelta(weeks=52)

    # ------------------------------------------------------------------ a service user's story
    def _service_user(self, p) -> None:
        rng = self.rng
        died = p["date_of_death"]
        horizon = min(self.today, died) if died else self.today
        if horizon <= self.start:
            return
        received = self.day_between(self.start, horizon)
        long_term_already = rng.random() < 0.35  # many long-term clients pre-date the two years
        if long_term_already:
            received = self.start - dt.timedelta(days=rng.randint(30, 2000))
        recent = received > self.today - dt.timedelta(days=21)
        if recent and rng.random() < 0.35:
            self._request(p, received, TriageDecision.ASSESSMENT, open_=True)
            return
        decision = TriageDecision.ASSESSMENT if long_term_already else self.pick(DECISIONS)
        request = self._request(p, received, decision)
        if decision == TriageDecision.SHORT_TERM_SUPPORT:
            self._reablement(p, request.triaged_on or received, horizon, died)
        elif decision in (TriageDecision.ASSESSMENT, TriageDecision.SUPPORT_PLANNING):
            self._long_term(
                p,
                request,
                (request.triaged_on or received) + dt.timedelta(days=rng.randint(3, 40)),
                horizon,
                died,
            )

    def _reablement(self, p, start: dt.date, horizon: dt.date, died: dt.date | None) -> None:
        rng = self.rng
        end = start + dt.timedelta(days=rng.randint(10, 42))
        sequel = self.pick(REABLEMENT_SEQUEL)
        if died and died <= end:
            end, sequel = died, "NFA: Deceased"
        ongoing = end > self.today
        if sequel == "Short term support: Ongoing low level":
            outcome = "Progress to support planning or services"
        else:
            outcome = sequel
        self._service(
            p,
            stype="Short term support: ST-Max",
            component="Reablement",
            start=start,
            end=None if ongoing else end,
            end_outcome=outcome,
            unit_pence=rng.randint(2200, 2600),
            frequency="Hourly",
            units=Decimal(rng.choice((7, 10, 14))),
            location_kind="Reablement",
            uplift=False,
        )
        if ongoing:
            return
        if sequel == "Short term support: Ongoing low level":
            self._service(
                p,
                stype="Short term support: Ongoing low level",
                component="Equipment",
                start=end,
                end=None,
                unit_pence=rng.randint(5000, 40000),
                frequency="One-off",
                location_kind="Equipment",
                uplift=False,
            )
        elif sequel == "Progress to support planning or services":
            # Reablement bridges to the long-term package: the assessment happens during it and the
            # long-term service starts within days of it ending.
            self._long_term(
                p,
                None,
                start + dt.timedelta(days=rng.randint(2, 7)),
                horizon,
                died,
                service_start=end + dt.timedelta(days=rng.randint(0, 4)),
            )

    def _long_term(
        self,
        p,
        request,
        started: dt.date,
        horizon: dt.date,
        died: dt.date | None,
        service_start: dt.date | None = None,
    ) -> None:
        rng = self.rng
        if started > horizon:
            return
        a = self._assessment(
            p,
            started,
            request=request,
            eligible_rate=0.95 if service_start else 0.72,
            finish_by=service_start - dt.timedelta(days=1) if service_start else None,
        )
        if not a.eligible or a.completed_on is None or a.completed_on > horizon:
            return
        setting = p["accommodation_status"]
        start = service_start or a.completed_on + dt.timedelta(days=rng.randint(3, 30))
        if start > horizon:
            return  # eligible and waiting for the service to start
        mechanism = self.pick(DELIVERY)
        end, end_outcome = (died, "NFA: Deceased") if died else (None, "")
        if setting == "Registered nursing home":
            kw = {
                "stype": "Long term support: Nursing care",
                "component": "Long term nursing care",
                "unit_pence": rng.randint(62000, 72000),
                "frequency": "Weekly",
                "location_kind": "Care home with nursing",
                "mechanism": "CASSR commissioned support",
            }
        elif setting == "Registered care home":
            kw = {
                "stype": "Long term support: Residential care",
                "component": "Long term residential care",
                "unit_pence": rng.randint(54000, 62000),
                "frequency": "Weekly",
                "location_kind": "Care home",
                "mechanism": "CASSR commissioned support",
            }
        elif mechanism == "Direct payment":
            kw = {
                "stype": "Long term support: Community",
                "component": "Direct payment",
                "unit_pence": rng.randint(15000, 45000),
                "frequency": "Weekly",
                "mechanism": "Direct payment",
            }
        elif "upported" in setting or "Shared Lives" in setting:
            kw = {
                "stype": "Long term support: Community",
                "component": "Community supported living",
                "unit_pence": rng.randint(80000, 140000),
                "frequency": "Weekly",
                "location_kind": "Supported living",
                "mechanism": mechanism,
            }
        else:
            hours = Decimal(rng.choice((5, 7, 7, 10, 10.5, 14, 14, 21)))
            kw = {
                "stype": "Long term support: Community",
                "component": "Home support or domiciliary care",
                "unit_pence": rng.randint(1600, 2000),
                "frequency": "Hourly",
                "units": hours,
                "location_kind": "Home care agency",
                "mechanism": mechanism,
            }
        weekly = kw["unit_pence"] * int(kw.get("units") or 1)
        plan = self._plan(p, a, start - dt.timedelta(days=2), weekly, kw["mechanism"])
        self._service(p, start=start, end=end, end_outcome=end_outcome, plan=plan, **kw)
        if rng.random() < 0.15 and kw["component"] == "Home support or domiciliary care":
            self._service(
                p,
                stype="Long term support: Community",
                component="Day support",
                start=start,
                end=end,
                end_outcome=end_outcome,
                plan=plan,
                unit_pence=rng.randint(4500, 6500),
                frequency="Per session",
                units=Decimal(rng.choice((1, 2, 3))),
                location_kind="Day service",
                mechanism=kw["mechanism"],
            )
        self._reviews(p, plan, start, end)

    # ------------------------------------------------------------------ an unpaid carer's story
    def _carer(self, p, cared_for: int | None) -> None:
        rng = self.rng
        if cared_for is None or rng.random() > 0.55:
            return
        received = self.day_between(self.start, self.today)
        request = self._request(p, received, TriageDecision.ASSESSMENT, client_type="Unpaid carer")
        started = (request.triaged_on or received) + dt.timedelta(days=rng.randint(3, 30))
        if started > self.today:
            return
        a = self._assessment(
            p, started, kind=AssessmentKind.CARER, request=request, cared_for=cared_for, eligible_rate=0.6
        )
        if not a.eligible or a.completed_on is None:
            return
        start = a.completed_on + dt.timedelta(days=rng.randint(1, 20))
        if start > self.today:
            return
        if rng.random() < 0.6:
            self._service(
                p,
                stype="Unpaid carer support: Direct to unpaid carer",
                component="Direct payment",
                start=start,
                unit_pence=rng.randint(20000, 60000),
                frequency="Annually",
                mechanism="Direct payment",
                client_type="Unpaid carer",
            )
        else:
            self._service(
                p,
                stype="Unpaid carer support: Support involving the person cared-for",
                component="Unpaid carer respite",
                start=start,
                end=start + dt.timedelta(days=rng.randint(3, 14)),
                end_outcome="NFA: Support ended as planned",
                unit_pence=rng.randint(9000, 12000),
                frequency="Daily",
                units=Decimal(7),
                location_kind="Care home",
                client_type="Unpaid carer",
                uplift=False,
            )


def reset_history() -> None:
    """Delete all care-journey records (demo databases only), children before parents."""
    from openasc.assessments.models import AssessmentStatusChange
    from openasc.demo.money import reset_money
    from openasc.frontdoor.models import SupportRequestStatus
    from openasc.planning.models import PlanStatusChange, ReviewStatusChange

    reset_money()  # it points at the services
    # (no audit event: reset_database wipes the audit trail next, demo databases only)
    with transaction.atomic(), audit.exempt_from_safety_net():
        for model in (
            ReviewStatusChange,
            PlanStatusChange,
            AssessmentStatusChange,
            SupportRequestStatus,
            ServiceCost,
            Review,
            Service,
            PlanNeed,
        ):
            model.objects.all()._raw_delete(model.objects.db)
        Plan.objects.update(previous=None)
        for model in (Plan, OutcomeAssessment, Assessment, SupportRequest, ProviderLocation, Provider):
            model.objects.all()._raw_delete(model.objects.db)
