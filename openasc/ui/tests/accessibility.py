"""Accessibility checks for the browser tests: axe-core through axe-playwright-python, plus GOV.UK rules.

Every whole-page check also checks reflow (WCAG 1.4.10): at 320 CSS pixels wide the page does not scroll sideways;
a wide table scrolls inside its own region (`.app-table-scroll`) instead.

`assert_accessible(page)` runs every WCAG 2.0, 2.1 and 2.2 level A and AA rule and axe's best-practice
rules against the page as it is now, and fails with one readable line per problem. Pages with an error
summary must also follow the GOV.UK Design System error pattern: the title starts "Error: ", the summary
has focus, and every link in it leads to something on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe

# axe-core tags: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and Deque's best practice.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]

# Rules switched off everywhere. None: every rule in TAGS runs on every page. The two known GOV.UK Frontend
# problems below are excused only on the elements concerned, so the rules still catch everything else.
DISABLED_RULES: dict[str, str] = {}

# rule id -> (CSS selector of the GOV.UK Frontend elements excused, text every failure message must contain
# for the excuse to apply (or ""), the documented reason).
KNOWN_FALSE_POSITIVES: dict[str, tuple[str, str, str]] = {
    # "All page content should be contained by landmarks" is best practice, not WCAG. The Design System says
    # to put the back link (and phase banner) before <main>, outside every landmark, so that "Skip to main
    # content" skips them: https://github.com/alphagov/govuk-frontend/issues/1604,
    # https://github.com/alphagov/govuk-frontend/issues/6460 and
    # https://design-system.service.gov.uk/components/back-link/#how-it-works
    "region": (
        ".govuk-back-link, .govuk-phase-banner, .govuk-skip-link",
        "",
        "GOV.UK back link and phase banner sit before <main> by design (govuk-frontend#1604)",
    ),
    # Radios and checkboxes with a conditionally revealed question get aria-expanded on the
    # <input type="radio|checkbox"> from GOV.UK Frontend's JavaScript; ARIA 1.2 no longer lists it for those
    # roles but screen readers announce it as intended, and GOV.UK Frontend keeps it deliberately:
    # https://github.com/alphagov/govuk-frontend/issues/979 (and https://github.com/w3c/aria/issues/1404).
    "aria-allowed-attr": (
        ".govuk-radios__input[aria-controls][aria-expanded], .govuk-checkboxes__input[aria-controls][aria-expanded]",
        "aria-expanded",
        "aria-expanded on a GOV.UK conditional-reveal input (govuk-frontend#979)",
    ),
}

_axe = Axe()


@dataclass
class Violation:
    rule: str
    impact: str
    help: str
    help_url: str
    targets: list[str]
    summaries: list[str]

    def __str__(self) -> str:
        lines = [f"- {self.rule} ({self.impact}): {self.help} <{self.help_url}>"]
        for target, summary in zip(self.targets, self.summaries, strict=True):
            lines.append(f"    at {target}")
            if summary:
                lines.extend(f"       {line.strip()}" for line in summary.splitlines() if line.strip())
        return "\n".join(lines)


class AccessibilityError(AssertionError):
    pass


def _target(node: dict) -> str:
    # A target is a list of selectors, one per shadow root or frame on the way to the element.
    return " >> ".join(t if isinstance(t, str) else " ".join(t) for t in node.get("target", []))


def _is_excused(page, rule: str, node: dict) -> bool:
    excuse = KNOWN_FALSE_POSITIVES.get(rule)
    if not excuse:
        return False
    selector, must_mention, _reason = excuse
    if must_mention:
        checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
        messages = [c.get("message", "") for c in checks if c.get("message")]
        if not messages or not all(must_mention in m for m in messages):
            return False
    return bool(
        page.evaluate(
            "([target, selector]) => { const el = document.querySelector(target); return !!el && el.matches(selector); }",
            [_target(node), selector],
        )
    )


def axe_violations(page, context: str | dict | None = None) -> list[Violation]:
    """Run axe on the page now and return what it found, less the documented GOV.UK Frontend exceptions."""
    options = {
        "runOnly": {"type": "tag", "values": TAGS},
        "rules": {rule: {"enabled": False} for rule in DISABLED_RULES},
        "resultTypes": ["violations"],
    }
    results = _axe.run(page, context=context, options=options)
    found = []
    for v in results.response["violations"]:
        nodes = [n for n in v["nodes"] if not _is_excused(page, v["id"], n)]
        if nodes:
            found.append(
                Violation(
                    rule=v["id"],
                    impact=v.get("impact") or "unknown",
                    help=v.get("help", ""),
                    help_url=v.get("helpUrl", "").split("?")[0],
                    targets=[_target(n) for n in nodes],
                    summaries=[n.get("failureSummary") or "" for n in nodes],
                )
            )
    return found


def error_summary_problems(page, *, expect_focus: bool = True, timeout_ms: int = 5000) -> list[str]:
    """The GOV.UK error pattern: "Error: " title, focus on the summary, every link pointing at a field.

    Focus is only expected on a page that has just loaded: once the user moves on, it is theirs.
    """
    summary = page.locator(".govuk-error-summary")
    if summary.count() == 0:
        return []
    problems = []
    title = page.title()
    if not title.startswith("Error: "):
        problems.append(f'the page has an error summary but its title does not start "Error: ": {title!r}')
    if expect_focus:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            # GOV.UK Frontend's ErrorSummary moves focus to the summary when its JavaScript starts.
            page.wait_for_function(
                "() => document.activeElement && document.activeElement.classList.contains('govuk-error-summary')",
                timeout=timeout_ms,
            )
        except PlaywrightTimeout:
            active = page.evaluate(
                "() => document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : null"
            )
            problems.append(f"the error summary did not receive focus (focus is on {active!r})")
    for link in page.locator(".govuk-error-summary__list a").all():
        href = link.get_attribute("href") or ""
        if not href.startswith("#") or len(href) < 2:
            problems.append(
                f"error summary link {link.inner_text()!r} does not point into the page: {href!r}"
            )
            continue
        if page.locator(f"[id={href[1:]!r}]").count() != 1:
            problems.append(
                f"error summary link {link.inner_text()!r} points at {href}, which is not on the page"
            )
    if summary.locator(".govuk-error-summary__list li").count() == 0:
        problems.append("the error summary lists no errors")
    return problems


def assert_accessible(page, context: str | dict | None = None, *, just_loaded: bool = True) -> None:
    """Fail, listing every problem (rule, impact, where), if the page breaks WCAG 2.2 AA or the error pattern.

    `just_loaded=False` for a page checked again after the user has done something on it (the error
    summary no longer needs focus then).
    """
    violations = axe_violations(page, context=context)
    problems = error_summary_problems(page, expect_focus=just_loaded)
    reflow = reflow_problems(page) if context is None else []
    if violations or problems or reflow:
        parts = [f"Accessibility problems on {page.url} ({page.title()!r}):"]
        parts.extend(str(v) for v in violations)
        parts.extend(f"- GOV.UK error pattern: {p}" for p in problems)
        parts.extend(reflow)
        raise AccessibilityError("\n".join(parts))


REFLOW_WIDTH = 320  # CSS pixels: WCAG 1.4.10 Reflow

# The outermost elements that stick out past the right edge at 320 px (their parent does not), so that a failure
# says where the overflow starts.
_OVERFLOWING = """(width) => {
  const out = [];
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || el.getBoundingClientRect().width === 0) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && sticksOut(parent)) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    out.push(name + ' (right edge ' + Math.round(el.getBoundingClientRect().right) + ' px)');
    if (out.length >= 5) break;
  }
  return out;
}"""


def reflow_problems(page) -> list[str]:
    """At 320 CSS pixels wide the page must not scroll sideways: each element that makes it do so, by name."""
    before = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": before["height"] if before else 900})
    try:
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide <= REFLOW_WIDTH:
            return []
        culprits = page.evaluate(_OVERFLOWING, REFLOW_WIDTH)
        return [
            f"- Reflow (WCAG 1.4.10): at {REFLOW_WIDTH} px wide the page is {wide} px wide and scrolls sideways; "
            f"sticking out: {', '.join(culprits) or 'no single element found'}"
        ]
    finally:
        if before:
            page.set_viewport_size(before)
