"""Fixtures for the vetting tests: a canary case in vetting, two verifiers and a lawyer."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tropa.accounts.models import Organization, Role, User
from tropa.cases.models import Case
from tropa.vetting import services
from tropa.vetting.models import CheckStatus, Decision, Vetting


@pytest.fixture
def verifier2(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "walt", Role.VERIFIER)


@pytest.fixture
def lawyer(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "lena", Role.LAWYER)


@pytest.fixture
def vetting(canary_case: Case, coordinator: User) -> Vetting:
    """Opened by the coordinator (who may therefore never sign it)."""
    return services.open_vetting(actor=coordinator, case=canary_case)


def satisfy_all(vetting: Vetting, actor: User, finding: str = "Seen and consistent.") -> None:
    for check in vetting.checks.all():
        services.update_check(
            actor=actor, check=check, status=CheckStatus.SATISFIED, finding=finding
        )


def add_evidence(case: Case, actor: User, data: bytes = b"a scanned order") -> Any:
    from tropa.evidence import services as evidence

    record = evidence.CollectionRecord(
        method="usb", received_at=timezone.now() - timedelta(hours=1), original_name="order.pdf"
    )
    return evidence.add_evidence(actor=actor, case=case, source=io.BytesIO(data), record=record)


@pytest.fixture
def decided(vetting: Vetting, verifier: User, verifier2: User) -> Decision:
    """A recommend signed by two verifiers, every check satisfied, one graded claim."""
    satisfy_all(vetting, verifier)
    claim = services.add_claim(actor=verifier, vetting=vetting, text="Deserted on 21.09.2022")
    services.grade_claim(
        actor=verifier,
        claim=claim,
        basis="documented",
        reliability="B",
        credibility="2",
        basis_text="Order of the unit, scanned",
    )
    decision = services.propose_decision(
        actor=verifier, vetting=vetting, outcome="recommend", reasons="Story holds."
    )
    services.sign_decision(actor=verifier2, decision=decision)
    decision.refresh_from_db()
    vetting.refresh_from_db()
    return decision
