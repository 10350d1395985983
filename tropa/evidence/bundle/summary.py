"""The bundle's summary for people (``summary.html`` and ``summary.pdf``): in the language
and time zone of whoever exported it, in words, without the manifest's field names."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from tropa.accounts.models import User

from ..models import Method
from ..naming import kind_in_words


def _withheld_words() -> dict[str, str]:
    return {
        "metadata": _("what the file says about itself"),
        "original_name": _("original file name"),
        "source": _("who it was received from"),
        "file_modified": _("original file time"),
        "note": _("note"),
        "extra": _("details from the browser"),
        "received_by": _("who received it"),
    }


def _when(value: Any) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return str(formats.date_format(moment, "DATETIME_FORMAT"))


def _day(value: Any) -> str:
    try:
        return str(formats.date_format(date.fromisoformat(str(value)), "DATE_FORMAT"))
    except ValueError:
        return str(value or "")


def _item(entry: dict[str, Any]) -> dict[str, Any]:
    collection = entry.get("collection") or {}
    normalized = (entry.get("metadata") or {}).get("normalized") or {}
    gps = normalized.get("gps")
    words = _withheld_words()
    method = collection.get("method", "")
    return {
        "code": entry["code"],
        "file": entry["file"],
        "variant": _("copy without metadata") if entry["variant"] == "stripped" else _("original"),
        "sha256": entry["sha256"],
        "original_sha256": entry["original"]["sha256"],
        "size": filesizeformat(entry["original"]["size"]),
        "kind": kind_in_words(entry["original"]["mime"]),
        "received_at": _when(entry.get("received_at")),
        "method": Method(method).label if method in Method.values else method,
        "source": collection.get("source", ""),
        "received_by": collection.get("received_by", ""),
        "original_name": collection.get("original_name", ""),
        "taken_on": _day(collection["taken_on"]) if collection.get("taken_on") else "",
        "has_metadata": bool(entry.get("metadata")),
        "captured": _when(normalized.get("captured_at")),
        "position": f"{gps['latitude']}, {gps['longitude']}" if gps else "",
        "device": normalized.get("device") or "",
        "withheld": [words.get(name, name) for name in entry.get("withheld", [])],
        "custody_head": entry.get("custody_head", ""),
    }


def render_summary(manifest: dict[str, Any], actor: User | None) -> str:
    """``summary.html`` in the actor's language and zone (the shell: Tropa's defaults)."""
    language = (actor.language if actor else "") or settings.LANGUAGE_CODE
    zone = (actor.time_zone if actor else "") or settings.TROPA_DEFAULT_USER_TIMEZONE
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        context = {
            "manifest": manifest,
            "exported_at": _when(manifest.get("exported_at")),
            "items": [_item(entry) for entry in manifest["items"]],
        }
        return render_to_string("evidence/bundle_summary.html", context)
