"""Who a piece of text could be: the one matcher behind person search and the duplicate check on a new record.

`parse_query` splits what was typed into identifiers (NHS number, person id, date of birth, postcode, names);
`candidates` turns them into an indexed query; `score` ranks each candidate by its names. Search filters the
candidates by the access rules and audits what it shows; the duplicate check runs the same matcher over everyone,
so a record that search would find (a nickname, a misspelt surname, middle names or not, either order) is never
added twice without the worker saying it is someone else.

What is understood, each with a worked example in people/tests/test_matching.py:
- a 10-digit NHS number, with or without spaces, in any script's digits;
- a person id: "P0003001", "p3001", or a number on its own ("3001");
- a date of birth: 14/02/1941, 14-2-1941, 1941-02-14, "14 Feb 1941", "14th February 1941";
- a year of birth beside a name ("Smith 1941");
- a full postcode anywhere in the text, or its outward code ("NE1");
- names in any order: "Terence Smith", "Smith Terence", "Smith, Terence Peter" (the results list's own form),
  "Smith Ann Pauline", with or without middle names, tolerant of typos (sound keys and fuzzy ratios).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet
from rapidfuzz import fuzz

from openasc.core import nhs_number
from openasc.core.validation import normalise_query, postcode_key
from openasc.people.names import fold, sound_key, tokens

_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# "14 Feb 1941", "14th February 1941", "14 Sept. 1941"
_WRITTEN_DATE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(_MONTHS) + r")[a-z]*\.?,?\s+(\d{4})\b", re.IGNORECASE
)
_LA_ID = re.compile(r"^P(\d{1,9})$", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\d{1,9}$")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2})\b", re.IGNORECASE)
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$", re.IGNORECASE)

MAX_CANDIDATES = 2000
MAX_NAME_TOKENS = 4  # more words than a first, two middle and a last name add nothing but work

# Names must score at least this (0-100) to be shown. Where the candidates already share an exact date of birth
# (or date of birth and postcode), the names need less: "Terry Smyth" born 14 Feb 1941 at NE1 4AB is worth asking
# about when "Terence Peter Smith" has the same date of birth and postcode.
THRESHOLD_ONE_NAME = 60.0
THRESHOLD_NAMES = 70.0
THRESHOLD_NAMES_WITH_DOB = 60.0
THRESHOLD_NAMES_WITH_DOB_AND_POSTCODE = 50.0


@dataclass
class ParsedQuery:
    nhs_number: str = ""
    la_person_id: str = ""  # as shown back ("P0003001")
    la_person_ids: tuple[str, ...] = ()  # every form it may be stored in
    date_of_birth: dt.date | None = None
    birth_year: int | None = None
    postcode: str = ""
    outward_code: str = ""
    names: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.names
            or self.nhs_number
            or self.la_person_id
            or self.date_of_birth
            or self.birth_year
            or self.postcode
            or self.outward_code
        )


def _person_id_forms(digits: str) -> tuple[str, ...]:
    """The person ids a number may mean: this product's P + 7 digits, and the number as typed (with and without P)."""
    forms = [f"P{int(digits):07d}", f"P{digits}", digits]
    return tuple(dict.fromkeys(forms))


