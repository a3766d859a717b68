"""Care-journey pages for `make bench` (imported by bench/run.py's worker, after django.setup()).

Fixtures, made once in a bench database after its build and marked by an AuditEvent with object_type
"bench.fixtures" (a reused build keeps them; no Person rows are added, so the build stays reusable):

* a person with over 500 timeline events over eight years: requests and their triage, needs assessments
  started, completed and signed off, plan versions drafted, sent for sign-off, agreed and replaced, reviews
  scheduled and completed, services started, their costs and hours changed and ended, and changes to their
  details; rows as the apps' services write them (status rows, audit events), bulk-inserted with their real dates;
* a social worker, "bench.caseload", with 300 people allocated to them by name (a care relationship of kind
  allocated worker), the person above among them: people with plans, services and scheduled reviews from the
  demo history, some with an assessment in progress or a request waiting for triage, so every caseload column
  has values;
* a team, "Bench waiting list team", with 5,000 people waiting: requests triaged and passed to the team (for an
  assessment, for reablement or for support planning: all wait for allocation, those for an assessment also for
  the assessment), with the team allocation that passing a request to a team makes; and its team manager,
  "bench.manager".

Made separately (marked "bench.fixtures.notes", so a database built before case notes existed gains them without a
rebuild): 2,000 case notes on that person, by the caseload worker and their team, over eight years (one in twelve
sensitive, one in eight with an addendum). And before every run, `openasc worktray refresh` (idempotent; timed), so
the team manager's worktray holds the tasks the record calls for: the 5,000 waiting are past their urgency
targets, with the council's reviews due and sign-offs waiting.

Timings (`time_pages`): the person page with its timeline, the caseload page, the waiting list filtered to the
team (the front door's view), the team manager's queue, the team manager's worktray (their home page), and the
person's case notes (the first page of 2,000, and a search of them), each through django.test.Client.
"""

from __future__ import annotations

import datetime as dt
import inspect
import random
import re
import time
from decimal import Decimal

MARK = "bench.fixtures"
VERSION = 1
TIMELINE_EVENTS = 500
CASELOAD = 300
WAITING = 5000
TEAM_CODE = "bench-waiting"
TEAM_NAME = "Bench waiting list team"
WORKER = "bench.caseload"
MANAGER = "bench.manager"
TARGET_MS = 200.0
SAC_TARGET_S = 5.0  # the Safeguarding Adults Collection for a year, counted from the record
NOTES_MARK = "bench.fixtures.notes"
NOTES = 2000
PAGES = (
    "person timeline",
    "caseload",
    "waiting list, team",
    "team queue",
    "worktray, manager",
    "notes, 2,000",
    "notes search",
    "safeguarding queue",
    "safeguarding enquiries",
    "safeguarding dashboard",
    "SAC, cached",
)


def fixtures_info():
    """The fixtures' details if this database has them (None if not)."""
    from openasc.core.models import AuditEvent

    event = AuditEvent.objects.filter(object_type=MARK).order_by("-pk").first()
    return event.details if event else None


def ensure_fixtures(seed: int, say) -> tuple[dict, bool]:
    """The fixtures' details, and whether they were made now (then the caller refreshes the statistics)."""
    info = fixtures_info()
    if info is not None:
        if info.get("version") != VERSION:
            raise SystemExit(
                f"The bench database holds care-journey fixtures of version {info.get('version')}, "
                f"this bench makes version {VERSION}: run with --rebuild"
            )
        say(f"reusing the care-journey fixtures (made {info.get('made_at')})")
        return info, False
    say("adding the care-journey fixtures (a 500-event timeline, a 300-person caseload, 5,000 waiting) ...")
    started = time.perf_counter()
    info = _Fixtures(seed).make()
    say(f"care-journey fixtures added in {time.perf_counter() - started:.1f} s")
    return info, True


