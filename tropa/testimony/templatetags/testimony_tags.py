from typing import Any

from django import template

from ..vocabulary import (
    ActKind,
    ConsentHow,
    ConsentStatus,
    HowKnown,
    Involvement,
    Oblast,
    RecipientKind,
    RecordingMethod,
    Reliability,
    VictimKind,
)

register = template.Library()

_VOCABULARIES: dict[str, Any] = {
    "act": ActKind,
    "consent": ConsentStatus,
    "how": ConsentHow,
    "known": HowKnown,
    "involvement": Involvement,
    "oblast": Oblast,
    "recipient": RecipientKind,
    "method": RecordingMethod,
    "grade": Reliability,
    "victim": VictimKind,
}


@register.filter
def label(code: str, vocabulary: str) -> str:
    """The translated label of a code of one of testimony's vocabularies."""
    choices = dict(_VOCABULARIES[vocabulary].choices)
    return str(choices.get(code, code or "—"))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
