from django.core.paginator import Paginator

from openasc.ui.pagination import pagination


def numbers(params):
    return [i.get("number", "…") for i in params["items"]]


def test_one_page_needs_no_pagination():
    assert pagination(Paginator(range(10), 25).page(1), {}, label="Pages") is None


def test_the_first_last_and_neighbours_with_ellipses_between():
    pages = Paginator(range(250), 25)  # 10 pages
    middle = pagination(pages.page(5), {"q": "falls"}, label="Pages of notes")
    assert numbers(middle) == [1, "…", 4, 5, 6, "…", 10]
    assert middle["previous"] == {"href": "?q=falls&page=4"} and middle["next"] == {"href": "?q=falls&page=6"}
    assert [i["current"] for i in middle["items"] if "number" in i] == [False, False, True, False, False]
    first = pagination(pages.page(1), {}, label="Pages")
    assert numbers(first) == [1, 2, "…", 10] and "previous" not in first
    near_end = pagination(pages.page(9), {}, label="Pages")
    assert numbers(near_end) == [1, "…", 8, 9, 10] and near_end["landmarkLabel"] == "Pages"
    assert numbers(pagination(pages.page(3), {}, label="Pages")) == [
        1,
        2,
        3,
        4,
        "…",
        10,
    ]  # no ellipsis for none
