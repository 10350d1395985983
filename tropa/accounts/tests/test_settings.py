"""A user's own time zone: stored times are UTC, shown in the zone the user chose."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.urls import reverse
from freezegun import freeze_time

from tropa.cases import services


def test_times_are_shown_in_the_users_zone(coordinator: Any, astana: Any, signed_in: Any) -> None:
    with freeze_time(datetime(2026, 3, 1, 10, 0, tzinfo=UTC)):
        case = services.create_case(actor=coordinator, organization=astana, pseudonym="Z")
    client = signed_in(coordinator)
    # The default zone, Asia/Almaty, is UTC+5.
    assert "1 Mar 2026, 15:00" in client.get(case.get_absolute_url()).content.decode()
    response = client.post(reverse("accounts:time_zone"), {"time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.time_zone == "Europe/Berlin"
    page = client.get(case.get_absolute_url()).content.decode()
    assert "1 Mar 2026, 11:00" in page and "15:00" not in page


def test_an_unknown_zone_is_refused_with_a_message(coordinator: Any, signed_in: Any) -> None:
    client = signed_in(coordinator)
    response = client.post(
        reverse("accounts:time_zone"), {"time_zone": "Mars/Olympus"}, follow=True
    )
    assert "Choose a time zone from the list." in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.time_zone == ""


def test_a_users_zone_does_not_outlive_the_request(coordinator: Any, signed_in: Any) -> None:
    from django.utils import timezone

    coordinator.time_zone = "Asia/Yerevan"
    coordinator.save(update_fields=["time_zone"])
    signed_in(coordinator).get(reverse("cases:dashboard"))
    assert timezone.get_current_timezone_name() == "UTC"


def test_the_zone_list_is_places_grouped_with_our_users_first(
    coordinator: Any, signed_in: Any
) -> None:
    from tropa.accounts.zones import offered, zone_choices

    groups = zone_choices()
    _first_label, first = groups[0]
    assert [z for z, _label in first][:3] == ["Asia/Almaty", "Asia/Yerevan", "Asia/Tbilisi"]
    everything = [z for _name, zones in groups for z, _label in zones]
    assert len(everything) == len(set(everything))  # each zone once
    for alias in (
        "localtime",
        "posix/Europe/Berlin",
        "right/UTC",
        "Etc/GMT+5",
        "US/Eastern",
        "W-SU",
    ):
        assert alias not in everything and alias not in offered()
    assert "Europe/Kiev" not in everything  # the alias of Europe/Kyiv
    assert 300 < len(everything) < 450
    page = signed_in(coordinator).get(reverse("accounts:settings")).content.decode()
    assert '<optgroup label="Europe">' in page and 'value="localtime"' not in page


def test_the_service_refuses_a_zone_that_is_not_offered(coordinator: Any) -> None:
    import pytest

    from tropa.accounts import services as accounts
    from tropa.core.errors import ServiceError

    for zone in ("localtime", "posix/Asia/Almaty", "Mars/Olympus"):
        with pytest.raises(ServiceError):
            accounts.set_time_zone(actor=coordinator, user=coordinator, time_zone=zone)
    accounts.set_time_zone(actor=coordinator, user=coordinator, time_zone="Asia/Dubai")
    coordinator.refresh_from_db()
    assert coordinator.time_zone == "Asia/Dubai"
