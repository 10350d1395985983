from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tropa.accounts import services as accounts
from tropa.accounts.models import Organization, Role, User
from tropa.cases.models import Case
from tropa.evidence import services as evidence
from tropa.evidence.models import EvidenceItem
from tropa.sharing import services


@pytest.fixture(autouse=True)
def _private_storage(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.TROPA_EVIDENCE_DIR = tmp_path / "evidence"
    yield tmp_path / "evidence"


@pytest.fixture
def tbilisi(db: Any) -> Organization:
    return accounts.create_organization(actor=None, name="Tbilisi")


@pytest.fixture
def stranger(tbilisi: Organization, make_user: Callable[..., User]) -> User:
    """A coordinator of a third organization."""
    return make_user(tbilisi, "tamar", Role.COORDINATOR)


@pytest.fixture
def advocate(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "ada", Role.ADVOCATE)


def add_item(case: Case, actor: User, data: bytes, name: str = "scan.pdf") -> EvidenceItem:
    record = evidence.CollectionRecord(
        method="messenger",
        received_at=timezone.now() - timedelta(hours=1),
        original_name=name,
        source="Funker",
        note="from his brother",
    )
    return evidence.add_evidence(actor=actor, case=case, source=io.BytesIO(data), record=record)


def consent() -> services.Consent:
    return services.Consent(timezone.localdate(), "in_person", "help with asylum in Armenia")
