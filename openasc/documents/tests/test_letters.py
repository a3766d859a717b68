"""Placeholders: known ones filled, unknown ones (and attribute tricks) named in the refusal."""

from __future__ import annotations

import pytest

from openasc.documents import letters


def test_known_placeholders_are_filled_and_missing_values_say_so():
    text = "Dear {first_name}, your budget is {plan_budget}."
    assert letters.fill(text, {"first_name": "Edith", "plan_budget": ""}) == (
        "Dear Edith, your budget is (not recorded)."
    )


@pytest.mark.parametrize(
    "text,unknown",
    [
        ("Dear {ful_name}", ["ful_name"]),
        ("{person_name.__class__}", ["person_name.__class__"]),
        ("{0} and {}", ["0", ""]),
        ("{first_name!r} {today:%Y}", ["first_name!r", "today:%Y"]),
        ("Dear {first_name}", []),
    ],
)
def test_unknown_placeholders_are_found(text, unknown):
    assert letters.unknown_placeholders(text) == unknown


def test_the_refusal_names_the_unknown_placeholder_and_what_may_be_used():
    errors = letters.check_template({"body": "Dear {ful_name}\n{first_name}", "subject": "Hello"})
    assert list(errors) == ["body"]
    assert errors["body"].startswith("{ful_name} is not a placeholder that can be filled from the record.")
    assert "{person_name}" in errors["body"] and "{review_due}" in errors["body"]


def test_fill_never_reaches_an_attribute():
    with pytest.raises(KeyError):
        letters.fill("{person_name.__class__}", {"person_name": "Edith"})


def test_every_placeholder_has_words_for_the_template_editors():
    assert all(words for words in letters.PLACEHOLDERS.values())
