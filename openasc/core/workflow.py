"""Explicit workflow state, declared as data: states, the transitions between them, who may make each.

A `Workflow` names the states of one kind of thing (a request, an assessment, a plan, a review), its status rows
(a `StatusChange` subclass) and its `Transition`s: from which states, to which state, the capability that allows it
(core.access), and the audit action it writes. `apply` makes a transition on a record opened through
access.open_record: it checks the state and the actor, then sets the status, writes the status row and the audit
event in one transaction. A refused transition (wrong state, wrong role, a rule of the transition) writes nothing but
a refusal in the audit trail (access.refuse) and raises an error that says what the state is and what can be done.
`allowed` lists what a user may do now, so that a page shows only those buttons. See docs/adr/0010-workflows.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditAction, WriteOnce


class StatusChange(WriteOnce):
    """Abstract base: a concrete subclass adds a foreign key to the thing whose status changed."""

    changed_message = "Status rows are immutable: record a new transition instead."
    deleted_message = "Status rows are immutable."

    status = models.CharField(max_length=40)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["changed_at", "pk"]


# --- The opened record a write acts on -----------------------------------------------------------------------------


def require_record(record) -> access.OpenedRecord:
    """A write service is handed the record opened by access.open_record, never a bare person or a basis."""
    if not isinstance(record, access.OpenedRecord):
        raise TypeError(
            f"Pass the record opened by openasc.core.access.open_record, not {type(record).__name__}"
        )
    return record


def require_belongs(record: access.OpenedRecord, obj, *, field: str, what: str) -> None:
    """Refuse to change something (a request, an assessment, a plan...) that is not in the record that was opened:
    the access decision and its audit event were about that person, not this one."""
    require_record(record)
    if obj is not None and getattr(obj, "person_id", None) != record.person_id:
        raise ValidationFailed(
            {
                field: f"This {what} belongs to another person's record, not the record opened "
                f"({record.person.la_person_id}): open that person's record to change it"
            }
        )


# --- Listeners: other contexts react to a transition, in the same transaction ---------------------------------------


@dataclass(frozen=True)
class Event:
    """What happened to something in a person's record: a workflow's transition (`name` is the transition, or "begin"
    for the first status row), or a change that is not a workflow's (an allocation) announced by its service."""

    workflow: str
    name: str
    record: access.OpenedRecord
    obj: Any
    previous: str
    state: str
    details: dict[str, Any] = field(default_factory=dict)


_LISTENERS: list[Callable[[Event], None]] = []


def listen(fn: Callable[[Event], None]) -> Callable[[Event], None]:
    """Register `fn(event)` to run after every transition (and `announce`), inside its transaction: what it writes
    commits or rolls back with the transition, and an error in it refuses the transition. Registered once, from an
    app's ready() (the worktray opens and closes its tasks this way)."""
    if fn not in _LISTENERS:
        _LISTENERS.append(fn)
    return fn


def announce(event: Event) -> None:
    """Tell the listeners; the caller is inside the transaction that made the change."""
    for fn in list(_LISTENERS):
        fn(event)


# --- The declarative kit -------------------------------------------------------------------------------------------


class TransitionRefused(ValidationFailed):
    """A transition that cannot be made from the current state, or that a rule of it forbids: a field error (so a
    page or the API shows it against the field named), after the refusal was audited."""

    def __init__(self, errors: dict[str, str], *, workflow: str, transition: str, state: str):
        super().__init__(errors)
        self.workflow = workflow
        self.transition = transition
        self.state = state


