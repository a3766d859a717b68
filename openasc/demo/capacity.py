"""Mental capacity, best interests, advocacy and consent for the synthetic council.

Of the people the council is working with now (an open allocation), those supported with memory and cognition or a
learning disability are the ones whose capacity is most often assessed: about one in four of them has a capacity
assessment for a real decision (where to live, accepting care at home, managing money, a medical treatment), and one
in thirty of everyone else. Most people with dementia assessed for a big decision are found to lack capacity for it;
most others are found to have it (the presumption holds). About four in five of the "lacks capacity" assessments have
their best-interests decision, about one in eight an IMCA referral (a change of accommodation or serious medical
treatment, when no family could be consulted). About one in thirty people had Care Act s.67 advocacy considered (a duty
where the difficulty is substantial and no one appropriate can support them, about half of them), and about one in six
has a consent to share record (one in sixteen of those a refusal). The council's advocacy providers are set up as local reference data.

Written in bulk, inside `audit.bulk` (one summary event a batch), deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from openasc.capacity import reference
from openasc.capacity.models import (
    AdvocacyDuty,
    BestInterestsDecision,
    CapacityAssessment,
    ConsentBasis,
    ConsentToShare,
    ImcaReason,
    ImcaReferral,
    InvolvementIn,
    Outcome,
)
from openasc.core import access, audit
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, User

BATCH = 2000
MAX_PEOPLE = 20_000
PROVIDERS = (
    "Northshire Advocacy Hub",
    "Voiceability Northshire",
    "Northshire Carers and Advocacy Partnership",
)
LIKELY = ("memory", "learning disability")  # primary support reasons (lower-cased) assessed most often

# (decision, impairment when there is one, what they could not do, the steps taken, the best-interests options)
DECISIONS = (
    (
        "Where to live on discharge from hospital",
        "Vascular dementia, diagnosed by the memory clinic",
        "could not weigh the risk of falls at night against the support on offer at home",
        "Met on the ward in the quiet room, with glasses and hearing aid, and a family member there",
        (
            ("Home with four calls a day and a falls sensor", "Own home, familiar routine", "Falls at night"),
            ("A residential care home", "Staff on hand day and night", "Distress at the move, loss of home"),
        ),
    ),
    (
        "Whether to accept care at home",
        "Alzheimer's disease",
        "could not retain what the carers would do long enough to decide",
        "Explained over two visits with a picture timetable of the calls",
        (
            ("Two calls a day from a home care agency", "Meals and medication prompted", "May refuse carers"),
            (
                "No formal care, family to visit more",
                "No strangers in the home",
                "Missed meals and medication",
            ),
        ),
    ),
    (
        "Managing their money and paying bills",
        "A learning disability",
        "could not use or weigh what the bills mean for what is left to live on",
        "Easy-read information, a support worker they know, several short conversations",
        (
            ("Appointeeship by the council", "Bills paid on time", "Less control over money"),
            ("Family member to help informally", "Familiar person", "No oversight, past concerns"),
        ),
    ),
    (
        "Whether to have a dental extraction under general anaesthetic",
        "A learning disability with autism",
        "could not understand what the operation involves or why it is needed",
        "Social story of the hospital visit, accessible leaflets, a visit to the unit beforehand",
        (
            ("Extraction under general anaesthetic", "End of the pain", "Risks of anaesthesia, distress"),
            ("Pain relief and monitoring", "No operation", "Continuing pain and infection"),
        ),
    ),
    (
        "Contact with a family member",
        "Frontotemporal dementia",
        "could not weigh the risk from the relative against wanting to see them",
        "Talked through at a good time of day, with the support worker present",
        (
            ("Supervised visits", "Keeps the relationship", "Some ongoing risk"),
            ("No contact for now", "Safest", "Loss of an important relationship"),
        ),
    ),
)
CONSULTED_ROLES = (
    "daughter",
    "son",
    "wife",
    "husband",
    "niece",
    "sister",
    "friend",
    "attorney (health and welfare)",
)
SHARED = (
    ("The care and support plan and the risk assessment", "Northshire Community Health\nTheir GP practice"),
    ("The needs assessment", "The home care agency"),
    ("Hospital discharge information", "Northshire General Hospital discharge team"),
    ("Contact details and the care plan", "Northshire Housing"),
)


def _providers(system: User) -> None:
    have = set(reference_values())
    for name in PROVIDERS:
        if name not in have:
            reference.provider_add(actor=system, name=name)


def reference_values() -> list[str]:
    return [r.value for r in reference.providers(include_inactive=True)]


def build_capacity(*, seed: int, system: User, today: dt.date, max_people: int = MAX_PEOPLE) -> int:
    """Write the records; returns how many. Deterministic for a seed and the people already built."""
    from openasc.people.models import Contact, Person

    rng = random.Random(seed * 7919 + 31)
    _providers(system)
    assessors = set(access.roles_with(access.Capability.ASSESS)) - {"system"}
    members: dict[int, list[User]] = {}
    for user in (
        User.objects.filter(role__in=assessors, is_active=True).prefetch_related("teams").order_by("pk")
    ):
        for t in user.teams.all():
            members.setdefault(t.pk, []).append(user)
    users = {u.pk: u for team in members.values() for u in team}
    involvement: dict[int, dict] = {}
    for rel in (
        CareRelationship.objects.filter(
            kind__in=[RelationshipKind.ALLOCATED_TEAM, RelationshipKind.ALLOCATED_WORKER],
            ends_at__isnull=True,
        )
        .order_by("person_id", "pk")
        .values("person_id", "kind", "team_id", "user_id", "starts_at")
    ):
        entry = involvement.setdefault(
            rel["person_id"], {"since": rel["starts_at"], "team": None, "worker": None}
        )
        if rel["kind"] == RelationshipKind.ALLOCATED_TEAM:
            entry["team"] = rel["team_id"]
        elif rel["user_id"] in users:
            entry["worker"] = rel["user_id"]
    people = sorted(involvement)[:max_people]
    now = timezone.now()
    made = 0
    for start in range(0, len(people), BATCH):
        chunk = people[start : start + BATCH]
        info = {
            p["pk"]: p
            for p in Person.objects.filter(pk__in=chunk).values("pk", "first_name", "primary_support_reason")
        }
        kin: dict[int, str] = {}
        for pid, name in (
            Contact.objects.filter(person_id__in=chunk).order_by("pk").values_list("person_id", "name")
        ):
            kin.setdefault(pid, name)
        assessments, decisions, duties, consents, imcas = [], [], [], [], []
        for pid in chunk:
            who = involvement[pid]
            pool = members.get(who["team"]) or []
            worker = users.get(who["worker"]) or (rng.choice(pool) if pool else None)
            if worker is None:
                continue
            psr = (info.get(pid, {}).get("primary_support_reason") or "").lower()
            likely = any(word in psr for word in LIKELY)
            since = max(who["since"].date(), today - dt.timedelta(days=365))
            span = max(1, (today - since).days)

            def day(after: dt.date = since, within: int = span) -> dt.date:
                return min(today, after + dt.timedelta(days=rng.randint(0, max(0, within))))

            family = kin.get(pid, "")
            if rng.random() < (0.25 if likely else 0.033):
                decision, impairment, unable, steps, options = rng.choice(DECISIONS)
                lacks = rng.random() < (0.7 if likely else 0.25)
                on = day()
                c = CapacityAssessment(
                    person_id=pid,
                    decision=decision,
                    assessed_on=on,
                    assessor=f"{worker.display_name}, {worker.get_role_display().lower()}",
                    location=rng.choice(("Their home", "On the ward", "The day centre", "Their care home")),
                    present=family,
                    impairment=lacks or rng.random() < 0.5,
                    impairment_detail=impairment,
                    understand=True,
                    understand_evidence="Could say in their own words what the decision is about",
                    retain=True,
                    retain_evidence="Remembered the options when asked again later in the visit",
                    use_weigh=not lacks,
                    use_weigh_evidence=f"They {unable}"
                    if lacks
                    else "Talked through the pros and cons of each",
                    communicate=True,
                    communicate_evidence="Told me clearly what they want",
                    nexus=True if lacks else None,
                    nexus_evidence="The difficulty follows from the impairment, as the clinic describes"
                    if lacks
                    else "",
                    support_steps=steps,
                    outcome=Outcome.LACKS_CAPACITY if lacks else Outcome.HAS_CAPACITY,
                    recorded_by=worker,
                    recorded_at=min(now, timezone.make_aware(dt.datetime.combine(on, dt.time(16, 30)))),
                )
                if not c.impairment:
                    c.impairment_detail = ""
                assessments.append((c, lacks, options, family))
            if rng.random() < 0.05:
                hard = rng.random() < 0.6
                has_someone = bool(family) and rng.random() < 0.6
                duty = hard and not has_someone
                on = day()
                duties.append(
                    AdvocacyDuty(
                        person_id=pid,
                        involvement_in=rng.choice(
                            (InvolvementIn.NEEDS_ASSESSMENT, InvolvementIn.PLANNING, InvolvementIn.REVIEW)
                        ),
                        considered_on=on,
                        difficulty_understand=hard and rng.random() < 0.5,
                        difficulty_retain=False,
                        difficulty_use_weigh=hard,
                        difficulty_communicate=hard and rng.random() < 0.3,
                        difficulty_evidence="Needed a lot of help to weigh up the options" if hard else "",
                        appropriate_individual=has_someone,
                        appropriate_individual_name=family if has_someone else "",
                        duty=duty,
                        referral_made=duty,
                        provider=rng.choice(PROVIDERS) if duty else "",
                        referred_on=min(today, on + dt.timedelta(days=rng.randint(0, 3))) if duty else None,
                        outcome="Advocate allocated" if duty else "",
                        recorded_by=worker,
                        recorded_at=min(now, timezone.make_aware(dt.datetime.combine(on, dt.time(15, 0)))),
                    )
                )
            if rng.random() < 0.25:
                what, agencies = rng.choice(SHARED)
                refused = rng.random() < 0.0625
                on = day()
                consents.append(
                    ConsentToShare(
                        person_id=pid,
                        what=what,
                        agencies=agencies,
                        basis=ConsentBasis.REFUSED if refused else ConsentBasis.GIVEN,
                        recorded_on=on,
                        review_on=on + dt.timedelta(days=365),
                        recorded_by=worker,
                        recorded_at=min(now, timezone.make_aware(dt.datetime.combine(on, dt.time(11, 0)))),
                    )
                )
        with audit.bulk(
            actor=system,
            action=AuditAction.CREATE,
            reason="Demo: synthetic capacity assessments, advocacy and consent",
            details={"people": len(chunk)},
        ):
            CapacityAssessment.objects.bulk_create([a[0] for a in assessments], batch_size=1000)
            for c, lacks, options, family in assessments:
                if not lacks:
                    continue
                if rng.random() < 0.8:
                    consulted = (
                        [{"name": family, "role": rng.choice(CONSULTED_ROLES)}]
                        if family
                        else [{"name": "The care home manager", "role": "paid carer"}]
                    )
                    decisions.append(
                        BestInterestsDecision(
                            person_id=c.person_id,
                            capacity_assessment_id=c.pk,
                            consulted=consulted,
                            wishes="Has always said that home and family matter most to them",
                            options=[{"option": o, "benefits": b, "risks": r} for o, b, r in options],
                            least_restrictive=options[0][0],
                            decision=f"{options[0][0]}, to be reviewed in six weeks",
                            decision_maker=c.assessor,
                            decided_on=min(today, c.assessed_on + dt.timedelta(days=rng.randint(0, 7))),
                            recorded_by=c.recorded_by,
                            recorded_at=c.recorded_at,
                        )
                    )
                if not family and rng.random() < 0.2:
                    medical = "anaesthetic" in c.decision
                    imcas.append(
                        ImcaReferral(
                            person_id=c.person_id,
                            capacity_assessment_id=c.pk,
                            reason=ImcaReason.SERIOUS_MEDICAL_TREATMENT
                            if medical
                            else ImcaReason.ACCOMMODATION,
                            reason_detail=c.decision,
                            no_one_appropriate=True,
                            provider=rng.choice(PROVIDERS),
                            referred_on=c.assessed_on,
                            recorded_by=c.recorded_by,
                            recorded_at=c.recorded_at,
                        )
                    )
            BestInterestsDecision.objects.bulk_create(decisions, batch_size=1000)
            ImcaReferral.objects.bulk_create(imcas, batch_size=1000)
            AdvocacyDuty.objects.bulk_create(duties, batch_size=1000)
            ConsentToShare.objects.bulk_create(consents, batch_size=1000)
        made += len(assessments) + len(decisions) + len(imcas) + len(duties) + len(consents)
    return made
