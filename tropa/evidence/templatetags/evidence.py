"""Template filters of the evidence pages."""

from __future__ import annotations

from django import template

from ..naming import kind_in_words

register = template.Library()


@register.filter
def kind(mime: str) -> str:
    """``{{ item.mime|kind }}``: the type in words ("video"), in the user's language."""
    return kind_in_words(mime)
