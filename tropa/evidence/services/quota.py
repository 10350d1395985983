"""How much an organization may store, and how much it uses: the limits every ingest checks."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action

from ..errors import EvidenceError
from ..models import (
    DerivedObject,
    EvidenceItem,
    StorageQuota,
    UploadSession,
)

GiB = 1024**3


def max_file_bytes() -> int:
    return int(getattr(settings, "TROPA_EVIDENCE_MAX_FILE_BYTES", 16 * GiB))


def default_quota_bytes() -> int:
    return int(getattr(settings, "TROPA_EVIDENCE_QUOTA_BYTES", 500 * GiB))


def quota_bytes(organization: Organization) -> int:
    """The organization's own quota if the operator set one, else the server's default."""
    own = (
        StorageQuota.objects.filter(organization=organization)
        .values_list("quota_bytes", flat=True)
        .first()
    )
    return int(own) if own is not None else default_quota_bytes()


_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"^\s*(\d{1,15}(?:[.,]\d{1,6})?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from "500GB", "1.5 TiB", "2,5 GB", "750 M" or "1048576" (powers of 1024)."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size (write for example 500GB, 1.5TB or 750MB)")
    number = match[1]
    if re.fullmatch(r"\d{1,3},\d{3}", number):
        # "1,000 GB": a thousands separator or a decimal comma? Too costly to guess.
        raise ValueError(f"{text!r} is ambiguous: write 1000GB or 1.0GB")
    size = int(Decimal(number.replace(",", ".")) * _UNITS[match[2].lower()])
    if size >= 2**62:
        raise ValueError(f"{text!r} is more than any disk holds")
    return size


def set_quota(*, actor: User | None, organization: Organization, size: int | None) -> None:
    """Give the organization its own quota, or (``None``) return it to the default."""
    with transaction.atomic():
        if size is None:
            StorageQuota.objects.filter(organization=organization).delete()
        else:
            StorageQuota.objects.update_or_create(
                organization=organization, defaults={"quota_bytes": size}
            )
        log_action(
            actor,
            Action.EVIDENCE_QUOTA_SET,
            organization,
            organization=organization,
            quota_bytes=size if size is not None else "default",
        )


def space_summary(organization: Organization) -> dict[str, str]:
    """Used, free and total evidence space, for people."""
    quota, used = quota_bytes(organization), used_bytes(organization)
    return {
        "used": human_size(used),
        "free": human_size(max(quota - used, 0)),
        "quota": human_size(quota),
    }


def export_days() -> int:
    return int(getattr(settings, "TROPA_EVIDENCE_EXPORT_DAYS", 7))


def human_size(size: int) -> str:
    """A size for people, in the current language (units of 1024, as the file managers)."""
    units = (_("%(n)s B"), _("%(n)s KB"), _("%(n)s MB"), _("%(n)s GB"), _("%(n)s TB"))
    if size < 1024:
        return units[0] % {"n": number_format(size, 0)}
    value = size / 1024
    for unit in units[1:-1]:
        if value < 1024:
            return unit % {"n": number_format(value, 1)}
        value /= 1024
    return units[-1] % {"n": number_format(value, 1)}


def max_open_uploads() -> int:
    return int(getattr(settings, "TROPA_EVIDENCE_OPEN_UPLOADS", 5))


def used_bytes(organization: Organization) -> int:
    """Stored originals and derived copies, plus what unfinished uploads have received.

    An announced size reserves nothing: uploads that never send a byte cannot hold the
    organization's space (a chunk that would not fit is refused when it arrives).
    """
    items = EvidenceItem.objects.filter(organization=organization).aggregate(s=Sum("size"))["s"]
    derived = DerivedObject.objects.filter(organization=organization).aggregate(s=Sum("size"))["s"]
    received = UploadSession.objects.filter(organization=organization, item__isnull=True).aggregate(
        s=Sum("received")
    )["s"]
    return int(items or 0) + int(derived or 0) + int(received or 0)


def check_limits(organization: Organization, size: int, *, rest_of: int | None = None) -> None:
    """Refuse a file of ``size`` bytes (or the ``rest_of`` an upload) that does not fit."""
    if rest_of is not None:
        free = quota_bytes(organization) - used_bytes(organization)
        if rest_of > free:
            raise EvidenceError(
                _(
                    "Not enough space left for your organization to receive the rest of this "
                    "file (%(rest)s): %(free)s of %(quota)s are free. Whoever runs your Tropa "
                    "server can raise the quota."
                )
                % {
                    "rest": human_size(rest_of),
                    "free": human_size(max(free, 0)),
                    "quota": human_size(quota_bytes(organization)),
                }
            )
        return
    if size > max_file_bytes():
        raise EvidenceError(
            _("The file is %(size)s; the largest file this server accepts is %(limit)s.")
            % {"size": human_size(size), "limit": human_size(max_file_bytes())}
        )
    free = quota_bytes(organization) - used_bytes(organization)
    if size > free:
        raise EvidenceError(
            _(
                "Not enough space left for your organization: the file is %(size)s, "
                "%(free)s of %(quota)s are free. Whoever runs your Tropa server can raise "
                "the quota."
            )
            % {
                "size": human_size(size),
                "free": human_size(max(free, 0)),
                "quota": human_size(quota_bytes(organization)),
            }
        )
