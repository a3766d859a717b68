"""Presenters of the budget pages on plain values: money through pounds, both sides of every rule."""

from openasc.finance import presenters


def test_trend_says_the_direction_in_words_and_hides_the_arrow_from_screen_readers():
    assert str(presenters.trend(3)) == '<span aria-hidden="true">▲</span> up 3'
    assert str(presenters.trend(-1250, money=True)) == '<span aria-hidden="true">▼</span> down £12.50'
    assert str(presenters.trend(0)) == '<span aria-hidden="true">→</span> no change'
    assert presenters.trend(None) == "–"


def test_variance_tag_overspend_underspend_on_budget_and_none():
    assert presenters.variance_tag(1)["text"] == "Overspend"
    assert presenters.variance_tag(-1)["text"] == "Underspend"
    assert presenters.variance_tag(0)["text"] == "On budget"
    assert presenters.variance_tag(None) is None


def test_unit_costs_say_per_week_or_per_hour():
    assert presenters.unit_cost(85000, "week") == "£850.00 a week"
    assert presenters.unit_cost(2150, "hour") == "£21.50 an hour"
    assert presenters.unit_cost(None, "week") == "–"
    assert presenters.unit_cost(0, "hour") == "£0.00 an hour"
