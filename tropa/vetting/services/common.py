"""What the vetting services share: the error, sealed texts, what blocks a recommend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from tropa.cases.models import Case
from tropa.core.errors import ServiceError
from tropa.crypto.fields import unseal

from ..models import BLOCKING, Check, CheckKind, CheckStatus, Vetting

MAX_TEXT = 20_000


class VettingError(ServiceError):
    """A vetting action refused, with a message for the user."""


def clean_text(text: str, what: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise VettingError(_("Write the %(what)s.") % {"what": what})
    if len(text) > MAX_TEXT:
        raise VettingError(_("The %(what)s is too long.") % {"what": what})
    return text


def unseal_json(row: Any, column: str) -> Any:
    value = getattr(row, column)
    return None if value is None else unseal(row, column, bytes(value))


@dataclass(frozen=True)
class Implicated:
    """The testimony app's "may be implicated" flag, as vetting shows it."""

    set_at: Any
    rights_explained_at: Any


def implicated(case: Case) -> Implicated | None:
    """The flag when the testimony app is installed and has set it; None otherwise."""
    if not apps.is_installed("tropa.testimony"):
        return None
    from tropa.testimony.flags import implicated_flag  # type: ignore[import-not-found,unused-ignore]  # a later app, present only when installed

    flag = implicated_flag(case)
    if flag is None:
        return None
    return Implicated(set_at=flag.set_at, rights_explained_at=flag.rights_explained_at)


@dataclass(frozen=True)
class Blockers:
    """What stands against a recommend: each list holds names to show."""

    failed: list[str]
    unfinished: list[str]
    open_hits: int
    implicated: bool

    def __bool__(self) -> bool:
        return bool(self.failed or self.unfinished or self.open_hits or self.implicated)

    def codes(self) -> list[str]:
        return [
            code
            for code, present in (
                ("failed_check", self.failed),
                ("unfinished_check", self.unfinished),
                ("open_hit", self.open_hits),
                ("implicated", self.implicated),
            )
            if present
        ]


def blockers(vetting: Vetting) -> Blockers:
    from tropa.screening.models import HitStatus, ScreeningHit

    checks = list(
        Check.objects.filter(organization=vetting.organization_id, vetting=vetting).select_related(
            "item"
        )
    )
    failed = [c.item.title for c in checks if c.status == CheckStatus.FAILED]
    unfinished = [
        c.item.title for c in checks if c.status in BLOCKING and c.status != CheckStatus.FAILED
    ]
    hits = ScreeningHit.objects.filter(
        organization=vetting.organization_id, case=vetting.case_id, status=HitStatus.PENDING
    ).count()
    exclusion_ok = any(
        c.item.kind == CheckKind.EXCLUSION and c.status == CheckStatus.SATISFIED for c in checks
    )
    flagged = implicated(vetting.case) is not None and not exclusion_ok
    return Blockers(failed=failed, unfinished=unfinished, open_hits=hits, implicated=flagged)