@dataclass(frozen=True)
class Transition:
    """One move between states: its name, the states it may start from, where it goes, who may make it.

    `capability`: one capability, or a tuple of which any will do (core.access.Capability). `also`: someone else who
    may make it without the capability (the person who recorded a request may cancel it). `rule`: a further check
    on the thing itself, returning the reason it cannot be done (a manager does not sign off their own work).
    `label` is what a button says; `field` is the field a refusal is reported against."""

    name: str
    source: frozenset[str]
    target: str
    capability: str | tuple[str, ...]
    audit_action: str = AuditAction.UPDATE
    label: str = ""
    done: str = ""  # what the thing is once it is made, for messages: "triaged", "signed off"
    field: str = ""
    refused: str = ""  # what a role without the capability is told
    also: Callable[[Any, Any], bool] | None = None
    rule: Callable[[Any, Any], str] | None = None

    def __post_init__(self):
        object.__setattr__(self, "source", frozenset(self.source))
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " ").capitalize())
        if not self.done:
            object.__setattr__(self, "done", self.name.replace("_", " ") + "ed")

    @property
    def capabilities(self) -> tuple[str, ...]:
        return (self.capability,) if isinstance(self.capability, str) else tuple(self.capability)

    def permits(self, user, obj) -> bool:
        """Whether `user`'s role (or, with `also`, their part in the thing) lets them make this transition."""
        return any(access.has(user, c) for c in self.capabilities) or bool(
            self.also and user is not None and user.is_authenticated and self.also(user, obj)
        )


