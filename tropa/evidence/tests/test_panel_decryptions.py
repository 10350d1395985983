"""The evidence panel of the case page opens one small sealed value per item (issue 10,
item 7): the summary with the original name and the GPS flag, not the collection record
and the metadata. Counted through the key ``unseal`` picks (the case key since issue 16),
so any path to a decryption counts."""

from __future__ import annotations

import importlib
import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.crypto import fields
from tropa.evidence import services
from tropa.evidence.models import EvidenceItem

from .conftest import add_file, record

TABLE = EvidenceItem._meta.db_table


class _CountingAead:
    def __init__(self, inner: Any, opened: Counter[str]) -> None:
        self._inner, self._opened = inner, opened

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        return bytes(self._inner.encrypt(plaintext, associated_data))

    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes:
        table, column, _pk = associated_data.decode().rsplit(".", 2)
        if table == TABLE:
            self._opened[column] += 1
        return bytes(self._inner.decrypt(ciphertext, associated_data))


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Evidence-item columns decrypted, by column."""
    counts: Counter[str] = Counter()
    real = fields._aead_for

    def counting(instance: Any, *, create: bool) -> _CountingAead:
        return _CountingAead(real(instance, create=create), counts)

    monkeypatch.setattr(fields, "_aead_for", counting)
    return counts


def _several(case: Case, actor: User, sample_dir: Path) -> list[EvidenceItem]:
    """A photo with a position and a PDF (metadata read), and two files not yet read."""
    items = [
        add_file(case, actor, sample_dir / "photo.jpg"),
        add_file(case, actor, sample_dir / "letter.pdf"),
    ]
    for n in range(2):
        items.append(
            services.add_evidence(
                actor=actor,
                case=case,
                source=io.BytesIO(f"chat export {n}".encode()),
                record=record(original_name=f"chat-{n}.txt"),
            )
        )
    return items


def _panel(client: Client, case: Case) -> str:
    response = client.get(reverse("cases:detail", args=[case.code]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_opens_one_summary_per_item(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    sample_dir: Path,
    opened: Counter[str],
) -> None:
    items = _several(canary_case, coordinator, sample_dir)
    client = signed_in(coordinator)
    opened.clear()
    html = _panel(client, canary_case)
    assert opened == {"sealed_summary": len(items)}
    for name in ("photo.jpg", "letter.pdf", "chat-0.txt", "chat-1.txt"):
        assert name in html
    assert html.count(">GPS</span>") == 1


def test_a_row_without_a_summary_shows_the_same(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    sample_dir: Path,
    opened: Counter[str],
) -> None:
    _several(canary_case, coordinator, sample_dir)
    client = signed_in(coordinator)
    before = _panel(client, canary_case)
    EvidenceItem.objects.filter(organization=canary_case.organization_id).update(
        sealed_summary=None
    )
    opened.clear()
    after = _panel(client, canary_case)
    assert opened["sealed_summary"] == 0 and opened["sealed_record"] == 4
    assert (
        after.split('id="evidence"')[1].split("</section>")[0]
        == before.split('id="evidence"')[1].split("</section>")[0]
    )


def test_the_migration_fills_the_summary_of_existing_items(
    canary_case: Case, coordinator: User, sample_dir: Path
) -> None:
    items = _several(canary_case, coordinator, sample_dir)
    expected = [services.summarize([item])[0] for item in items]
    scope = EvidenceItem.objects.filter(organization=canary_case.organization_id)
    scope.update(sealed_summary=None)
    migration = importlib.import_module("tropa.evidence.migrations.0010_seal_summaries")
    migration.seal_summaries(apps, None)
    for item, summary in zip(items, expected, strict=True):
        item.refresh_from_db()
        assert item.sealed_summary
        assert services.summarize([item])[0] == summary
    assert [s.has_position for s in expected] == [True, False, False, False]


@pytest.fixture(autouse=True)
def _db(db: None) -> None:
    """Every test here reads pages from the database."""