def parse_query(text: str) -> ParsedQuery:
    """Split free text into the identifiers it holds: NHS number, person id, date of birth, postcode, names."""
    parsed = ParsedQuery()
    raw = normalise_query(text).strip()  # NFKC, digits as 0-9 (an NHS number in any script), no control chars
    digits = nhs_number.normalise(raw)
    if digits.isdigit() and len(digits) == 10:
        parsed.nhs_number = digits
        return parsed
    pc = _POSTCODE.search(raw)
    if pc:
        parsed.postcode = postcode_key(pc.group(1))
        raw = raw.replace(pc.group(1), " ")
    written = _WRITTEN_DATE.search(raw)
    if written:
        day, month, year = written.groups()
        with contextlib.suppress(ValueError):  # "31 Feb 1941" is no date: the rest of the search still runs
            parsed.date_of_birth = dt.date(int(year), _MONTHS.index(month[:3].lower()) + 1, int(day))
        raw = raw[: written.start()] + " " + raw[written.end() :]
    words, numbers = [], []
    for word in raw.replace(",", " ").split():
        d = _DATE.match(word) or _ISO_DATE.match(word)
        if d:
            try:
                a, b, c = (int(x) for x in d.groups())
                parsed.date_of_birth = dt.date(a, b, c) if _ISO_DATE.match(word) else dt.date(c, b, a)
            except ValueError:
                pass
            continue
        la = _LA_ID.match(word)
        if la:
            parsed.la_person_id = f"P{int(la.group(1)):07d}"
            parsed.la_person_ids = _person_id_forms(la.group(1))
            continue
        if _BARE_NUMBER.match(word):
            numbers.append(word)
            continue
        if not parsed.postcode and _OUTWARD.match(word) and any(ch.isdigit() for ch in word):
            parsed.outward_code = word.upper()
            continue
        words.append(word)
    parsed.names = _name_tokens(" ".join(words), text)
    for number in numbers:
        # A number on its own is a person id; beside a name, a four-digit year is the year of birth.
        year = int(number)
        if (parsed.names or parsed.postcode) and len(number) == 4 and 1880 <= year <= dt.date.today().year:
            parsed.birth_year = year
        elif not (parsed.names or parsed.la_person_id or parsed.date_of_birth) and len(numbers) == 1:
            parsed.la_person_id = f"P{int(number):07d}"
            parsed.la_person_ids = _person_id_forms(number)
    return parsed


def _name_tokens(words: str, original: str) -> list[str]:
    """Name words, with "Last, First Middle" (a comma after the first word) put in the usual order."""
    names = tokens(words)[:MAX_NAME_TOKENS]
    before, comma, after = original.partition(",")
    if comma and len(tokens(before)) == 1 and tokens(after) and names and names[0] == tokens(before)[0]:
        names = names[1:] + names[:1]
    return names


def _starts_with(field_name: str, prefix: str) -> Q:
    """`field_name` starts with `prefix` (a folded key: lower-case a-z only), in a form every database can index.

    PostgreSQL serves LIKE 'abc%' from the `_like` (pattern_ops) index Django makes for these keys. SQLite
    cannot use an index for LIKE (it is case-insensitive there), so it also gets the equivalent range
    abc <= key < abd, which its last_key / first_key indexes serve; the LIKE stays, so the rows are the same.
    """
    q = Q(**{f"{field_name}__startswith": prefix})
    if connection.vendor == "sqlite" and prefix:
        q &= Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)})
    return q


def _name_pair(first: str, last: str) -> Q:
    fs, ls = sound_key(first), sound_key(last)
    return (
        Q(first_sound=fs, last_sound=ls)
        | (Q(first_sound=fs) & _starts_with("last_key", last[:3]))
        | (Q(last_sound=ls) & _starts_with("first_key", first[:2]))
    )


def name_pairs(names: list[str]) -> list[tuple[str, str]]:
    """The (first name, last name) readings of several name words: the last name is the first word or the last
    ("Terence Peter Smith", "Smith Terence Peter"), the first name any other word."""
    pairs: list[tuple[str, str]] = []
    for last in dict.fromkeys((0, len(names) - 1)):
        for first in range(len(names)):
            pair = (names[first], names[last])
            if first != last and pair not in pairs:
                pairs.append(pair)
    return pairs


