"""The time zones a user may choose: where Tropa's users live first, then every region's.

The system's zone database also holds aliases and files that are not places ("localtime",
"posix/…", "right/…", "Etc/GMT+5", "US/Eastern", "W-SU"): ~600 names where ~400 are places.
Only canonical zones are offered: "Region/City" under the nine regions of the tz database,
and those the database's own ``zone.tab`` lists where it is installed (which drops the
region-shaped aliases, such as Europe/Kiev for Europe/Kyiv).
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The zones Tropa's users live and travel in, in this order, and UTC.
COMMON_ZONES = [
    "Asia/Almaty",
    "Asia/Yerevan",
    "Asia/Tbilisi",
    "Asia/Bishkek",
    "Asia/Tashkent",
    "Asia/Dubai",
    "Europe/Istanbul",
    "Europe/Belgrade",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Vilnius",
    "Europe/Kyiv",
    "Europe/Moscow",
    "UTC",
]

REGIONS: dict[str, Promise] = {
    "Europe": _("Europe"),
    "Asia": _("Asia"),
    "Africa": _("Africa"),
    "America": _("America"),
    "Atlantic": _("Atlantic Ocean"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
    "Australia": _("Australia"),
    "Antarctica": _("Antarctica"),
}


def _listed() -> set[str] | None:
    """The canonical zones named in the installed database's ``zone.tab``, if there is one."""
    for root in zoneinfo.TZPATH:
        table = Path(root) / "zone.tab"
        if table.is_file():
            lines = table.read_text(encoding="utf-8").splitlines()
            return {line.split("\t")[2] for line in lines if line and not line.startswith("#")}
    return None


@cache
def offered() -> frozenset[str]:
    """Every zone a user may choose."""
    zones = {z for z in zoneinfo.available_timezones() if z.split("/")[0] in REGIONS}
    zones = {z for z in zones if "/" in z and not z.startswith("Etc/")}
    listed = _listed()
    if listed:
        zones &= listed
    return frozenset(zones | (set(COMMON_ZONES) & zoneinfo.available_timezones()))


def _label(zone: str) -> str:
    return zone.split("/", 1)[-1].replace("_", " ").replace("/", " – ")


def zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a select: the common zones, then one group per region."""
    zones = offered()
    common = [(z, z.replace("_", " ")) for z in COMMON_ZONES if z in zones]
    groups = [(str(_("Where Tropa's users live")), common)]
    for region, name in REGIONS.items():
        rest = sorted(z for z in zones if z.startswith(f"{region}/") and z not in COMMON_ZONES)
        if rest:
            groups.append((str(name), [(z, _label(z)) for z in rest]))
    return groups
