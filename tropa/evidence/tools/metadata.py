"""Reading metadata with exiftool and ffprobe, and normalizing what they said."""

from __future__ import annotations

import json
import re
from contextlib import suppress
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .run import RANGE_NAME, run_on_range

if TYPE_CHECKING:
    from .serve import Served

# ffmpeg and ffprobe may open nothing but the range server's URL.
FFMPEG_INPUT = ("-protocol_whitelist", "http,tcp", "-seekable", "1", "-i")


def exiftool_json(served: Served) -> dict[str, Any] | None:
    """What exiftool says about the served file; it seeks, so it reads only what it needs."""
    _code, output = run_on_range(
        ["exiftool", "-j", "-G1", "-n", "-a", "-api", "LargeFileSupport=1", RANGE_NAME], served
    )
    try:
        data = json.loads(output)
    except ValueError:
        return None
    if not isinstance(data, list) or not data:
        return None
    # The "System" group describes the range server's view, not the file.
    return {k: v for k, v in data[0].items() if not k.startswith("System:") and k != "SourceFile"}


def ffprobe_json(served: Served) -> dict[str, Any] | None:
    code, output = run_on_range(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            *FFMPEG_INPUT,
            served.url,
        ],
        served,
    )
    try:
        data = json.loads(output) if code == 0 else None
    except ValueError:
        return None
    if not isinstance(data, dict) or not data.get("streams"):
        return None
    data.get("format", {}).pop("filename", None)
    return data


# Normalizing what the tools said ----------------------------------------------------------


def _parse_exif_time(value: Any, offset: Any = None) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = re.match(
        r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?", text
    )
    if not match or match.group(1) == "0000":
        return None
    try:
        year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
        naive = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001
    except ValueError:
        return None
    zone = match.group(7) or (offset if isinstance(offset, str) else None)
    if zone in (None, ""):
        return naive
    if zone == "Z":
        return naive.replace(tzinfo=UTC)
    sign = 1 if zone[0] == "+" else -1
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    return naive.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))


def _first(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if data.get(key) not in (None, ""):
            return data[key]
    return None


def _captured(exif: dict[str, Any], tags: dict[str, Any]) -> tuple[datetime | None, str]:
    """When the file says it was taken, and which tag said so (EXIF, QuickTime, ffprobe)."""
    for key, offset_key in (
        ("ExifIFD:DateTimeOriginal", "ExifIFD:OffsetTimeOriginal"),
        ("ExifIFD:CreateDate", "ExifIFD:OffsetTimeDigitized"),
        ("Keys:CreationDate", ""),
        ("XMP-exif:DateTimeOriginal", ""),
        ("XMP-xmp:CreateDate", ""),
    ):
        captured = _parse_exif_time(exif.get(key), exif.get(offset_key))
        if captured is not None:
            return captured, key
    # QuickTime stores UTC by specification.
    quicktime = _parse_exif_time(exif.get("QuickTime:CreateDate"))
    if quicktime is not None:
        return quicktime.replace(tzinfo=UTC), "QuickTime:CreateDate"
    if tags.get("creation_time"):
        with suppress(ValueError):
            stated = str(tags["creation_time"]).replace("Z", "+00:00")
            return datetime.fromisoformat(stated), "ffprobe:creation_time"
    return None, ""


def _gps(exif: dict[str, Any]) -> dict[str, float] | None:
    """The stated position, signed by its hemisphere references, with altitude if any."""
    latitude = _first(exif, "Composite:GPSLatitude", "GPS:GPSLatitude")
    longitude = _first(exif, "Composite:GPSLongitude", "GPS:GPSLongitude")
    if not (isinstance(latitude, int | float) and isinstance(longitude, int | float)):
        return None
    if exif.get("GPS:GPSLatitudeRef") == "S" and latitude > 0:
        latitude = -latitude
    if exif.get("GPS:GPSLongitudeRef") == "W" and longitude > 0:
        longitude = -longitude
    gps = {"latitude": round(float(latitude), 6), "longitude": round(float(longitude), 6)}
    altitude = exif.get("Composite:GPSAltitude")
    if isinstance(altitude, int | float):
        gps["altitude"] = round(float(altitude), 1)
    return gps


def _duration(exif: dict[str, Any]) -> float | None:
    """The length in seconds as exiftool reads it (``-n``: a number) from the container."""
    stated = _first(exif, "QuickTime:Duration", "Matroska:Duration", "Composite:Duration")
    # 0 is what a fragmented MP4's empty index says: unknown, not a length.
    return round(float(stated), 2) if isinstance(stated, int | float) and stated > 0 else None


def normalize(exif: dict[str, Any] | None, probe: dict[str, Any] | None) -> dict[str, Any]:
    """Capture time (with or without a zone), GPS position and device, as the file states them."""
    exif = exif or {}
    tags = dict((probe or {}).get("format", {}).get("tags", {}))
    captured, source = _captured(exif, tags)
    gps = _gps(exif)
    make = _first(exif, "IFD0:Make", "Keys:Make", "UserData:Make") or tags.get(
        "com.apple.quicktime.make"
    )
    model = _first(exif, "IFD0:Model", "Keys:Model", "UserData:Model") or tags.get(
        "com.apple.quicktime.model"
    )
    software = _first(exif, "IFD0:Software", "Keys:Software") or tags.get("encoder")
    device = " ".join(str(p) for p in (make, model) if p) or None
    duration = _duration(exif)
    if probe and probe.get("format", {}).get("duration"):
        with suppress(ValueError):
            duration = round(float(probe["format"]["duration"]), 2)
    return {
        "captured_at": captured.isoformat() if captured else None,
        "captured_has_zone": bool(captured and captured.tzinfo),
        "captured_source": source,
        "gps": gps,
        "device": device,
        "software": str(software) if software else None,
        "duration": duration,
        "width": _first(exif, "File:ImageWidth", "Track1:ImageWidth", "Composite:ImageSize"),
        "height": _first(exif, "File:ImageHeight", "Track1:ImageHeight"),
    }


def conflicts(
    normalized: dict[str, Any], *, received_at: datetime, stated: dict[str, Any]
) -> list[dict[str, str]]:
    """Discrepancies between what the file says and what was stated; shown, never fixed (E7).

    Returns codes with the two values; the page words them.
    """
    found: list[dict[str, str]] = []
    captured_text = normalized.get("captured_at")
    if not captured_text:
        return found
    captured = datetime.fromisoformat(captured_text)
    # Without a zone in the file the comparison allows a whole day either way.
    slack = timedelta(hours=1) if captured.tzinfo else timedelta(hours=26)
    aware = captured if captured.tzinfo else captured.replace(tzinfo=UTC)
    if aware - slack > received_at:
        found.append(
            {"code": "after_receipt", "file": captured_text, "stated": received_at.isoformat()}
        )
    taken_on = _stated_time(stated.get("taken_on"))
    # The source's date has no time of day: a whole day either way is no conflict.
    if taken_on is not None and abs(aware - taken_on) > slack + timedelta(hours=24):
        found.append({"code": "taken_on", "file": captured_text, "stated": stated["taken_on"]})
    modified = _stated_time(stated.get("file_modified"))
    # A file is modified when it is written, so never before it was captured.
    if modified is not None and aware - slack > modified:
        found.append(
            {"code": "file_modified", "file": captured_text, "stated": stated["file_modified"]}
        )
    return found


def _stated_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
