from __future__ import annotations

from django.db import models


class OrganizationKeys(models.Model):
    """An organization's data keysets, wrapped by the master keyset.

    Destroying this row (and every backup of it) makes the organization's encrypted fields
    unreadable: the basis for crypto-erasure.
    """

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.PROTECT, related_name="keys"
    )
    wrapped_aead = models.TextField()
    wrapped_prf = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"keys of organization {self.organization_id}"
