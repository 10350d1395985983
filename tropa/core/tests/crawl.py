"""A small same-origin crawler over the test client, for the whole-site tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.test import Client

_LINK = re.compile(r'(?:href|src|action)="([^"#]+)')


@dataclass
class Visit:
    url: str
    status: int
    content_type: str
    body: str
    location: str


def crawl(client: Client, start: str = "/", limit: int = 200) -> Iterator[Visit]:
    """Every page reachable by GET from ``start`` through links, assets and redirects."""
    seen, queue = {start}, [start]
    while queue and len(seen) <= limit:
        url = queue.pop(0)
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        location = response.get("Location", "")
        yield Visit(url, response.status_code, response.get("Content-Type", ""), text, location)
        targets = [location] if location else []
        if "html" in response.get("Content-Type", ""):
            targets += _LINK.findall(text)
        for target in targets:
            absolute = urljoin(url, target.replace("&amp;", "&"))
            parts = urlsplit(absolute)
            if parts.netloc or absolute in seen or parts.path.startswith("/static/"):
                continue
            seen.add(absolute)
            queue.append(absolute)
