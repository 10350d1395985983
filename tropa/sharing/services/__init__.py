"""Sharing: referrals of a case to another organization, and advocates' access.

``referrals`` (offer, withdraw, decline), ``accept`` (the re-sealed copy), ``evidence``
(the streamed evidence copy, run by a task) and ``advocates`` (grants).
"""

from __future__ import annotations

from .accept import accept_referral, read_receipt
from .advocates import (
    active_grants,
    grant_advocate,
    read_grant,
    read_summary,
    renew_grant,
    revoke_grant,
)
from .common import SharingError
from .evidence import copy_evidence
from .referrals import (
    Consent,
    Parts,
    decline_referral,
    read_referral,
    refer_case,
    restricted_testimony,
    withdraw_referral,
)

__all__ = [
    "Consent",
    "Parts",
    "SharingError",
    "accept_referral",
    "active_grants",
    "copy_evidence",
    "decline_referral",
    "grant_advocate",
    "read_grant",
    "read_receipt",
    "read_referral",
    "read_summary",
    "refer_case",
    "renew_grant",
    "restricted_testimony",
    "revoke_grant",
    "withdraw_referral",
]
