"""Case notes for the synthetic council: a few notes on each person the council is working with now.

Everyone with an open allocation (to a team, and often a named worker) gets one to five notes from the last year of
that involvement, written by their worker or by someone in the team who writes notes: visits, phone calls, emails,
meetings and the odd management decision, in the words a worker would use. About one in twelve is sensitive (most of
them safeguarding worries or decisions about family contact); about one in eight has an addendum added later by a
colleague; about one in twenty was corrected by its author a few minutes after writing it (two versions kept). Every
note has its first version, like a note written in the product.

Written in bulk, a batch of people at a time, inside `audit.bulk` (one summary event a batch, like the history), with
at most MAX_PEOPLE people given notes so that a county-sized demo stays quick to build.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from openasc.casenotes.models import CaseNote, CaseNoteAddendum, CaseNoteVersion, NoteKind
from openasc.core import access, audit
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, User

BATCH = 2000
MAX_PEOPLE = 20_000

KINDS = (
    (NoteKind.VISIT, 30),
    (NoteKind.PHONE_CALL, 38),
    (NoteKind.EMAIL, 10),
    (NoteKind.MEETING, 12),
    (NoteKind.MANAGEMENT_DECISION, 5),
    (NoteKind.OTHER, 5),
)

# (subject, body) per kind; {first} is the person's first name, {contact} their next of kin or "the family".
WORDING = {
    NoteKind.VISIT: (
        (
            "Home visit",
            "Visited {first} at home. {first} was dressed and sitting in the front room. Talked about how "
            "the mornings are going with the carers; {first} said the 8am call is often late. Agreed to raise it with "
            "the agency.",
        ),
        (
            "Home visit: equipment check",
            "Checked the perching stool and the raised toilet seat are being used. "
            "{first} is managing the stairs with the rail but is tired by the afternoon. Will ask OT to review.",
        ),
        (
            "Joint visit with the district nurse",
            "Visited with the district nurse. Skin is intact. {first} would like "
            "to go back to the lunch club on Thursdays; looked at transport options together.",
        ),
        (
            "Unannounced visit",
            "Called in as {first} did not answer the phone yesterday. All well: the handset had "
            "been left off the hook. Fridge had food in date.",
        ),
    ),
    NoteKind.PHONE_CALL: (
        (
            "Call from {contact}",
            "{contact} rang to say {first} had a fall on Sunday but did not go to hospital. No "
            "injuries reported. Discussed a pendant alarm; {contact} will talk it over with {first}.",
        ),
        (
            "Call to {first}",
            "Rang {first} to check the new care times. Happy with the change to 9am. No other concerns.",
        ),
        (
            "Call from the care agency",
            "The agency rang: two missed calls last week because of staff sickness. They "
            "have put a back-up carer on the rota. Told {first}.",
        ),
        (
            "Call from the GP surgery",
            "The practice nurse rang about {first}'s medication: a blister pack from "
            "Monday. Carers to prompt morning and evening.",
        ),
        (
            "Call to {contact}",
            "Rang {contact} about the financial assessment forms. They will post them back this "
            "week with the bank statements.",
        ),
    ),
    NoteKind.EMAIL: (
        (
            "Email from the provider",
            "The provider emailed the updated care plan and the rota for the next month. "
            "Saved to the record; nothing to act on.",
        ),
        (
            "Email to {contact}",
            "Sent {contact} the information about the carers' assessment and the local carers' "
            "centre, as asked.",
        ),
        (
            "Email from housing",
            "Housing confirmed the adaptation (level-access shower) is on the list for March.",
        ),
    ),
    NoteKind.MEETING: (
        (
            "Review meeting",
            "Met {first} and {contact}. The support is working well; {first} wants to keep the "
            "same hours. Goals updated: getting to the shops once a week with the support worker.",
        ),
        (
            "Hospital discharge meeting",
            "Discharge planning meeting on the ward. {first} is medically fit; home with "
            "reablement four times a day from Friday. Key safe to be fitted before then.",
        ),
        (
            "Multi-disciplinary meeting",
            "Discussed at the MDT. Agreed the OT will assess for a stair lift and the "
            "social worker will complete the carer's assessment for {contact}.",
        ),
    ),
    NoteKind.MANAGEMENT_DECISION: (
        (
            "Decision: short-term increase agreed",
            "Manager's decision: two extra calls a week for six weeks while "
            "{contact} recovers from an operation. To be reviewed at the end of the six weeks.",
        ),
        (
            "Decision: case to stay open",
            "Reviewed the case with the worker. Keep it open for a further month to see "
            "how the new package settles.",
        ),
    ),
    NoteKind.OTHER: (
        ("Letter sent", "Sent {first} the letter confirming the new care times, in large print."),
        ("Records check", "Checked the contact details with {first}: phone number and GP unchanged."),
    ),
}
SENSITIVE = (
    (
        NoteKind.PHONE_CALL,
        "Worry about money",
        "{contact} is worried that a neighbour has been collecting {first}'s "
        "pension and not handing all of it over. Discussed with the safeguarding hub; advice to visit jointly.",
    ),
    (
        NoteKind.VISIT,
        "Bruising seen on visit",
        "Noticed bruising on {first}'s forearm. {first} said it was from the "
        "door frame. Photographed with consent and discussed with the manager; no safeguarding concern raised at this "
        "stage, to be monitored.",
    ),
    (
        NoteKind.MANAGEMENT_DECISION,
        "Decision about family contact",
        "Manager's decision after the best-interests "
        "meeting: visits from the grandson to be supervised for now. Reasons recorded in the meeting notes.",
    ),
    (
        NoteKind.MEETING,
        "Strategy discussion",
        "Strategy discussion with the police and the safeguarding hub about "
        "the lodger. Actions agreed; next meeting in two weeks.",
    ),
)
ADDENDA = (
    "Spoke to the agency: the late calls were a rota error and are now fixed.",
    "{contact} rang back to confirm.",
    "GP has been told. No further action from us.",
    "Update: the equipment was delivered on Tuesday.",
    "Added after supervision: agreed with the manager to review in a month.",
)


def build_notes(*, seed: int, system: User, today: dt.date, max_people: int = MAX_PEOPLE) -> int:
    """Write the notes; returns how many. Deterministic for a seed and the people already built."""
    from openasc.people.models import Contact, Person

    rng = random.Random(seed * 104729 + 13)
    writers = set(access.roles_with(access.Capability.WRITE_NOTES)) - {"system"}
    members: dict[int, list[User]] = {}
    teams_of: dict[int, list[int]] = {}
    for user in (
        User.objects.filter(role__in=writers, is_active=True).prefetch_related("teams").order_by("pk")
    ):
        ids = [t.pk for t in user.teams.all()]
        teams_of[user.pk] = ids
        for t in ids:
            members.setdefault(t, []).append(user)
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
    end = min(timezone.make_aware(dt.datetime.combine(today, dt.time(17, 0))), timezone.now())
    kinds, weights = zip(*KINDS, strict=True)
    made = 0
    for start in range(0, len(people), BATCH):
        chunk = people[start : start + BATCH]
        first_names = dict(Person.objects.filter(pk__in=chunk).values_list("pk", "first_name"))
        next_of_kin: dict[int, str] = {}
        for pid, name in (
            Contact.objects.filter(person_id__in=chunk).order_by("pk").values_list("person_id", "name")
        ):
            next_of_kin.setdefault(pid, name)
        notes, plans = [], []
        for pid in chunk:
            info = involvement[pid]
            pool = members.get(info["team"]) or []
            worker = users.get(info["worker"])
            since = max(info["since"], end - dt.timedelta(days=365))
            words = {"first": first_names.get(pid, "They"), "contact": next_of_kin.get(pid, "the family")}
            for _ in range(rng.randint(1, 5)):
                author = (
                    worker
                    if worker and rng.random() < 0.8
                    else (rng.choice(pool) if pool else worker or system)
                )
                when = since + dt.timedelta(
                    seconds=rng.randint(0, max(60, int((end - since).total_seconds())))
                )
                when = min(when.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59)), end)
                if rng.random() < 0.08:
                    kind, subject, body = rng.choice(SENSITIVE)
                    sensitive = True
                else:
                    kind = rng.choices(kinds, weights=weights)[0]
                    subject, body = rng.choice(WORDING[kind])
                    sensitive = False
                written = min(when + dt.timedelta(minutes=rng.randint(10, 600)), end)
                edited = rng.random() < 0.05
                note = CaseNote(
                    person_id=pid,
                    kind=kind,
                    occurred_at=when,
                    subject=subject.format(**words)[:200],
                    body=body.format(**words),
                    present=words["first"] if kind in (NoteKind.VISIT, NoteKind.MEETING) else "",
                    sensitive=sensitive,
                    author=author,
                    created_at=written,
                    updated_at=written + dt.timedelta(minutes=7) if edited else written,
                    version=2 if edited else 1,
                )
                notes.append(note)
                addendum = None
                if rng.random() < 0.12:
                    adder = rng.choice(pool) if pool else author
                    addendum = (
                        adder,
                        rng.choice(ADDENDA).format(**words),
                        min(written + dt.timedelta(days=rng.randint(1, 20)), end),
                    )
                plans.append((note, author, addendum))
        with audit.bulk(
            actor=system,
            action=AuditAction.CREATE,
            reason="Demo: synthetic case notes",
            details={"people": len(chunk)},
        ):
            CaseNote.objects.bulk_create(notes, batch_size=1000)
            versions, addenda, team_rows = [], [], []
            for note, author, addendum in plans:
                for v in range(1, note.version + 1):
                    versions.append(
                        CaseNoteVersion(
                            note_id=note.pk,
                            version=v,
                            kind=note.kind,
                            occurred_at=note.occurred_at,
                            subject=note.subject if v == note.version else note.subject.lower(),
                            body=note.body,
                            present=note.present,
                            sensitive=note.sensitive,
                            saved_by=author,
                            saved_at=note.created_at if v == 1 else note.updated_at,
                            reason="" if v == 1 else "Corrected a typing mistake",
                        )
                    )
                for team_id in teams_of.get(author.pk, []):
                    team_rows.append(CaseNote.teams.through(casenote_id=note.pk, team_id=team_id))
                if addendum:
                    adder, text, at = addendum
                    addenda.append(
                        CaseNoteAddendum(note_id=note.pk, body=text, written_by=adder, written_at=at)
                    )
            CaseNoteVersion.objects.bulk_create(versions, batch_size=2000)
            CaseNoteAddendum.objects.bulk_create(addenda, batch_size=2000)
            CaseNote.teams.through.objects.bulk_create(team_rows, batch_size=2000)
        made += len(notes)
    return made


def reset_notes() -> None:
    """Delete every case note (demo databases only), before the history they may point at is removed: the history's
    reset deletes requests, assessments, plans, services and reviews without cascading, so a note linked to one of
    them would stop it (`openasc demo --reset` should call this first)."""
    from django.db import transaction

    # (no audit event: the demo reset wipes the audit trail next, demo databases only)
    with transaction.atomic(), audit.exempt_from_safety_net():
        for model in (CaseNoteAddendum, CaseNoteVersion, CaseNote.teams.through, CaseNote.contacts.through):
            model.objects.all()._raw_delete(model.objects.db)
        CaseNote.objects.all()._raw_delete(CaseNote.objects.db)
