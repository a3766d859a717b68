"""No template builds a cell's markup by joining an HTML string to an escaped value: with autoescape on, `"<a ...>" ~
(name|e)` escapes the whole string, so the page shows the tag as text (it did, on the ASCOF and SALT detail pages and
in the API documentation). Markup is built with the macros in ui/markup.jinja instead."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
JOINED = re.compile(r"""["'][^"']*<[a-z/][^"']*["']\s*~\s*\([^()]*\|e\)|\([^()]*\|e\)\s*~\s*["'][^"']*<""")


def test_the_trap_is_real():
    env = Environment(autoescape=True)
    out = env.from_string('{% set h = "<b>" ~ (v|e) ~ "</b>" %}{{ h|safe }}').render(v="x")
    assert out == "&lt;b&gt;x&lt;/b&gt;"
    assert JOINED.search('{"html": "<b>" ~ (v|e) ~ "</b>"}')


def test_no_template_joins_markup_to_an_escaped_value():
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in ROOT.glob("**/jinja2/**/*.jinja")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if JOINED.search(line)
    ]
    assert found == [], "Build the markup with ui/markup.jinja's macros:\n" + "\n".join(found)


def test_the_macros_escape_once():
    from django.template import engines

    env = engines["jinja2"].env
    out = env.from_string(
        '{% from "ui/markup.jinja" import link %}{{ link("/p?a=1&b=2", "Tom & Jerry") }}'
    ).render()
    assert out == '<a class="govuk-link" href="/p?a=1&amp;b=2">Tom &amp; Jerry</a>'