class _Fixtures:
    def __init__(self, seed: int):
        from django.utils import timezone

        self.rng = random.Random(f"bench-journeys-{seed}")
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()

    def at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = self.rng.randint(9, 16) if hour is None else hour
        return dt.datetime.combine(day, dt.time(hour, self.rng.randint(0, 59)), tzinfo=self.tz)

    # ------------------------------------------------------------------------------------------------ entry point
    def make(self) -> dict:
        from django.db import transaction
        from django.utils import timezone

        from openasc.core import audit
        from openasc.core.models import AuditAction, AuditEvent

        with audit.exempt_from_safety_net(), transaction.atomic():
            self._reset_sequences()
            self._staff()
            timeline_id, caseload_ids = self._pick_caseload()
            self._timeline(timeline_id)
            self._caseload(caseload_ids, timeline_id)
            waiting = self._waiting(exclude=set(caseload_ids))
            info = {
                "version": VERSION,
                "made_at": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
                "timeline_person": timeline_id,
                "timeline_rows": self.timeline_rows,
                "worker": self.worker.pk,
                "caseload": len(caseload_ids),
                "manager": self.manager.pk,
                "team": self.team.pk,
                "waiting": waiting,
            }
            AuditEvent.objects.create(
                occurred_at=timezone.now(),
                actor=self.system,
                action=AuditAction.CREATE,
                object_type=MARK,
                details=info,
                reason="Care-journey fixtures for the bench (synthetic data)",
            )
        return info

    def _reset_sequences(self) -> None:
        """The demo history inserts rows with their ids: move PostgreSQL's sequences past them before inserting."""
        from django.core.management.color import no_style
        from django.db import connection

        from openasc.assessments.models import Assessment, AssessmentStatusChange
        from openasc.core.models import AuditEvent, CareRelationship, Team, User
        from openasc.frontdoor.models import SupportRequest, SupportRequestStatus
        from openasc.planning.models import Plan, PlanStatusChange, Review, ReviewStatusChange
        from openasc.services.models import Service, ServiceCost

        models = [
            Assessment,
            AssessmentStatusChange,
            AuditEvent,
            CareRelationship,
            Team,
            User,
            SupportRequest,
            SupportRequestStatus,
            Plan,
            PlanStatusChange,
            Review,
            ReviewStatusChange,
            Service,
            ServiceCost,
        ]
        with connection.cursor() as cur:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cur.execute(statement)

    def _staff(self) -> None:
        from openasc.core.models import Role, Team, User

        self.system = User.objects.get(username="system")
        self.frontdoor = User.objects.get(username="frontdoor")
        self.managers = list(User.objects.filter(role=Role.TEAM_MANAGER).order_by("pk")) or [self.system]
        self.locality = Team.objects.get(code="locality-north")
        self.team, _ = Team.objects.get_or_create(code=TEAM_CODE, defaults={"name": TEAM_NAME})
        self.worker, _ = User.objects.get_or_create(
            username=WORKER,
            defaults={
                "role": Role.SOCIAL_WORKER,
                "first_name": "Casey",
                "last_name": "Loder",
                "job_title": "Social worker",
            },
        )
        self.worker.teams.add(self.locality)
        self.manager, _ = User.objects.get_or_create(
            username=MANAGER,
            defaults={
                "role": Role.TEAM_MANAGER,
                "first_name": "Wendy",
                "last_name": "Waites",
                "job_title": "Team manager",
            },
        )
        self.manager.teams.add(self.team)
        for user in (self.worker, self.manager):
            user.set_unusable_password()
            user.save()

    # ------------------------------------------------------------------------------------------------ who
    def _candidates(self):
        """Live, unrestricted service users without a named worker."""
        from django.db.models import Q
        from django.utils import timezone

        from openasc.core.models import CareRelationship, RelationshipKind, Restriction
        from openasc.people.models import Person

        now = timezone.now()
        with_worker = (
            CareRelationship.objects.filter(kind=RelationshipKind.ALLOCATED_WORKER, starts_at__lte=now)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .values("person_id")
        )
        return (
            Person.objects.filter(
                merged_into__isnull=True, date_of_death__isnull=True, client_type="Service user"
            )
            .exclude(pk__in=Restriction.objects.values("person_id"))
            .exclude(pk__in=with_worker)
        )

    def _pick_caseload(self) -> tuple[int, list[int]]:
        from openasc.assessments.models import Assessment
        from openasc.frontdoor.models import SupportRequest
        from openasc.planning.models import Plan, Review, ReviewStatus
        from openasc.services.models import Service

        people = self._candidates()
        # The timeline person: an adult with no history yet (every row of their story is made here).
        untouched = (
            people.filter(date_of_birth__lt=self.today - dt.timedelta(days=365 * 60))
            .exclude(pk__in=SupportRequest.objects.values("person_id"))
            .exclude(pk__in=Assessment.objects.values("person_id"))
            .exclude(pk__in=Plan.objects.values("person_id"))
            .exclude(pk__in=Service.objects.values("person_id"))
            .exclude(pk__in=Review.objects.values("person_id"))
        )
        timeline_id = untouched.order_by("pk").values_list("pk", flat=True)[:200]
        timeline_id = self.rng.choice(list(timeline_id))
        # The rest of the caseload: people with a plan, services and a review to come, as a long-term caseload is.
        with_review = sorted(
            set(
                people.filter(
                    pk__in=Review.objects.filter(status=ReviewStatus.SCHEDULED).values("person_id")
                ).values_list("pk", flat=True)
            )
            - {timeline_id}
        )
        ids = self.rng.sample(with_review, min(CASELOAD - 1, len(with_review)))
        if len(ids) < CASELOAD - 1:
            others = sorted(set(people.values_list("pk", flat=True)) - set(ids) - {timeline_id})
            ids += self.rng.sample(others, CASELOAD - 1 - len(ids))
        return timeline_id, sorted([timeline_id, *ids])

    # ------------------------------------------------------------------------------------------------ the timeline
    def _timeline(self, person_id: int) -> None:
        from openasc.assessments.models import Assessment, AssessmentStatus, AssessmentStatusChange
        from openasc.core.models import AuditAction, AuditEvent, CareRelationship, RelationshipKind
        from openasc.demo.history import CONTACT_BY, ROUTES, WHAT_MATTERS
        from openasc.frontdoor.models import (
            TRIAGE_OUTCOME,
            RequestStatus,
            SupportRequest,
            SupportRequestStatus,
            TriageDecision,
        )
        from openasc.planning.models import (
            REVIEW_OUTCOME,
            Plan,
            PlanStatus,
            PlanStatusChange,
            Review,
            ReviewStatus,
            ReviewStatusChange,
            WhatFollowed,
        )
        from openasc.services.models import Service, ServiceCost

        rng = self.rng
        worker, manager, frontdoor = self.worker, self.managers[0], self.frontdoor
        first = self.today - dt.timedelta(days=365 * 8)
        span = (self.today - first).days

        def day(i: int, n: int) -> dt.date:
            """The i-th of n dates spread over the eight years."""
            return first + dt.timedelta(days=int(span * (i + rng.random() * 0.6) / n))

        audits: list[AuditEvent] = []

        def audit_row(when, actor, action, object_type, object_id, details):
            audits.append(
                AuditEvent(
                    occurred_at=when,
                    actor=actor,
                    action=action,
                    person_id=person_id,
                    object_type=object_type,
                    object_id=str(object_id),
                    basis="Allocated worker",
                    details=details,
                )
            )

        # Record created, and changes to the person's details.
        audit_row(
            self.at(first, 9),
            frontdoor,
            AuditAction.CREATE,
            "people.person",
            person_id,
            {"bench": "timeline"},
        )
        fields = (
            "phone",
            "address_line_1",
            "postcode",
            "communication_needs",
            "accommodation_status",
            "gp_practice_code",
        )
        for i in range(25):
            changed = rng.sample(fields, rng.randint(1, 2))
            audit_row(
                self.at(day(i, 25)),
                worker,
                AuditAction.UPDATE,
                "people.person",
                person_id,
                {"changes": {f: ["", "changed"] for f in changed}},
            )

        # Requests for support and their triage (the last one waits for triage).
        n_requests = 70
        requests, request_status = [], []
        for i in range(n_requests):
            received = day(i, n_requests)
            last = i == n_requests - 1
            decision = rng.choice(
                (
                    TriageDecision.ASSESSMENT,
                    TriageDecision.ASSESSMENT,
                    TriageDecision.INFORMATION_AND_ADVICE,
                    TriageDecision.SHORT_TERM_SUPPORT,
                )
            )
            routed = decision != TriageDecision.INFORMATION_AND_ADVICE
            triaged = min(self.today, received + dt.timedelta(days=rng.randint(0, 3)))
            contact_by = rng.choice([c for c, _ in CONTACT_BY])
            requests.append(
                SupportRequest(
                    person_id=person_id,
                    received_on=received,
                    route_of_access=rng.choice([r for r, _ in ROUTES]),
                    contact_by=contact_by,
                    contact_name="" if contact_by == "self" else "Pat Relative",
                    what_matters=rng.choice(WHAT_MATTERS),
                    reason="Needs more help at home",
                    decision="" if last else decision,
                    outcome="" if last else TRIAGE_OUTCOME[decision],
                    information_given="Leaflet on local support"
                    if decision == TriageDecision.INFORMATION_AND_ADVICE
                    else "",
                    triaged_on=None if last else triaged,
                    triaged_by=None if last else frontdoor,
                    concluded_on=None if last or routed else triaged,
                    team=self.locality if routed and not last else None,
                    status=RequestStatus.OPEN
                    if last
                    else (RequestStatus.ROUTED if routed else RequestStatus.CONCLUDED),
                    created_by=frontdoor,
                )
            )
        SupportRequest.objects.bulk_create(requests)
        for r in requests:
            request_status.append(
                SupportRequestStatus(
                    request=r,
                    status=RequestStatus.OPEN,
                    changed_at=self.at(r.received_on, 9),
                    changed_by=frontdoor,
                    note="Request received",
                )
            )
            if r.status != RequestStatus.OPEN:
                label = TriageDecision(r.decision).label
                note = f"{label}: passed to {r.team.name}" if r.team else f"{label}: {r.outcome}"
                request_status.append(
                    SupportRequestStatus(
                        request=r,
                        status=r.status,
                        changed_at=self.at(r.triaged_on, 15),
                        changed_by=frontdoor,
                        note=note,
                    )
                )
        SupportRequestStatus.objects.bulk_create(request_status)
        routed = [r for r in requests if r.status == RequestStatus.ROUTED]

        # Needs assessments: started, completed (waiting for sign-off), signed off; the last one in progress.
        n_assessments = 35
        assessments, assessment_status = [], []
        for i in range(n_assessments):
            started = day(i, n_assessments)
            last = i == n_assessments - 1
            completed = min(self.today, started + dt.timedelta(days=rng.randint(7, 40)))
            req = min(routed, key=lambda r: abs((r.received_on - started).days))
            assessments.append(
                Assessment(
                    person_id=person_id,
                    request=req,
                    assessment_type="Long term assessment",
                    method=rng.choice(("Face to face", "Telephone")),
                    started_on=started,
                    completed_on=None if last else completed,
                    status=AssessmentStatus.IN_PROGRESS if last else AssessmentStatus.COMPLETED,
                    assessor=worker,
                    condition_met=None if last else True,
                    wellbeing_impact=None if last else True,
                    what_matters=rng.choice(WHAT_MATTERS),
                    computed_eligible=None if last else True,
                    eligible=None if last else True,
                    outcome="" if last else "Progress to support planning or services",
                    sections_done=["about"]
                    if last
                    else ["about", "condition", "outcomes", "wellbeing", "determination"],
                    signed_off_by=None if last else manager,
                    signed_off_at=None if last else self.at(completed + dt.timedelta(days=2), 11),
                )
            )
        Assessment.objects.bulk_create(assessments)
        for a in assessments:
            assessment_status.append(
                AssessmentStatusChange(
                    assessment=a,
                    status=AssessmentStatus.IN_PROGRESS,
                    changed_at=self.at(a.started_on, 10),
                    changed_by=worker,
                    note="Started",
                )
            )
            if a.status == AssessmentStatus.COMPLETED:
                assessment_status.append(
                    AssessmentStatusChange(
                        assessment=a,
                        status=AssessmentStatus.AWAITING_SIGN_OFF,
                        changed_at=self.at(a.completed_on, 16),
                        changed_by=worker,
                        note=f"Completed: eligible; {a.outcome}",
                    )
                )
                assessment_status.append(
                    AssessmentStatusChange(
                        assessment=a,
                        status=AssessmentStatus.COMPLETED,
                        changed_at=a.signed_off_at,
                        changed_by=manager,
                        note="Signed off",
                    )
                )
        AssessmentStatusChange.objects.bulk_create(assessment_status)
        done = [a for a in assessments if a.status == AssessmentStatus.COMPLETED]

        # Plan versions: drafted, sent for sign-off, agreed; each new version replaces the last.
        n_plans = 20
        plans, plan_status = [], []
        previous = None
        weekly = 18000
        for i in range(n_plans):
            drafted = day(i, n_plans)
            agreed = min(self.today, drafted + dt.timedelta(days=rng.randint(3, 12)))
            weekly = int(weekly * rng.uniform(1.0, 1.12))
            assessment = max(
                (a for a in done if a.completed_on <= drafted), key=lambda a: a.completed_on, default=done[0]
            )
            plan = Plan(
                person_id=person_id,
                assessment=assessment,
                version=i + 1,
                previous=previous,
                status=PlanStatus.AGREED if i == n_plans - 1 else PlanStatus.SUPERSEDED,
                goals="I want to stay living at home and manage my own personal care with help in the mornings.",
                indicative_weekly_pence=weekly,
                agreed_weekly_pence=weekly,
                delivery_mechanism="CASSR commissioned support",
                starts_on=agreed,
                agreed_on=agreed,
                created_by=worker,
                signed_off_by=manager,
            )
            plan.save()  # one at a time: the next version points at it
            plan_status += [
                PlanStatusChange(
                    plan=plan,
                    status=PlanStatus.DRAFT,
                    changed_at=self.at(drafted, 10),
                    changed_by=worker,
                    note="" if i == 0 else "Needs changed at review",
                ),
                PlanStatusChange(
                    plan=plan,
                    status=PlanStatus.AWAITING_SIGN_OFF,
                    changed_at=self.at(drafted, 15),
                    changed_by=worker,
                ),
                PlanStatusChange(
                    plan=plan, status=PlanStatus.AGREED, changed_at=self.at(agreed, 11), changed_by=manager
                ),
            ]
            if previous is not None:
                plan_status.append(
                    PlanStatusChange(
                        plan=previous,
                        status=PlanStatus.SUPERSEDED,
                        changed_at=self.at(agreed, 11),
                        changed_by=manager,
                        note=f"Replaced by version {plan.version}",
                    )
                )
            plans.append(plan)
            previous = plan
        PlanStatusChange.objects.bulk_create(plan_status)

        # Reviews: scheduled and completed; the next one scheduled.
        n_reviews = 40
        reviews = []
        for i in range(n_reviews):
            due = day(i, n_reviews) + dt.timedelta(days=30)
            last = i == n_reviews - 1
            held = min(self.today, due + dt.timedelta(days=rng.randint(-7, 10)))
            followed = rng.choice((WhatFollowed.NO_CHANGE, WhatFollowed.NO_CHANGE, WhatFollowed.INCREASE))
            plan = max((p for p in plans if p.agreed_on <= due), key=lambda p: p.version, default=plans[0])
            reviews.append(
                Review(
                    person_id=person_id,
                    plan=plans[-1] if last else plan,
                    due_on=max(due, self.today + dt.timedelta(days=20)) if last else due,
                    reason=rng.choice(("Planned", "Planned", "Unplanned")),
                    method="" if last else rng.choice(("Face to face", "Telephone")),
                    started_on=None if last else held,
                    completed_on=None if last else held,
                    outcomes_achieved="" if last else "Partially achieved",
                    what_followed="" if last else followed,
                    outcome="" if last else REVIEW_OUTCOME[followed],
                    status=ReviewStatus.SCHEDULED if last else ReviewStatus.COMPLETED,
                    reviewer=worker,
                )
            )
        Review.objects.bulk_create(reviews)
        review_status = []
        for r in reviews:
            scheduled = (r.due_on if r.status == ReviewStatus.SCHEDULED else r.completed_on) - dt.timedelta(
                days=60
            )
            scheduled = min(max(scheduled, first + dt.timedelta(days=1)), self.today)
            review_status.append(
                ReviewStatusChange(
                    review=r, status=ReviewStatus.SCHEDULED, changed_at=self.at(scheduled), changed_by=worker
                )
            )
            if r.status == ReviewStatus.COMPLETED:
                review_status.append(
                    ReviewStatusChange(
                        review=r,
                        status=ReviewStatus.COMPLETED,
                        changed_at=self.at(r.completed_on, 16),
                        changed_by=worker,
                    )
                )
        ReviewStatusChange.objects.bulk_create(review_status)

        # Services: started, cost or hours changed, ended; the last two still running.
        n_services = 18
        services = []
        for i in range(n_services):
            start = day(i, n_services - 1) if i < n_services - 1 else services[-1].start_on
            ongoing = i >= n_services - 2
            end = (
                None
                if ongoing
                else min(self.today - dt.timedelta(days=1), start + dt.timedelta(days=rng.randint(100, 150)))
            )
            plan = max((p for p in plans if p.agreed_on <= start), key=lambda p: p.version, default=plans[0])
            day_support = i == n_services - 1
            services.append(
                Service(
                    person_id=person_id,
                    plan=plan,
                    service_type="Long term support: Community",
                    service_component="Day support" if day_support else "Home support or domiciliary care",
                    delivery_mechanism="CASSR commissioned support",
                    start_on=start,
                    end_on=end,
                    end_outcome="" if ongoing else "Progress to support planning or services",
                    created_by=worker,
                )
            )
        Service.objects.bulk_create(services)
        costs = []
        for s in services:
            frequency, unit = (
                ("Per session", rng.randint(4500, 6500))
                if s.service_component == "Day support"
                else ("Hourly", rng.randint(1600, 2000))
            )
            hours = Decimal(rng.choice((7, 10, 14)))
            dates = [s.start_on]
            while len(dates) < 4:
                nxt = dates[-1] + dt.timedelta(days=rng.randint(25, 40))
                if nxt > (s.end_on or self.today):
                    break
                dates.append(nxt)
            for j, effective in enumerate(dates):
                if j:
                    hours = max(Decimal(3), hours + rng.choice((-2, 1, 3, 3)))
                costs.append(
                    ServiceCost(
                        service=s,
                        effective_from=effective,
                        unit_cost_pence=unit,
                        cost_frequency=frequency,
                        planned_units_per_week=hours,
                        reason="Service started" if j == 0 else "Hours changed at review",
                        created_by=worker,
                    )
                )
        ServiceCost.objects.bulk_create(costs)
        for cost in costs:
            s = cost.service
            when = self.at(cost.effective_from, 10)
            if cost.effective_from == s.start_on:
                audit_row(
                    when,
                    worker,
                    AuditAction.CREATE,
                    "services.service",
                    s.pk,
                    {
                        "event": "service_started",
                        "service_type": s.service_type,
                        "service_component": s.service_component,
                        "start_on": s.start_on.isoformat(),
                        "plan": s.plan_id,
                    },
                )
                details = {}
            else:
                details = {
                    "event": "service_cost_changed",
                    "service": s.pk,
                    "effective_from": cost.effective_from.isoformat(),
                }
            audit_row(
                when,
                worker,
                AuditAction.CREATE,
                "services.servicecost",
                cost.pk,
                {
                    **details,
                    "unit_cost_pence": cost.unit_cost_pence,
                    "cost_frequency": cost.cost_frequency,
                    "planned_units_per_week": str(cost.planned_units_per_week),
                    "weekly_pence": cost.weekly_pence,
                },
            )
        for s in services:
            if s.end_on:
                audit_row(
                    self.at(s.end_on, 14),
                    worker,
                    AuditAction.UPDATE,
                    "services.service",
                    s.pk,
                    {"event": "service_ended", "end_on": s.end_on.isoformat(), "outcome": s.end_outcome},
                )
        AuditEvent.objects.bulk_create(audits, batch_size=500)

        # The person is allocated to the locality team, and to the worker (added with the caseload).
        CareRelationship.objects.create(
            person_id=person_id,
            kind=RelationshipKind.ALLOCATED_TEAM,
            team=self.locality,
            starts_at=self.at(first, 10),
            created_by=self.system,
        )
        self.timeline_start = first
        self.timeline_rows = {
            "requests": len(request_status),
            "assessments": len(assessment_status),
            "plans": len(plan_status),
            "reviews": len(review_status),
            "services and costs": sum(1 for a in audits if a.details.get("event")),
            "record": sum(1 for a in audits if a.object_type == "people.person"),
        }

    # ------------------------------------------------------------------------------------------------ the caseload
    def _caseload(self, ids: list[int], timeline_id: int) -> None:
        from openasc.assessments.models import Assessment, AssessmentStatus, AssessmentStatusChange
        from openasc.core.models import CareRelationship, RelationshipKind
        from openasc.demo.history import WHAT_MATTERS
        from openasc.frontdoor.models import ContactBy, RequestStatus, SupportRequest, SupportRequestStatus

        rng = self.rng
        CareRelationship.objects.bulk_create(
            [
                CareRelationship(
                    person_id=pk,
                    kind=RelationshipKind.ALLOCATED_WORKER,
                    user=self.worker,
                    created_by=self.manager,
                    starts_at=self.at(
                        self.timeline_start
                        if pk == timeline_id
                        else self.today - dt.timedelta(days=rng.randint(30, 900)),
                        10,
                    ),
                )
                for pk in ids
            ]
        )
        others = [pk for pk in ids if pk != timeline_id]
        # Some are being reassessed, some have asked for more help (waiting for triage).
        reassessed = rng.sample(others, len(others) // 10)
        assessments = [
            Assessment(
                person_id=pk,
                assessment_type="Long term assessment",
                method="Face to face",
                started_on=self.today - dt.timedelta(days=rng.randint(1, 40)),
                assessor=self.worker,
                status=AssessmentStatus.IN_PROGRESS,
                what_matters=rng.choice(WHAT_MATTERS),
                sections_done=["about"],
            )
            for pk in reassessed
        ]
        Assessment.objects.bulk_create(assessments)
        AssessmentStatusChange.objects.bulk_create(
            [
                AssessmentStatusChange(
                    assessment=a,
                    status=AssessmentStatus.IN_PROGRESS,
                    changed_at=self.at(a.started_on),
                    changed_by=self.worker,
                    note="Started",
                )
                for a in assessments
            ]
        )
        asking = rng.sample(others, len(others) // 12)
        requests = [
            SupportRequest(
                person_id=pk,
                received_on=self.today - dt.timedelta(days=rng.randint(0, 10)),
                route_of_access="Community or other route",
                contact_by=ContactBy.FAMILY,
                contact_name="Pat Relative",
                what_matters=rng.choice(WHAT_MATTERS),
                reason="Needs more help at home",
                created_by=self.frontdoor,
            )
            for pk in asking
        ]
        SupportRequest.objects.bulk_create(requests)
        SupportRequestStatus.objects.bulk_create(
            [
                SupportRequestStatus(
                    request=r,
                    status=RequestStatus.OPEN,
                    changed_at=self.at(r.received_on),
                    changed_by=self.frontdoor,
                    note="Request received",
                )
                for r in requests
            ]
        )

    # ------------------------------------------------------------------------------------------------ the waiting list
    def _waiting(self, exclude: set[int]) -> dict:
        from openasc.core.models import CareRelationship, RelationshipKind
        from openasc.demo.history import CONTACT_BY, ROUTES, WHAT_MATTERS
        from openasc.frontdoor.models import (
            TRIAGE_OUTCOME,
            RequestStatus,
            SupportRequest,
            SupportRequestStatus,
            TriageDecision,
            Urgency,
        )

        rng = self.rng
        busy = set(
            SupportRequest.objects.filter(status__in=[RequestStatus.OPEN, RequestStatus.ROUTED]).values_list(
                "person_id", flat=True
            )
        )
        pool = sorted(set(self._candidates().values_list("pk", flat=True)) - exclude - busy)
        if (
            len(pool) < WAITING
        ):  # a small council: people with a request already open may wait for this team too
            pool += rng.sample(sorted(busy - exclude), min(WAITING - len(pool), len(busy - exclude)))
        people = sorted(rng.sample(pool, min(WAITING, len(pool))))
        decisions = (
            TriageDecision.ASSESSMENT,
            TriageDecision.SHORT_TERM_SUPPORT,
            TriageDecision.SUPPORT_PLANNING,
        )
        requests = []
        for pk in people:
            received = self.today - dt.timedelta(days=int(rng.triangular(0, 300, 20)))
            decision = rng.choices(decisions, weights=(70, 20, 10))[0]
            contact_by = rng.choices(*zip(*CONTACT_BY, strict=True))[0]
            requests.append(
                SupportRequest(
                    person_id=pk,
                    received_on=received,
                    route_of_access=rng.choices(*zip(*ROUTES, strict=True))[0],
                    contact_by=contact_by,
                    contact_name="" if contact_by == "self" else "Pat Relative",
                    what_matters=rng.choice(WHAT_MATTERS),
                    reason="Needs help at home",
                    urgency=rng.choices((Urgency.ROUTINE, Urgency.SOON, Urgency.URGENT), weights=(70, 22, 8))[
                        0
                    ],
                    decision=decision,
                    outcome=TRIAGE_OUTCOME[decision],
                    triaged_on=min(self.today, received + dt.timedelta(days=rng.randint(0, 5))),
                    triaged_by=self.frontdoor,
                    team=self.team,
                    status=RequestStatus.ROUTED,
                    created_by=self.frontdoor,
                )
            )
        SupportRequest.objects.bulk_create(requests, batch_size=1000)
        status, rels = [], []
        for r in requests:
            label = TriageDecision(r.decision).label
            status.append(
                SupportRequestStatus(
                    request=r,
                    status=RequestStatus.OPEN,
                    changed_at=self.at(r.received_on),
                    changed_by=self.frontdoor,
                    note="Request received",
                )
            )
            status.append(
                SupportRequestStatus(
                    request=r,
                    status=RequestStatus.ROUTED,
                    changed_at=self.at(r.triaged_on, 16),
                    changed_by=self.frontdoor,
                    note=f"{label}: passed to {self.team.name}",
                )
            )
            # Passing a request to a team allocates the person to it, as triage does.
            rels.append(
                CareRelationship(
                    person_id=r.person_id,
                    kind=RelationshipKind.ALLOCATED_TEAM,
                    team=self.team,
                    starts_at=self.at(r.triaged_on, 16),
                    created_by=self.frontdoor,
                )
            )
        SupportRequestStatus.objects.bulk_create(status, batch_size=2000)
        CareRelationship.objects.bulk_create(rels, batch_size=1000)
        return {
            "people": len(requests),
            "for_assessment": sum(r.decision == TriageDecision.ASSESSMENT for r in requests),
        }


# ---------------------------------------------------------------------------------------------------- timing


def ensure_notes_and_worktray(info: dict, seed: int, say) -> bool:
    """2,000 case notes on the timeline person (once), then the worktray refresh (every run). True if notes were
    made now (then the caller refreshes the statistics)."""
    from django.db import transaction
    from django.utils import timezone

    from openasc.casenotes.models import CaseNote, CaseNoteAddendum, CaseNoteVersion, NoteKind
    from openasc.core import audit
    from openasc.core.models import AuditAction, AuditEvent, User
    from openasc.worktray.services.refresh import refresh

    made = False
    if not AuditEvent.objects.filter(object_type=NOTES_MARK).exists():
        say(f"adding {NOTES:,} case notes to the timeline person ...")
        started = time.perf_counter()
        rng = random.Random(f"bench-notes-{seed}")
        worker = User.objects.get(pk=info["worker"])
        team_ids = list(worker.teams.values_list("id", flat=True))
        now = timezone.now()
        kinds = [k for k, _ in NoteKind.choices]
        words = ("visit", "call", "meeting", "medication", "carer", "daughter", "falls", "key safe", "review")
        with audit.exempt_from_safety_net(), transaction.atomic():
            notes = []
            for i in range(NOTES):
                when = now - dt.timedelta(minutes=rng.randint(60, 8 * 365 * 24 * 60))
                topic = rng.choice(words)
                notes.append(
                    CaseNote(
                        person_id=info["timeline_person"],
                        kind=rng.choice(kinds),
                        occurred_at=when,
                        subject=f"{topic.capitalize()}: note {i + 1}",
                        body=f"Spoke about the {topic}. {rng.choice(words).capitalize()} discussed; next steps agreed.",
                        present="Daughter" if rng.random() < 0.3 else "",
                        sensitive=rng.random() < 1 / 12,
                        author=worker,
                        created_at=when + dt.timedelta(minutes=30),
                        updated_at=when + dt.timedelta(minutes=30),
                    )
                )
            CaseNote.objects.bulk_create(notes, batch_size=1000)
            CaseNoteVersion.objects.bulk_create(
                [
                    CaseNoteVersion(
                        note_id=n.pk,
                        version=1,
                        kind=n.kind,
                        occurred_at=n.occurred_at,
                        subject=n.subject,
                        body=n.body,
                        present=n.present,
                        sensitive=n.sensitive,
                        saved_by=worker,
                        saved_at=n.created_at,
                    )
                    for n in notes
                ],
                batch_size=2000,
            )
            CaseNote.teams.through.objects.bulk_create(
                [CaseNote.teams.through(casenote_id=n.pk, team_id=t) for n in notes for t in team_ids],
                batch_size=2000,
            )
            CaseNoteAddendum.objects.bulk_create(
                [
                    CaseNoteAddendum(
                        note_id=n.pk, body="Follow-up call made.", written_by=worker, written_at=n.updated_at
                    )
                    for n in notes
                    if rng.random() < 1 / 8
                ],
                batch_size=2000,
            )
            AuditEvent.objects.create(
                occurred_at=now,
                actor=worker,
                action=AuditAction.CREATE,
                object_type=NOTES_MARK,
                details={"notes": NOTES, "person": info["timeline_person"]},
                reason="Case-note fixtures for the bench (synthetic data)",
            )
        say(f"case notes added in {time.perf_counter() - started:.1f} s")
        made = True
    system = User.objects.filter(role="system", is_active=True).order_by("pk").first()
    started = time.perf_counter()
    with audit.exempt_from_safety_net():
        result = refresh(actor=system)
    say(f"worktray refresh in {time.perf_counter() - started:.1f} s: {result}")
    return made


def ensure_safeguarding(seed: int, say) -> bool:
    """The demo's safeguarding history, for a bench database built before the demo had one (once). True if made now
    (then the caller refreshes the statistics)."""
    from openasc.core import audit
    from openasc.core.models import User
    from openasc.demo.build import TODAY
    from openasc.demo.safeguarding import build_safeguarding
    from openasc.safeguarding.models import Concern

    if Concern.objects.exists():
        return False
    say("adding the demo's safeguarding history (concerns since October 2023) ...")
    started = time.perf_counter()
    system = User.objects.filter(role="system", is_active=True).order_by("pk").first()
    with audit.exempt_from_safety_net():
        made = build_safeguarding(seed=seed, system=system, today=TODAY)
    say(f"{made:,} safeguarding concerns added in {time.perf_counter() - started:.1f} s")
    return True


def time_sac(say, runs: int = 3) -> dict:
    """The Safeguarding Adults Collection counted from the record for 2025-26, uncached, `runs` times (target: every
    run under SAC_TARGET_S seconds), with what it counted."""
    from openasc.safeguarding import sac

    seconds = []
    for _ in range(runs):
        t = time.perf_counter()
        results = sac.compute(2025)
        seconds.append(time.perf_counter() - t)
    d = results.derived
    out = {
        "seconds": [round(x, 2) for x in seconds],
        "worst_s": round(max(seconds), 2),
        "concerns": d["concerns"],
        "section_42_enquiries": d["section_42_enquiries"],
        "concluded_section_42": d["concluded_section_42_enquiries"],
        "contributions": sum(len(t.contributions) for t in results.tables.values()),
        "problems": len(results.problems),
        "target_s": SAC_TARGET_S,
        "pass": max(seconds) < SAC_TARGET_S,
    }
    say(
        f"SAC 2025-26 from the record: {out['concerns']:,} concerns, {out['section_42_enquiries']:,} s.42 enquiries "
        f"started, {out['concluded_section_42']:,} concluded; worst of {runs} {out['worst_s']:.2f} s "
        f"(target under {SAC_TARGET_S:.0f} s): {'PASS' if out['pass'] else 'FAIL'}"
    )
    return out


def time_pages(info: dict, n: int, rng: random.Random, say, summary) -> dict:
    """Warm up, then time n requests of each page (interleaved); p50/p95, queries and a check of what rendered."""
    from django.db import connection
    from django.test import Client

    from openasc.core.models import User
    from openasc.core.timeline import entries_for

    users = {
        "worker": User.objects.get(pk=info["worker"]),
        "manager": User.objects.get(pk=info["manager"]),
        "front door": User.objects.get(username="frontdoor"),
        "safeguarding lead": User.objects.get(username="safeguarding"),
        "analyst": User.objects.get(username="analyst"),
    }
    clients = {}
    for name, user in users.items():
        c = Client(raise_request_exception=True)
        c.force_login(user)
        clients[name] = c
    team = info["team"]
    plan = {
        "person timeline": ("worker", f"/people/{info['timeline_person']}"),
        "caseload": ("worker", "/my/caseload"),
        "waiting list, team": ("front door", f"/front-door/waiting?list=allocation&team={team}"),
        "team queue": ("manager", "/front-door/team-queue"),
        "worktray, manager": ("manager", "/"),
        "notes, 2,000": ("worker", f"/notes/people/{info['timeline_person']}"),
        "notes search": ("worker", f"/notes/people/{info['timeline_person']}?q=medication"),
        "safeguarding queue": ("safeguarding lead", "/safeguarding/"),
        "safeguarding enquiries": ("safeguarding lead", "/safeguarding/enquiries/"),
        "safeguarding dashboard": ("safeguarding lead", "/safeguarding/dashboard/"),
        "SAC, cached": ("analyst", "/safeguarding/sac/?year=2025"),
    }
    checks = {
        "person timeline": lambda html: html.count('class="app-timeline__item"'),
        "caseload": lambda html: len(re.findall(r'<tr class="govuk-table__row">', html)) - 1,
        "waiting list, team": lambda html: len(re.findall(r'<tr class="govuk-table__row">', html)) - 1,
        "team queue": lambda html: len(re.findall(r'<tr class="govuk-table__row">', html)) - 1,
        "worktray, manager": lambda html: html.count('class="app-tasks__item'),
        "notes, 2,000": lambda html: html.count('class="app-notes__item'),
        "notes search": lambda html: html.count('class="app-notes__item'),
        "safeguarding queue": lambda html: len(re.findall(r'<tr class="govuk-table__row">', html)) - 1,
        "safeguarding enquiries": lambda html: len(re.findall(r'<tr class="govuk-table__row">', html)) - 2,
        "safeguarding dashboard": lambda html: html.count('class="app-chart__bar '),
        "SAC, cached": lambda html: html.count("/safeguarding/sac/SG"),
    }
    queries = [0]

    def count_queries(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    shown = {}
    for page, (who, url) in plan.items():
        for _ in range(5):
            response = clients[who].get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} for {who}: HTTP {response.status_code}")
        shown[page] = checks[page](response.content.decode())
    say(
        "rendered: "
        + ", ".join(f"{page} {count:,} rows" for page, count in shown.items())
        + f" (the timeline shows at most {inspect.signature(entries_for).parameters['limit'].default} entries)"
    )
    order = [page for page in plan for _ in range(n)]
    rng.shuffle(order)
    rows = {page: [] for page in plan}
    with connection.execute_wrapper(count_queries):
        for page in order:
            who, url = plan[page]
            queries[0] = 0
            cpu = time.process_time()
            t = time.perf_counter()
            response = clients[who].get(url)
            ms = (time.perf_counter() - t) * 1000
            cpu_ms = (time.process_time() - cpu) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{url} for {who}: HTTP {response.status_code}")
            rows[page].append(
                {"ms": ms, "cpu_ms": cpu_ms, "queries": queries[0], "bytes": len(response.content)}
            )
    result = {}
    for page, (who, url) in plan.items():
        r = rows[page]
        s = summary([x["ms"] for x in r])
        result[page] = {
            **s,
            "url": url,
            "user": who,
            "rows_shown": shown[page],
            "cpu": summary([x["cpu_ms"] for x in r]),
            "queries": round(sum(x["queries"] for x in r) / len(r), 1),
            "kb": round(sum(x["bytes"] for x in r) / len(r) / 1024, 1),
            "pass": s["p95"] < TARGET_MS,
        }
    return result