@dataclass(frozen=True)
class Workflow:
    """The states and transitions of one kind of thing, and the status rows its transitions write.

    `status_model` is the StatusChange subclass whose foreign key `parent_field` points at the thing; `states` maps
    each state to its label (a TextChoices works); `noun` is how errors name the thing ("request")."""

    name: str
    noun: str
    status_model: type[StatusChange]
    parent_field: str
    states: dict[str, str]
    initial: str
    transitions: tuple[Transition, ...]
    status_field: str = "status"
    _by_name: dict[str, Transition] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        states = dict(getattr(self.states, "choices", None) or self.states)
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "transitions", tuple(self.transitions))
        if self.initial not in states:
            raise ValueError(
                f"Workflow {self.name}: the initial state {self.initial!r} is not one of its states"
            )
        for t in self.transitions:
            unknown = (set(t.source) | {t.target}) - set(states)
            if unknown:
                raise ValueError(
                    f"Workflow {self.name}: transition {t.name} names unknown states {sorted(unknown)}"
                )
            if t.name in self._by_name:
                raise ValueError(f"Workflow {self.name}: two transitions are called {t.name}")
            self._by_name[t.name] = t

    # --- reading -----------------------------------------------------------------------------------------------

    def transition(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValueError(f"Workflow {self.name} has no transition {name!r}") from None

    def state_of(self, obj) -> str:
        return getattr(obj, self.status_field)

    def label(self, state: str) -> str:
        return str(self.states.get(state, state))

    def possible(self, state: str) -> list[Transition]:
        """The transitions that can start from `state`, whoever asks."""
        return [t for t in self.transitions if state in t.source]

    def allowed(self, user, obj) -> list[Transition]:
        """What `user` may do to `obj` now (state, role and rules), in the order declared: for a page's buttons."""
        state = self.state_of(obj)
        return [
            t for t in self.possible(state) if t.permits(user, obj) and not (t.rule and t.rule(user, obj))
        ]

    def may(self, user, obj, name: str) -> bool:
        return any(t.name == name for t in self.allowed(user, obj))

    # --- checking and writing ------------------------------------------------------------------------------------

    def _refusal(self, user, obj, t: Transition) -> tuple[str, str] | None:
        """(kind, message) when `user` may not make `t` on `obj` now: "role", "state" or "rule"."""
        if not t.permits(user, obj):
            return "role", t.refused or f"Your role cannot {t.label.lower()} a {self.noun}."
        state = self.state_of(obj)
        if state not in t.source:
            sources = " or ".join(
                self.label(s).lower() for s in sorted(t.source, key=list(self.states).index)
            )
            now = [x.label.lower() for x in self.possible(state)]
            then = (
                f"From here it can only be: {', '.join(now)}." if now else "Nothing more can be done to it."
            )
            article = "an" if self.noun[:1] in "aeiou" else "a"
            return "state", (
                f"This {self.noun} is {self.label(state).lower()}: it cannot be {t.done} (only {article} "
                f"{self.noun} that is {sources} can be). {then}"
            )
        reason = t.rule(user, obj) if t.rule else ""
        if reason:
            return "rule", reason
        return None

    def check(self, record: access.OpenedRecord, obj, name: str) -> Transition:
        """Refuse now, before any work is done, a transition `record.user` may not make on `obj`: the refusal is
        audited against the person (access.refuse) and raised, AccessDenied for a role, TransitionRefused for the
        state or a rule. Call it outside the transaction that writes, so the refusal stays in the trail."""
        require_belongs(record, obj, field=self.transition(name).field or self.noun, what=self.noun)
        t = self.transition(name)
        if obj.pk is not None:  # decide on the state as it is now, not as the caller's copy last saw it
            obj.refresh_from_db(fields=[self.status_field])
        refusal = self._refusal(record.user, obj, t)
        if refusal is None:
            return t
        kind, message = refusal
        purpose = f"{self.name}: {t.name}"
        if kind == "role":
            raise access.refuse(
                record.user, person_id=record.person_id, purpose=purpose, explanation=message, obj=obj
            )
        access.refuse(record.user, person_id=record.person_id, purpose=purpose, explanation=message, obj=obj)
        raise TransitionRefused(
            {t.field or self.noun: message}, workflow=self.name, transition=t.name, state=self.state_of(obj)
        )

    def apply(
        self,
        record: access.OpenedRecord,
        obj,
        name: str,
        *,
        note: str = "",
        reason: str = "",
        details: dict[str, Any] | None = None,
        fields: Iterable[str] = (),
    ) -> StatusChange:
        """Make transition `name` on `obj` for the record's user: set the status (and save `fields` the caller
        changed with it), write the status row and the audit event (with the record's basis), in one transaction.
        Refused as `check` refuses; nothing is written but the refusal. The caller locks `obj` first
        (select_for_update) when two people may act on it at once; check it, too, before its own transaction opens,
        since a refusal audited inside a transaction that then rolls back is lost with it."""
        t = self.check(record, obj, name)
        before = self.state_of(obj)
        with transaction.atomic():
            setattr(obj, self.status_field, t.target)
            obj.save(update_fields=list(dict.fromkeys([self.status_field, *fields])))
            row = self.status_model.objects.create(
                **{self.parent_field: obj},
                status=t.target,
                changed_at=timezone.now(),
                changed_by=record.user,
                note=note,
            )
            audit.record(
                actor=record.user,
                action=t.audit_action,
                obj=obj,
                basis=record.basis,
                reason=reason,
                details={
                    "workflow": self.name,
                    "transition": t.name,
                    "previous_status": before,
                    "status": t.target,
                    **(details or {}),
                },
            )
            announce(Event(self.name, t.name, record, obj, before, t.target, dict(details or {})))
        return row

    def begin(self, record: access.OpenedRecord, obj, *, note: str = "") -> StatusChange:
        """The first status row of something just created in the initial state (its creation is audited by the
        service that made it, with what was created)."""
        require_belongs(record, obj, field=self.noun, what=self.noun)
        if self.state_of(obj) != self.initial:
            raise ValueError(
                f"A new {self.noun} starts {self.label(self.initial).lower()}, not "
                f"{self.label(self.state_of(obj)).lower()}"
            )
        with transaction.atomic():
            row = self.status_model.objects.create(
                **{self.parent_field: obj},
                status=self.initial,
                changed_at=timezone.now(),
                changed_by=record.user,
                note=note,
            )
            announce(Event(self.name, "begin", record, obj, "", self.initial))
        return row


__all__ = [
    "AccessDenied",
    "Event",
    "StatusChange",
    "Transition",
    "TransitionRefused",
    "Workflow",
    "announce",
    "listen",
    "require_belongs",
    "require_record",
]
