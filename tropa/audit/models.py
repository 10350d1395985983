from __future__ import annotations

from typing import Any

from django.db import models


class AuditEntry(models.Model):
    """One line of the append-only, hash-chained audit log.

    ``detail`` holds codes and counts, never values of what was read or written. Neither IP
    addresses nor user agents are stored (P4).
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_code = models.CharField(max_length=36, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    organization_code = models.CharField(max_length=36, blank=True, db_index=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_code = models.CharField(max_length=36, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"
        # The hourly reveal cap counts one user's reveals of the last hour on every reveal.
        indexes = [
            models.Index(fields=["actor_code", "action", "at"], name="audit_actor_action_at")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit entries are append-only")


class AuditHead(models.Model):
    """The last sequence number and hash; locking this row serialises writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
