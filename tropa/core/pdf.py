"""PDF from Tropa's own HTML (WeasyPrint), never reaching out for anything."""

from __future__ import annotations

from typing import Any


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The documents are self-contained; a fetch could only leak that they are being made.
    raise ValueError("external resources are not loaded")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # ≈ 30 MB and a second to import: only when a PDF is made

    return bytes(HTML(string=html, url_fetcher=_no_fetching).write_pdf())
