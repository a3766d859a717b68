"""Spreadsheet cells that cannot run: every CSV and XLSX the product writes passes its values through `safe_cell`.

A value a spreadsheet would read as a formula (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``, ``@SUM(...)``) is
written with a single quote in front, the OWASP advice for CSV injection, so that Excel, LibreOffice and Google
Sheets show it as text instead of running it. The rule:

- Only strings are changed. Python ints, floats, Decimals, dates, datetimes, booleans and None are returned as they
  are: they are numbers and dates, never formulas.
- A string is neutralised when its first character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, or
  when its first character after leading whitespace is one of ``= + - @`` (spreadsheets skip the blanks), or the
  full-width forms of those four (some spreadsheets read ``＝`` as ``=``).
- A string that is a plain number (ASCII digits with an optional sign, decimal point and exponent, like ``-5.00`` or
  ``+3``) is left as it is: it cannot call anything, and the Client Level Data file must carry amounts such as a
  negative adjustment exactly as the record holds them. ``-1+1`` or ``+44 20 7946 0000`` are not plain numbers and
  get the quote.

`append_row` is the XLSX side: it appends the safe values and makes sure openpyxl stores every string as a string
(data type ``s``), never as a formula (``f``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = frozenset("=+-@＝＋－＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def needs_quote(text: str) -> bool:
    """True when a spreadsheet would treat `text` as a formula (see the module's rule)."""
    if not text:
        return False
    if text[0] in "\t\r":
        return True
    stripped = text.lstrip()
    if not stripped or stripped[0] not in TRIGGERS:
        return False
    return not _PLAIN_NUMBER.fullmatch(stripped.rstrip())


def safe_cell(value: Any) -> Any:
    """`value` as a cell no spreadsheet will run: a formula-like string gets a leading single quote."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Every value of a CSV or XLSX row through `safe_cell`."""
    return [safe_cell(v) for v in values]


def safe_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A csv.DictWriter row with every value through `safe_cell`."""
    return {k: safe_cell(v) for k, v in row.items()}


def append_row(sheet, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet: values made safe, strings stored as strings (never formulas)."""
    sheet.append(safe_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