def candidates(parsed: ParsedQuery, queryset: QuerySet) -> QuerySet:
    """Live records in `queryset` (people; the caller's, which says whose records are searched) that could be the
    person described: an indexed filter, before scoring."""
    # NOT (merged_into IS NOT NULL) selects exactly the rows merged_into__isnull=True does, but it does not
    # let SQLite (which has no planner statistics unless ANALYZE has run) pick the merged_into index, which
    # every live record shares, and read the whole table through it instead of the name/date/postcode keys.
    qs = queryset.exclude(merged_into__isnull=False)
    if parsed.nhs_number:
        return qs.filter(nhs_number=parsed.nhs_number)
    if parsed.la_person_id:
        return qs.filter(la_person_id__in=parsed.la_person_ids or (parsed.la_person_id,))
    if parsed.date_of_birth:
        qs = qs.filter(date_of_birth=parsed.date_of_birth)
    elif parsed.birth_year:
        qs = qs.filter(
            date_of_birth__gte=dt.date(parsed.birth_year, 1, 1),
            date_of_birth__lte=dt.date(parsed.birth_year, 12, 31),
        )
    if parsed.postcode:
        qs = qs.filter(postcode_key=parsed.postcode)
    elif parsed.outward_code:
        qs = qs.filter(postcode_key__startswith=parsed.outward_code)
    names = parsed.names
    if parsed.date_of_birth and parsed.postcode:
        return qs  # a handful of people share a birthday and a postcode: the names are left to the scoring
    if names:
        if len(names) == 1:
            n = names[0]
            qs = qs.filter(
                Q(last_sound=sound_key(n)) | Q(first_sound=sound_key(n)) | _starts_with("last_key", n[:4])
            )
        else:
            # First and last in either order; middle names may be missing from the query or the record;
            # a typo may change the sound key of one of the two names, but rarely both.
            match = Q(pk__in=[])
            for first, last in name_pairs(names):
                match |= _name_pair(first, last)
            qs = qs.filter(match)
    return qs


def score(person, parsed: ParsedQuery) -> float:
    """0-100: how well the names match (100 when nothing but identifiers was given)."""
    if not parsed.names:
        return 100.0
    if len(parsed.names) == 1:
        n = parsed.names[0]
        return max(
            fuzz.ratio(n, person.last_key),
            fuzz.ratio(n, person.first_key),
            100.0 * (len(n) >= 3 and person.last_key.startswith(n)),
        )
    query = " ".join(parsed.names)
    straight = f"{person.first_key} {person.last_key}"
    full = " ".join(fold(p) for p in (person.first_name, person.middle_names, person.last_name) if p)
    return max(fuzz.token_sort_ratio(query, straight), fuzz.token_set_ratio(query, full))


def closeness(person, parsed: ParsedQuery) -> float:
    """Among equal scores, the record whose whole name is nearest what was typed comes first: token_set_ratio gives
    "Peter Smith" 100 for "Terence Peter Smith" (every word of the shorter name is in the longer), so both tie."""
    full = " ".join(fold(p) for p in (person.first_name, person.middle_names, person.last_name) if p)
    return fuzz.token_sort_ratio(" ".join(parsed.names), full)


def threshold(parsed: ParsedQuery) -> float:
    if len(parsed.names) <= 1:
        return THRESHOLD_ONE_NAME
    if parsed.date_of_birth and parsed.postcode:
        return THRESHOLD_NAMES_WITH_DOB_AND_POSTCODE
    if parsed.date_of_birth:
        return THRESHOLD_NAMES_WITH_DOB
    return THRESHOLD_NAMES


# What scoring and ordering read (see score).
SCORE_FIELDS = ("pk", "first_key", "last_key", "first_name", "middle_names", "last_name")


def best_matches(parsed: ParsedQuery, queryset: QuerySet, *, limit: int) -> list[tuple[object, float]]:
    """(light row, score) of the candidates in `queryset` good enough to show, best first."""
    if connection.vendor == "sqlite":
        # Which candidates are kept when there are more than MAX_CANDIDATES: SQLite used to return them in
        # id order (it read them through the merged_into index); keep that order now that it reads the name
        # keys. PostgreSQL keeps its plan (an ORDER BY id there walks the primary key and filters: far slower).
        queryset = queryset.order_by("pk")
    # Score light rows holding only what score() and the ordering read: building up to MAX_CANDIDATES model
    # instances cost more than the query and the scoring together.
    rows = list(queryset.values_list(*SCORE_FIELDS, named=True)[:MAX_CANDIDATES])
    floor = threshold(parsed)
    scored = [(r, s) for r, s in ((r, score(r, parsed)) for r in rows) if s >= floor]
    if len(parsed.names) > 1:
        scored.sort(
            key=lambda rs: (-rs[1], -closeness(rs[0], parsed), rs[0].last_key, rs[0].first_key, rs[0].pk)
        )
    else:
        scored.sort(key=lambda rs: (-rs[1], rs[0].last_key, rs[0].first_key, rs[0].pk))
    return scored[:limit]
