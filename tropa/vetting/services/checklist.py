"""The organization's default checklist, which its administrator edits."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action

from ..models import DEFAULT_KINDS, CheckKind, ChecklistItem
from .common import VettingError, clean_text


def checklist(organization: Organization) -> list[ChecklistItem]:
    """Every item, retired ones too; an organization's first look creates the defaults."""
    items = list(ChecklistItem.objects.filter(organization=organization))
    if items:
        return items
    with transaction.atomic():
        ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(organization=organization, kind=kind, position=10 * (n + 1))
                for n, kind in enumerate(DEFAULT_KINDS)
            ]
        )
    return list(ChecklistItem.objects.filter(organization=organization))


def active_items(organization: Organization) -> list[ChecklistItem]:
    return [item for item in checklist(organization) if item.retired_at is None]


def add_item(*, actor: User, organization: Organization, name: str) -> ChecklistItem:
    name = clean_text(name, _("name"))[:120]
    checklist(organization)
    with transaction.atomic():
        last = ChecklistItem.objects.filter(organization=organization).aggregate(m=Max("position"))[
            "m"
        ]
        item: ChecklistItem = ChecklistItem.objects.create(
            organization=organization, kind=CheckKind.OTHER, name=name, position=(last or 0) + 10
        )
        log_action(actor, Action.VETTING_CHECKLIST_ITEM_ADDED, organization=organization)
    return item


def change_item(
    *, actor: User, item: ChecklistItem, name: str | None = None, retired: bool | None = None
) -> None:
    """Rename, retire or bring back an item. Items are never deleted: checks refer to them."""
    fields = []
    if name is not None:
        item.name = clean_text(name, _("name"))[:120]
        fields.append("name")
    if retired is not None and retired != (item.retired_at is not None):
        item.retired_at = timezone.now() if retired else None
        fields.append("retired_at")
    if not fields:
        raise VettingError(_("Nothing to change."))
    with transaction.atomic():
        item.save(update_fields=fields)
        log_action(
            actor,
            Action.VETTING_CHECKLIST_ITEM_CHANGED,
            organization=item.organization,
            item=str(item.code),
            fields=fields,
        )
