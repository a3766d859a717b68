"""Safeguarding history for the synthetic council: concerns, decisions, enquiries and their outcomes since 1 October
2023 (some 30,000 concerns at 200,000 people), shaped like the national figures (next-capabilities.md §a.7).

About one adult in twenty known to the council has a concern raised each year, most of them older people and people
supported with memory and cognition or a learning disability. About three in ten concerns lead to an enquiry (the
conversion rate), nineteen in twenty of those under section 42. Neglect and acts of omission is the commonest type of
risk, and the adult's own home the commonest place. Most enquiries conclude within four months; recent ones are still
being planned or worked, some with protection plans (a few past their review date), and the last few days' concerns
are waiting for a decision (one or two past their due date). Two Safeguarding Adults Reviews were completed in
2025-26. Every open concern and enquiry gives the safeguarding adults hub, and the enquiry officer, their working
relationship with the adult, ended when the work ends.

Written in bulk, inside `audit.bulk` (one summary event a batch), deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from openasc.core import audit
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, Role, Team, User
from openasc.safeguarding import calendar, codes
from openasc.safeguarding.models import (
    Allegation,
    Concern,
    ConcernStatus,
    ConcernStatusChange,
    Enquiry,
    EnquiryStatus,
    EnquiryStatusChange,
    ProtectionPlan,
    SafeguardingAdultsReview,
    SarIndividual,
    StrategyMeeting,
)

FIRST_DAY = dt.date(2023, 10, 1)  # about three years: some 30,000 concerns at 200,000 people
PER_PERSON_A_YEAR = 1 / 20
MAX_CONCERNS = 40_000
BATCH = 2000

T, L, S = codes.TypeOfRisk, codes.LocationOfRisk, codes.SourceOfRisk
TYPES = (
    (T.NEGLECT, 32),
    (T.FINANCIAL, 16),
    (T.PHYSICAL, 17),
    (T.PSYCHOLOGICAL, 14),
    (T.SELF_NEGLECT, 8),
    (T.ORGANISATIONAL, 4),
    (T.DOMESTIC, 4),
    (T.SEXUAL, 2),
    (T.DISCRIMINATORY, 1),
    (T.SEXUAL_EXPLOITATION, 1),
    (T.MODERN_SLAVERY, 1),
)
LOCATIONS = (
    (L.OWN_HOME, 46),
    (L.CARE_HOME_RESIDENTIAL, 18),
    (L.CARE_HOME_NURSING, 9),
    (L.COMMUNITY, 8),
    (L.COMMUNITY_SERVICE, 6),
    (L.HOSPITAL_ACUTE, 4),
    (L.HOSPITAL_MENTAL_HEALTH, 2),
    (L.HOSPITAL_COMMUNITY, 1),
    (L.OTHER, 6),
)
SOURCES = ((S.KNOWN, 50), (S.SERVICE_PROVIDER, 40), (S.UNKNOWN, 10))
WHO = {
    S.KNOWN: ("Son", "Daughter", "Grandson", "Partner", "Neighbour", "Lodger", "Niece"),
    S.SERVICE_PROVIDER: ("Home care worker", "Care home staff", "Day centre staff", "Personal assistant"),
    S.UNKNOWN: ("A caller at the door", "Someone online", "A stranger in the street"),
}
REFERRERS = (
    (codes.ReferrerKind.PROVIDER, 25),
    (codes.ReferrerKind.HEALTH, 25),
    (codes.ReferrerKind.POLICE, 14),
    (codes.ReferrerKind.FAMILY, 16),
    (codes.ReferrerKind.SOCIAL_CARE, 10),
    (codes.ReferrerKind.OTHER_PROFESSIONAL, 5),
    (codes.ReferrerKind.HOUSING, 2),
    (codes.ReferrerKind.SELF, 2),
    (codes.ReferrerKind.ANONYMOUS, 1),
)
REFERRER_NAMES = {
    codes.ReferrerKind.PROVIDER: ("Registered manager", "Northshire Home Care"),
    codes.ReferrerKind.HEALTH: ("District nurse", "Northshire Community Health NHS Trust"),
    codes.ReferrerKind.POLICE: ("PC on the vulnerable adults team", "Northshire Police"),
    codes.ReferrerKind.FAMILY: ("A family member", ""),
    codes.ReferrerKind.SOCIAL_CARE: ("Allocated worker", "Northshire Council adult social care"),
    codes.ReferrerKind.OTHER_PROFESSIONAL: ("Bank fraud team", "A high street bank"),
    codes.ReferrerKind.HOUSING: ("Housing officer", "Northshire Homes"),
    codes.ReferrerKind.SELF: ("", ""),
    codes.ReferrerKind.ANONYMOUS: ("", ""),
}
WHAT = {
    T.NEGLECT: "Carers missing calls; found without food or medication taken",
    T.FINANCIAL: "Money going from her account that she cannot explain; a relative has her card",
    T.PHYSICAL: "Unexplained bruising on both arms; says she was pushed",
    T.PSYCHOLOGICAL: "Shouted at and threatened by someone in the house; frightened to speak",
    T.SELF_NEGLECT: "Home in very poor condition, refusing help, not eating",
    T.ORGANISATIONAL: "Several residents left in wet beds for hours; staff shortages",
    T.DOMESTIC: "Partner controlling her phone and money; police called twice",
    T.SEXUAL: "Disclosed unwanted touching by someone she knows",
    T.DISCRIMINATORY: "Repeated abuse about his disability from neighbours",
    T.SEXUAL_EXPLOITATION: "Being made to do things in return for somewhere to stay",
    T.MODERN_SLAVERY: "Working long hours for no pay; documents held by others",
}
RAO = (
    (codes.RiskAssessmentOutcome.IDENTIFIED_ACTION, 63),
    (codes.RiskAssessmentOutcome.IDENTIFIED_NO_ACTION, 3),
    (codes.RiskAssessmentOutcome.INCONCLUSIVE_ACTION, 12),
    (codes.RiskAssessmentOutcome.INCONCLUSIVE_NO_ACTION, 3),
    (codes.RiskAssessmentOutcome.NONE_ACTION, 8),
    (codes.RiskAssessmentOutcome.NONE_NO_ACTION, 7),
    (codes.RiskAssessmentOutcome.CEASED, 4),
)
RISK_OUTCOME = (
    (codes.RiskOutcome.REDUCED, 70),
    (codes.RiskOutcome.REMOVED, 20),
    (codes.RiskOutcome.REMAINED, 10),
)
CAPACITY = (
    (codes.LackedCapacity.YES, 25),
    (codes.LackedCapacity.NO, 60),
    (codes.LackedCapacity.DONT_KNOW, 5),
    ("", 10),
)
MSP = (
    (codes.MspAsked.EXPRESSED, 75),
    (codes.MspAsked.NOT_EXPRESSED, 10),
    (codes.MspAsked.NO, 8),
    (codes.MspAsked.DONT_KNOW, 2),
    ("", 5),
)
ACHIEVED = ((codes.MspAchieved.FULLY, 65), (codes.MspAchieved.PARTIALLY, 30), (codes.MspAchieved.NOT, 5))
NO_ENQUIRY = (
    (codes.NoEnquiryOutcome.INFORMATION_AND_ADVICE, 45),
    (codes.NoEnquiryOutcome.REFERRAL_ELSEWHERE, 30),
    (codes.NoEnquiryOutcome.NO_FURTHER_ACTION, 25),
)
OUTCOMES_WANTED = (
    "To feel safe at home",
    "To keep seeing my family but have my money back",
    "For the carers to come on time",
    "To stay in my flat",
    "For it to stop",
)


def _pick(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _age(born: dt.date | None, on: dt.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def build_safeguarding(*, seed: int, system: User, today: dt.date) -> int:
    """Write the concerns and everything after them; returns how many concerns. Deterministic for a seed."""
    from openasc.people.models import Person

    rng = random.Random(seed * 104_729 + 7)
    hub = Team.objects.filter(code="safeguarding").first()
    if hub is None:
        return 0
    people = list(
        Person.objects.filter(merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", "date_of_birth", "date_of_death", "primary_support_reason")
    )
    if not people:
        return 0
    weights = []
    for _, born, _, psr in people:
        age = _age(born, today) or 50
        w = 1.0 if age < 65 else (2.5 if age < 85 else 4.0)
        if any(k in (psr or "").lower() for k in ("memory", "learning disability")):
            w *= 2
        weights.append(w)
    days = (today - FIRST_DAY).days
    n = min(MAX_CONCERNS, round(len(people) * PER_PERSON_A_YEAR * days / 365))
    front = User.objects.filter(role=Role.FRONT_DOOR, is_active=True).order_by("pk").first() or system
    nhs = User.objects.filter(role=Role.NHS_PARTNER, is_active=True).order_by("pk").first() or front
    lead = User.objects.filter(role=Role.SAFEGUARDING_LEAD, is_active=True).order_by("pk").first() or system
    officers = list(User.objects.filter(role=Role.SOCIAL_WORKER, is_active=True).order_by("pk"))
    demo_officer = next((u for u in officers if u.username == "socialworker"), None)
    chosen = rng.choices(people, weights=weights, k=n)
    received = sorted(FIRST_DAY + dt.timedelta(days=rng.randint(0, days)) for _ in range(n))
    rows = []
    for (pid, born, died, _), on in zip(chosen, received, strict=True):
        age = _age(born, on)
        if (age is not None and age < 18) or (died and died <= on):
            continue
        rows.append((pid, on))
    made = 0
    for start in range(0, len(rows), BATCH):
        made += _batch(
            rng,
            rows[start : start + BATCH],
            hub=hub,
            front=front,
            nhs=nhs,
            lead=lead,
            officers=officers,
            demo_officer=demo_officer,
            system=system,
            today=today,
        )
    _reviews(rng, system, today)
    return made


def _batch(rng, rows, *, hub, front, nhs, lead, officers, demo_officer, system, today) -> int:
    concerns, enquiries, plans = [], [], []
    rels: list[CareRelationship] = []
    c_status, e_status, lines, meetings = [], [], [], []
    for pid, on in rows:
        kind = _pick(rng, REFERRERS)
        name, organisation = REFERRER_NAMES[kind]
        risk = _pick(rng, TYPES)
        due = calendar.add_working_days(on, calendar.decision_days())
        raised_by = nhs if kind == codes.ReferrerKind.HEALTH and rng.random() < 0.2 else front
        waiting = (today - on).days <= 3 or (due < today and rng.random() < 0.002)
        c = Concern(
            person_id=pid,
            received_on=on,
            raised_by=raised_by,
            raised_at=_at(on, rng.randint(9, 16)),
            referrer_kind=kind,
            referrer_name=name,
            referrer_organisation=organisation,
            what_happened=WHAT[risk],
            consent=_pick(
                rng,
                (
                    (codes.Consent.GIVEN, 70),
                    (codes.Consent.OVERRIDDEN, 10),
                    (codes.Consent.LACKS_CAPACITY, 15),
                    (codes.Consent.NOT_ASKED, 5),
                ),
            ),
            harm_person_known=codes.HarmPersonKnown.YES
            if rng.random() < 0.7
            else codes.HarmPersonKnown.UNKNOWN,
            team=hub,
            decision_due_on=due,
            status=ConcernStatus.AWAITING_DECISION,
        )
        if c.consent == codes.Consent.OVERRIDDEN:
            c.consent_override_reason = "Others at risk in the same household"
        rel = CareRelationship(
            person_id=pid,
            kind=RelationshipKind.SAFEGUARDING_ENQUIRY,
            team=hub,
            starts_at=c.raised_at,
            created_by=raised_by,
        )
        c._rel, c._risk, c._enquiry = rel, risk, None
        c_status.append((c, ConcernStatus.AWAITING_DECISION, c.raised_at, raised_by, "Concern received"))
        if not waiting:
            decided = min(today, calendar.add_working_days(on, rng.randint(0, 3)))
            c.decided_on, c.decided_by = decided, lead
            if rng.random() < 0.30:
                s42 = rng.random() < 0.95
                c.status = ConcernStatus.ENQUIRY
                c.care_and_support_needs = c.abuse_or_neglect = True
                c.unable_to_protect = s42
                c.decision = codes.ConcernDecision.SECTION_42 if s42 else codes.ConcernDecision.OTHER_ENQUIRY
                c.decision_reason = "" if s42 else "Carer at risk; an enquiry is proportionate"
                c._enquiry = _enquiry(rng, c, s42, officers, demo_officer, today)
            else:
                c.status = ConcernStatus.NO_ENQUIRY
                c.care_and_support_needs = True
                c.abuse_or_neglect = rng.random() < 0.3
                c.unable_to_protect = False
                c.decision = codes.ConcernDecision.NO_ENQUIRY
                c.no_enquiry_outcome = _pick(rng, NO_ENQUIRY)
                c.decision_reason = "Support arranged without an enquiry; advice given"
                rel.ends_at = _at(decided, 17)
            c_status.append((c, c.status, _at(decided, 15), lead, "Decided"))
        concerns.append(c)
        rels.append(rel)
    with audit.bulk(
        actor=system, action=AuditAction.CREATE, reason="Synthetic council: safeguarding history"
    ):
        CareRelationship.objects.bulk_create(rels, batch_size=1000)
        for c in concerns:
            c.team_relationship = c._rel
        Concern.objects.bulk_create(concerns, batch_size=1000)
        ConcernStatusChange.objects.bulk_create(
            [
                ConcernStatusChange(concern=c, status=s, changed_at=at, changed_by=by, note=note)
                for c, s, at, by, note in c_status
            ],
            batch_size=1000,
        )
        officer_rels = []
        for c in concerns:
            e = c._enquiry
            if e is None:
                continue
            e.concern, e.person_id, e.team = c, c.person_id, c.team
            if e.officer is not None:
                r = CareRelationship(
                    person_id=c.person_id,
                    kind=RelationshipKind.SAFEGUARDING_ENQUIRY,
                    user=e.officer,
                    starts_at=_at(e.started_on, 11),
                    created_by=lead,
                )
                if e.closed_on:
                    r.ends_at = _at(e.closed_on, 16)
                e.officer_relationship = r
                officer_rels.append(r)
            if e.closed_on:
                c._rel.ends_at = _at(e.closed_on, 16)
            enquiries.append(e)
        CareRelationship.objects.bulk_create(officer_rels, batch_size=1000)
        for e in enquiries:
            e.officer_relationship_id = e.officer_relationship.pk if e.officer_relationship else None
        Enquiry.objects.bulk_create(enquiries, batch_size=1000)
        ended = [c._rel for c in concerns if c._rel.ends_at and c._enquiry is not None]
        CareRelationship.objects.bulk_update(ended, ["ends_at"], batch_size=1000)
        for e in enquiries:
            e_status.append(
                EnquiryStatusChange(
                    enquiry=e,
                    status=EnquiryStatus.PLANNING,
                    changed_at=_at(e.started_on, 11),
                    changed_by=lead,
                    note="Started",
                )
            )
            for status, day in e._history:
                e_status.append(
                    EnquiryStatusChange(
                        enquiry=e,
                        status=status,
                        changed_at=_at(day, 14),
                        changed_by=e.officer or lead,
                        note="",
                    )
                )
            meetings.append(
                StrategyMeeting(
                    enquiry=e,
                    person_id=e.person_id,
                    kind=codes.MeetingKind.DISCUSSION,
                    held_on=min(today, e.started_on + dt.timedelta(days=1)),
                    attendees="Safeguarding adults hub; referrer; police where a crime is alleged",
                    agencies="|".join(rng.sample(["police", "health", "provider", "housing"], k=2)),
                    decisions="Section 42 enquiry to proceed; the adult to be seen within five working days",
                    actions="Enquiry officer to visit; provider to review the care plan",
                    recorded_by=lead,
                    recorded_at=_at(min(today, e.started_on + dt.timedelta(days=1)), 16),
                )
            )
            for _ in range(1 + (rng.random() < 0.3)):
                source = _pick(rng, SOURCES)
                lines.append(
                    Allegation(
                        enquiry=e,
                        person_id=e.person_id,
                        type_of_risk=e.concern._risk
                        if not lines or lines[-1].enquiry is not e
                        else _pick(rng, TYPES),
                        location_of_risk=_pick(rng, LOCATIONS),
                        source_of_risk=source,
                        source_description=rng.choice(WHO[source]),
                        recorded_by=e.officer or lead,
                        recorded_at=_at(e.started_on, 15),
                    )
                )
            if e._plan:
                plans.append(
                    ProtectionPlan(
                        enquiry=e,
                        person_id=e.person_id,
                        agreed_on=e._plan[0],
                        summary="Daily calls from the home care provider; bank to stop third-party withdrawals",
                        review_due_on=e._plan[1],
                        ended_on=e.closed_on,
                        recorded_by=e.officer or lead,
                        recorded_at=_at(e._plan[0], 16),
                    )
                )
        EnquiryStatusChange.objects.bulk_create(e_status, batch_size=1000)
        StrategyMeeting.objects.bulk_create(meetings, batch_size=1000)
        Allegation.objects.bulk_create(lines, batch_size=1000)
        ProtectionPlan.objects.bulk_create(plans, batch_size=1000)
    return len(concerns)


def _enquiry(rng, c, s42: bool, officers, demo_officer, today) -> Enquiry:
    start = c.decided_on
    age = (today - start).days
    officer = None
    if officers and (age > 3 or rng.random() < 0.5):
        officer = (
            demo_officer if (demo_officer and age < 120 and rng.random() < 0.15) else rng.choice(officers)
        )
    e = Enquiry(
        kind=codes.EnquiryKind.SECTION_42 if s42 else codes.EnquiryKind.OTHER,
        other_reason="" if s42 else "Carer at risk; an enquiry is proportionate",
        started_on=start,
        status=EnquiryStatus.PLANNING,
        officer=officer,
        created_by=c.decided_by,
        created_at=_at(start, 11),
    )
    e._history, e._plan = [], None
    working = rng.randint(20, 130)
    if officer is not None and age > 5:
        e.status = EnquiryStatus.IN_PROGRESS
        e._history.append((EnquiryStatus.IN_PROGRESS, start + dt.timedelta(days=min(age, 5))))
        if rng.random() < 0.4:
            agreed = start + dt.timedelta(days=min(age, 10))
            e._plan = (agreed, agreed + dt.timedelta(days=rng.choice((28, 42, 56))))
    if officer is not None and age > working:
        concluded = start + dt.timedelta(days=working)
        e.status, e.concluded_on = EnquiryStatus.CONCLUDED, concluded
        e._history.append((EnquiryStatus.CONCLUDED, concluded))
        e.risk_assessment_outcome = _pick(rng, RAO)
        if e.risk_assessment_outcome in codes.RISK_IDENTIFIED:
            e.risk_outcome = _pick(rng, RISK_OUTCOME)
        e.lacked_capacity = _pick(rng, CAPACITY)
        if e.lacked_capacity == codes.LackedCapacity.YES:
            e.supported_by_advocate = rng.random() < 0.8
        e.msp_asked = _pick(rng, MSP)
        if e.msp_asked == codes.MspAsked.EXPRESSED:
            e.msp_desired_outcomes = rng.choice(OUTCOMES_WANTED)
            e.msp_achieved = _pick(rng, ACHIEVED)
        e.conclusion = "Enquiry concluded; the adult's wishes recorded and the protection plan agreed"
        close = concluded + dt.timedelta(days=rng.randint(0, 21))
        if close <= today and rng.random() < 0.9:
            e.status, e.closed_on = EnquiryStatus.CLOSED, close
            e._history.append((EnquiryStatus.CLOSED, close))
            e.closure_note = "Closed: no further safeguarding action needed"
    if e._plan and e.closed_on is None and e.concluded_on is None and rng.random() < 0.7:
        # a plan still running is reviewed on time, mostly: its next review is ahead
        e._plan = (e._plan[0], today + dt.timedelta(days=rng.randint(1, 40)))
    return e


def _reviews(rng, system, today) -> None:
    """Two Safeguarding Adults Reviews completed in 2025-26: one where the adult died, one where they survived."""
    adults = list(
        Enquiry.objects.filter(kind=codes.EnquiryKind.SECTION_42, concluded_on__year=2025)
        .order_by("pk")
        .values_list("person_id", flat=True)[:3]
    )
    if len(adults) < 3:
        return
    with audit.bulk(
        actor=system, action=AuditAction.CREATE, reason="Synthetic council: safeguarding reviews"
    ):
        for ref, completed, who in (
            ("SAR-2025-01", dt.date(2025, 11, 14), [(adults[0], codes.SarOutcome.DIED)]),
            (
                "SAR-2025-02",
                dt.date(2026, 2, 20),
                [(adults[1], codes.SarOutcome.SURVIVED), (adults[2], codes.SarOutcome.SURVIVED)],
            ),
        ):
            review = SafeguardingAdultsReview.objects.create(
                reference=ref,
                referred_on=completed - dt.timedelta(days=240),
                mandatory=True,
                started_on=completed - dt.timedelta(days=200),
                completed_on=completed,
                summary="Agencies did not share what each knew; the learning is in the board's action plan",
                recorded_by=system,
                recorded_at=_at(completed),
            )
            SarIndividual.objects.bulk_create(
                [SarIndividual(review=review, person_id=pid, outcome=outcome) for pid, outcome in who]
            )
