"""An alert's headline reads as one phrase in Russian: «Тревога: угроза», and the words
after it («объявлена», «снята») agree with «тревога», whatever the kind (issue 19 review)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tropa.cases import services
from tropa.cases.models import AlertKind


def test_every_kind_of_alert_is_headlined_as_an_alert_in_russian(
    coordinator: Any, astana: Any, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    client.cookies["tropa_language"] = "ru"
    cases = []
    for kind in AlertKind.values:
        case = services.create_case(actor=coordinator, organization=astana, pseudonym=kind[:6])
        services.raise_alert(actor=coordinator, case=case, kind=kind)
        cases.append(case)
    dashboard = client.get(reverse("cases:dashboard")).content.decode()
    for headline in (
        "Тревога: Задержан",
        "Тревога: Пропал",
        "Тревога: Угроза<",
        "Тревога: Угроза депортации",
    ):
        assert headline in dashboard
    assert "Угрозы" not in dashboard  # the plural that made «Угрозы … объявлена»
    page = client.get(cases[2].get_absolute_url()).content.decode()
    assert "Тревога: Угроза<" in page and "объявлена:" in page
