"""The invitation's QR code, drawn by segno (pure Python) as inline SVG or terminal text."""

from __future__ import annotations

import segno


def svg(url: str) -> str:
    code = segno.make(url, error="m")
    return str(code.svg_inline(scale=4, dark="#000", light="#fff", title="QR"))


def terminal(url: str) -> str:
    import io

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()
