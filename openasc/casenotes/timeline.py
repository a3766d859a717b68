"""Case notes on the person's timeline, each linking to its note page.

A sensitive note is on the timeline for everyone who may open the record, as "A sensitive note (restricted)" with
its date and kind only: no subject, no author, and its subject and body are not even loaded (`selectors.
timeline_notes`). Why show it at all rather than leave it out: the timeline is the story of the person's care, and a
worker who opens the record must know that something happened on that day which they cannot read, so that they ask
the author's team or a manager before acting on an incomplete picture (a safeguarding concern, a decision about
contact with a relative). Its existence, date and kind are what they would learn from asking; what it says stays
with the people allowed to read it. The timeline is built for the person, not for the reader (`core.timeline`), so
even the author sees the placeholder there; the link opens the note for whoever may read it and refuses (audited)
everyone else.
"""

from __future__ import annotations

from openasc.casenotes import selectors
from openasc.casenotes.models import NoteKind
from openasc.core.timeline import TimelineEntry, href_for, register

RESTRICTED_TITLE = "A sensitive note (restricted)"


@register
def note_events(person):
    link = href_for("casenotes:detail")
    labels = dict(NoteKind.choices)
    for note in selectors.timeline_notes(person):
        kind = labels.get(note.kind, note.kind)
        if note.sensitive:
            yield TimelineEntry(
                when=note.occurred_at, title=RESTRICTED_TITLE, detail=kind, href=link(note.pk), kind="note"
            )
        else:
            yield TimelineEntry(
                when=note.occurred_at,
                title=f"{kind}: {note.shown_subject}",
                who=note.author.display_name,
                detail="Case note",
                href=link(note.pk),
                kind="note",
            )
