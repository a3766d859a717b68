"""The axe helper itself: it must fail on real problems and excuse only the documented GOV.UK ones."""

import pytest

from openasc.ui.tests.accessibility import AccessibilityError, assert_accessible, axe_violations

pytestmark = pytest.mark.system

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title></head>
<body><header><p>Council</p></header><main><h1>Heading</h1>{body}</main></body></html>"""


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    yield context.new_page()
    context.close()


def test_a_clean_page_passes(page):
    page.set_content(PAGE.format(title="Clean", body="<p>Nothing wrong here.</p>"))
    assert_accessible(page)


def test_violations_are_listed_with_rule_impact_and_target(page):
    page.set_content(
        PAGE.format(
            title="Broken",
            body=(
                '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="photo">'
                '<input type="text" id="nameless">'
                '<p style="color:#bbb;background:#fff" id="faint">Faint text</p>'
            ),
        )
    )
    with pytest.raises(AccessibilityError) as failure:
        assert_accessible(page)
    report = str(failure.value)
    assert "- image-alt (critical)" in report and "at #photo" in report
    assert "- label (critical)" in report and "at #nameless" in report
    assert "- color-contrast (serious)" in report and "at #faint" in report


def test_error_summary_needs_error_title_focus_and_working_links(page):
    page.set_content(
        PAGE.format(
            title="Sign in",
            body=(
                '<div class="govuk-error-summary"><h2>There is a problem</h2>'
                '<ul class="govuk-error-summary__list"><li><a href="#missing">Enter your username</a></li></ul></div>'
            ),
        )
    )
    with pytest.raises(AccessibilityError) as failure:
        assert_accessible(page)
    report = str(failure.value)
    assert 'title does not start "Error: "' in report
    assert "did not receive focus" in report
    assert "points at #missing, which is not on the page" in report


def test_only_govuk_conditional_reveal_inputs_are_excused(page):
    radios = (
        "<fieldset><legend>Why?</legend>"
        '<input class="govuk-radios__input" type="radio" name="r" id="r1" aria-controls="c1" aria-expanded="false">'
        '<label for="r1">Other</label><div id="c1" hidden></div></fieldset>'
    )
    page.set_content(PAGE.format(title="Radios", body=radios))
    rules = [v.rule for v in axe_violations(page)]
    assert "aria-allowed-attr" not in rules

    page.set_content(PAGE.format(title="Radios", body=radios.replace("govuk-radios__input", "my-radio")))
    assert "aria-allowed-attr" in [v.rule for v in axe_violations(page)]
