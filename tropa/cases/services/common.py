"""What the case services share: their error, the clock, search text, sealed free text."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tropa.core.errors import ServiceError
from tropa.crypto.fields import unseal

from ..models import Case, ServiceRecord
from ..places import search_names


class CaseError(ServiceError):
    """A request that cannot be carried out; the message is shown to the user."""


def _now() -> Any:
    return timezone.now()


def search_text_of(*parts: str) -> str:
    return " ".join(part for part in parts if part).casefold()


def _refresh_search_text(case: Case) -> None:
    record = ServiceRecord.objects.filter(person_id=case.person_id).first()
    # A listed city is searchable by every spelling of it ("Астана" finds "Astana").
    city = search_names(case.city_code) or case.city
    case.search_text = search_text_of(case.person.pseudonym, city, record.unit if record else "")
    # What a user who may not see the service record can search: no unit.
    case.logistics_search_text = search_text_of(case.person.pseudonym, city)


def unseal_text(obj: Any) -> str:
    return str(unseal(obj, "sealed", obj.sealed) or "")
