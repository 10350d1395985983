"""``{% server_backup %}``: the server's last successful backup, on the admin's page."""

from __future__ import annotations

from typing import Any

from django import template

from tropa.ops import services

register = template.Library()


@register.inclusion_tag("ops/_server_backup.html")
def server_backup() -> dict[str, Any]:
    # Backups are of the whole server: an organization's admin sees when, nothing more
    # (no path, no size, no recipient, nothing about other organizations).
    at = services.last_backup_at()
    return {"backup_at": at, "backup_stale": services.backup_is_stale(at)}
