"""How an item is named and described to people: its original name (sealed; shown only on
pages that decrypt it), a safe download name, and its type in words instead of a MIME type.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.utils.translation import gettext as _

# Letters and digits of any script, and a few harmless marks; everything else becomes "_".
_UNSAFE = re.compile(r"[^\w .()\[\]+,-]", re.UNICODE)


def download_name(original: str, extension: str, fallback: str, *, suffix: str = "") -> str:
    """A file name for a download: the original name's last part with unsafe characters
    replaced, ending in the extension detected from the content (never one the sender
    chose alone); the item code where nothing usable is left."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", original or "")[-1])
    base = _UNSAFE.sub("_", "".join(c for c in base if c.isprintable())).strip(" ._")[:120]
    stem, dot, ending = base.rpartition(".")
    if dot and extension and ending.lower() == extension.lower():
        base = stem
    if not base.strip("_ "):
        base = fallback
    return f"{base}{suffix}.{extension}" if extension else f"{base}{suffix}"


def content_disposition(name: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` (the fallback if the name is not ASCII) and
    the real name in ``filename*`` (RFC 5987, UTF-8, percent-encoded)."""
    ascii_name = name if name.isascii() else fallback
    ascii_name = ascii_name.replace('"', "_").replace("\\", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def kind_in_words(mime: str) -> str:
    """What a person calls the file: a photo, a video, a PDF document…"""
    main, _slash, sub = (mime or "").partition("/")
    if main == "image":
        return _("photo")
    if main == "video":
        return _("video")
    if main == "audio":
        return _("audio recording")
    if sub == "pdf":
        return _("PDF document")
    if main == "text":
        return _("text")
    if sub in ("zip", "x-tar", "gzip", "x-7z-compressed", "x-rar-compressed", "x-bzip2"):
        return _("archive")
    if "officedocument" in sub or sub in ("msword", "vnd.ms-excel", "vnd.oasis.opendocument.text"):
        return _("office document")
    return _("file")
