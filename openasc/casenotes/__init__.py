"""Case notes (issue 13, item 1): dated, typed notes of contact and decisions on a person's record.

Where each decision is written down:

- kinds are TextChoices, not reference codes: models.py (ADR 0005 is about the national lists the returns use);
- who may write notes (Capability.WRITE_NOTES, and why not NHS partners): core/access.py;
- the edit window (OPENASC_CASE_NOTE_EDIT_MINUTES), versions and addenda: services.py;
- who reads a sensitive note (the author, the teams the author was in when writing it, OPENASC_SENSITIVE_NOTE_ROLES),
  and what everyone else sees of it in the list, a search, the API and on a note's page: selectors.py;
- why a sensitive note stays on the timeline as "A sensitive note (restricted)": timeline.py;
- why the API takes every field loosely (so an invalid POST reports every field at once): api.py.

Pages: /notes/people/<person id> (the list and search), /notes/people/<person id>/new, /notes/<id>,
/notes/<id>/edit, /notes/<id>/addendum. API: /api/notes/people/<person id> (GET list, POST create),
/api/notes/<id> (GET), /api/notes/<id>/addenda (POST).
"""
