"""GOV.UK pagination for any list split into pages (django.core.paginator), in one place."""

from __future__ import annotations

from urllib.parse import urlencode


def pagination(page, base: dict, *, label: str) -> dict | None:
    """Parameters for the GOV.UK pagination macro, with ellipses for long lists; None when there is one page.

    `base` holds the list's other query parameters (a filter, a search), kept on every page's link; `label` names
    the navigation landmark ("Pages of case notes")."""
    if page.paginator.num_pages <= 1:
        return None

    def href(n: int) -> str:
        return "?" + urlencode({**base, "page": n})

    current, last = page.number, page.paginator.num_pages
    items, previous = [], 0
    for n in sorted({1, last, *range(max(1, current - 1), min(last, current + 1) + 1)}):
        if n - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == current})
        previous = n
    params: dict = {"items": items, "landmarkLabel": label}
    if page.has_previous():
        params["previous"] = {"href": href(page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": href(page.next_page_number())}
    return params
