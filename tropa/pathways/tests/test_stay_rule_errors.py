"""An invalid stay rule is refused in the user's language, inner message included (issue 19).

``tropa.lib.stay`` speaks English and imports no Django; it names each problem by a code,
and the pathways app says it in words.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from tropa.accounts.models import Organization, User
from tropa.lib.stay import StayError, parse_rule
from tropa.pathways import services
from tropa.pathways.errors import PathwayError
from tropa.pathways.models import CountryProfile

ENGLISH_INNER = ("unknown rule", "use rolling", "the days allowed", "fewer than the window")


@pytest.mark.parametrize(
    ("rule", "code", "russian"),
    [
        ("90 days", "rule_unknown", "запишите его как rolling:ДНИ/ОКНО"),
        ("rolling:200/100", "rule_days_window", "меньше окна"),
        ("per-entry:0", "rule_days_range", "от 1 до 3660"),
        ("calendar-year:400", "rule_days_range", "от 1 до 366"),
    ],
)
def test_each_problem_is_said_in_russian(rule: str, code: str, russian: str) -> None:
    with pytest.raises(StayError) as raised:
        parse_rule(rule)
    assert raised.value.code == code
    with translation.override("ru"), pytest.raises(PathwayError) as refused:
        services.validate_stay_rule(rule)
    message = str(refused.value)
    assert message.startswith("Правило пребывания неверно: ")
    assert russian in message
    assert not any(english in message for english in ENGLISH_INNER)


def test_the_country_page_shows_it_in_russian(
    astana: Organization, coordinator: User, signed_in: Any
) -> None:
    services.load_starter(actor=coordinator, organization=astana)
    profile = CountryProfile.objects.filter(organization=astana, country="KZ").get()
    client = signed_in(coordinator)
    client.cookies["django_language"] = "ru"
    response = client.post(
        reverse("pathways:country", args=[profile.code]),
        {"transit": "on", "stay_rule": "rolling:200/100", "risk": "high"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    page = response.content.decode()
    assert "Правило пребывания неверно:" in page
    assert "меньше окна" in page
    assert not any(english in page for english in ENGLISH_INNER)
