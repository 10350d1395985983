"""The referral's evidence copy, in the background (``services.copy_evidence``)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from .models import Referral


@task()
def copy_referral_evidence(referral_id: str) -> int:
    from .services.evidence import copy_evidence

    referral = Referral.objects.unscoped().filter(pk=referral_id).first()
    return 0 if referral is None else copy_evidence(referral)


def enqueue_copy(referral: Referral) -> None:
    referral_id = str(referral.pk)
    transaction.on_commit(lambda: copy_referral_evidence.enqueue(referral_id))
