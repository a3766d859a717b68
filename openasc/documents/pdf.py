"""PDFs of the printable pages and letters, rendered by WeasyPrint from the same HTML as the page (ADR 0013).

The body of each document is one template (`documents/_plan.jinja`, ...) included both in the printable page (inside
the service's layout, with a print stylesheet) and in a bare page with `document.css` inlined, which WeasyPrint lays
out on A4 with the council's name and page numbers. WeasyPrint fetches nothing while rendering: every URL is refused
(no file:// reads, no requests to other servers), so what a worker typed can never make the server load something.
Fonts: Arial or its metric-compatible stand-ins (Liberation Sans, Arimo, Helvetica), as GOV.UK Frontend uses off
gov.uk; the GOV.UK Transport font is licensed only for GOV.UK.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.template.loader import render_to_string

CSS_PATH = Path(__file__).parent / "static" / "documents" / "document.css"
PDF_CONTENT_TYPE = "application/pdf"


@cache
def _css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def html(body_template: str, context: dict, request=None) -> str:
    """The standalone HTML the PDF is laid out from: the same body as the printable page."""
    return render_to_string(
        "documents/pdf.jinja", {**context, "body_template": body_template, "css": _css()}, request=request
    )


def render(body_template: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    nothing = URLFetcher(allowed_protocols=frozenset())  # refuse every URL (see the module docstring)
    document = HTML(string=html(body_template, context, request), url_fetcher=nothing, base_url=None)
    return document.write_pdf(
        pdf_tags=True
    )  # a tagged PDF: headings, tables and reading order for screen readers
