from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from tropa.cases.forms import IdentityForm

register = template.Library()


@register.filter
def identity_labels(parts: dict[str, Any]) -> list[str]:
    """The chosen identity fields by their labels (names only, never values)."""
    labels = IdentityForm.base_fields
    return [str(labels[name].label) for name in parts.get("identity", []) if name in labels]


@register.filter
def expired(grant: Any) -> bool:
    return bool(grant.expires_at <= timezone.now())


@register.filter
def consent_how(code: str) -> str:
    from tropa.sharing.models import ConsentHow

    return str(dict(ConsentHow.choices).get(code, code))
