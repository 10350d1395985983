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


class ServerKey(models.Model):
    """A key of the server itself (not of an organization), wrapped by the master keyset.

    ``audit-mac`` keys the audit chain, ``audit-signing`` signs its checkpoints. The row alone
    is ciphertext: whoever has only the database cannot recompute the chain or sign a head.
    """

    purpose = models.CharField(max_length=40, unique=True)
    wrapped = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"server key {self.purpose}"
