"""Name keys that make person search tolerant of typos, swapped names and missing middle names."""

from __future__ import annotations

import re
import unicodedata

_NON_LETTERS = re.compile(r"[^a-z]")
_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def fold(name: str) -> str:
    """Lower-case ASCII letters only: 'O'Brien-Smith' -> 'obriensmith', 'Zoë' -> 'zoe'."""
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    return _NON_LETTERS.sub("", ascii_name.lower())


def sound_key(name: str) -> str:
    """A Soundex-style key (letter + 3 digits) so that 'Smyth' finds 'Smith' and 'Jonson' finds 'Johnson'."""
    letters = fold(name)
    if not letters:
        return ""
    first = letters[0]
    digits = []
    previous = _CODES.get(first, "")
    for ch in letters[1:]:
        code = _CODES.get(ch, "")
        if code and code != previous:
            digits.append(code)
        if ch not in "hw":
            previous = code
    return (first.upper() + "".join(digits) + "000")[:4]


def tokens(text: str) -> list[str]:
    return [t for t in (fold(p) for p in re.split(r"[\s,]+", text or "")) if t]
