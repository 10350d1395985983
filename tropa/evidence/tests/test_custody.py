"""The custody log: append-only, hash-chained, and written before any byte leaves (E5)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.evidence import custody, services
from tropa.evidence.models import CustodyAction, CustodyEntry, DeletionRequest, EvidenceItem

from .conftest import record


def _item(case: Case, actor: User) -> EvidenceItem:
    return services.add_evidence(
        actor=actor, case=case, source=io.BytesIO(b"a chat history"), record=record()
    )


def test_it_chains_ingest_view_download_and_verify(
    canary_case: Case, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    item = _item(canary_case, coordinator)
    client = signed_in(coordinator)
    client.get(reverse("evidence:item", args=[item.code]))
    b"".join(client.post(reverse("evidence:download", args=[item.code])).streaming_content)  # type: ignore[attr-defined]
    client.post(reverse("evidence:verify", args=[item.code]))
    entries = list(item.custody.order_by("seq"))
    assert [e.action for e in entries] == ["ingest", "view", "download", "verify"]
    assert {e.actor_name for e in entries} == {"alice"}
    assert all(e.object_sha256 == item.sha256 for e in entries)
    assert custody.verify_chain(item) is None
    fields = {f.name for f in CustodyEntry._meta.get_fields()}
    assert not fields & {"ip", "ip_address", "user_agent", "address"}


def test_the_database_refuses_to_change_or_delete_custody_rows(
    canary_case: Case, coordinator: User
) -> None:
    item = _item(canary_case, coordinator)
    with pytest.raises(DatabaseError), transaction.atomic():
        CustodyEntry.objects.filter(item=item).update(actor_name="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        CustodyEntry.objects.filter(item=item).delete()
    with pytest.raises(RuntimeError):
        item.custody.get().delete()


def test_an_edited_custody_row_breaks_the_chain(canary_case: Case, coordinator: User) -> None:
    item = _item(canary_case, coordinator)
    services.log_item_viewed(actor=coordinator, item=item)
    # An attacker with the database owner's rights switches the guard off and edits a row.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this test's inserts must run before ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE evidence_custodyentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER evidence_custody_no_update")
        cursor.execute(
            "UPDATE evidence_custodyentry SET actor_name = 'nobody' WHERE item_id = %s AND seq = 2",
            [item.pk.hex if connection.vendor == "sqlite" else item.pk],
        )
    result = services.verify_item(actor=None, item=item)
    assert result.problems == ["custody log entry #2: content altered (hash mismatch)"]


def test_a_chain_that_starts_from_other_bytes_fails_verification(
    canary_case: Case, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole, internally valid chain is not enough: its ingest entry must name the item's
    own SHA-256, or the log could be one of another file's (a swapped or rebuilt chain)."""
    append = custody.append
    other = "0" * 64

    def ingest_of_other_bytes(
        item: EvidenceItem, action: str, *args: object, **kw: object
    ) -> object:
        if action == CustodyAction.INGEST:
            kw["object_sha256"] = other
        return append(item, action, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(custody, "append", ingest_of_other_bytes)
    item = _item(canary_case, coordinator)
    monkeypatch.setattr(custody, "append", append)
    assert item.custody.get(seq=1).object_sha256 == other
    assert custody.verify_entries(str(item.code), custody.as_dicts(item)) is None  # chain intact
    result = services.verify_item(actor=None, item=item)
    assert result.problems == ["custody log entry #1: ingest hash differs from the item's hash"]
    item.refresh_from_db()
    assert item.last_verified_ok is False
    assert item.custody.last().action == CustodyAction.VERIFY_FAILED  # type: ignore[union-attr]


def test_a_download_without_a_custody_entry_is_impossible(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    item = _item(canary_case, coordinator)

    def broken(*args: object, **kwargs: object) -> None:
        raise DatabaseError("custody log unavailable")

    monkeypatch.setattr(custody, "append", broken)
    client = signed_in(coordinator)
    client.raise_request_exception = False
    response = client.post(reverse("evidence:download", args=[item.code]))
    assert response.status_code == 500
    assert b"a chat history" not in response.content
    assert not item.custody.filter(action=CustodyAction.DOWNLOAD).exists()


def test_a_deletion_request_is_recorded_not_carried_out(
    canary_case: Case, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    item = _item(canary_case, coordinator)
    client = signed_in(coordinator)
    reason = "sent twice by Канарейкин's brother"
    client.post(reverse("evidence:delete_request", args=[item.code]), {"reason": reason})
    assert item.custody.filter(action=CustodyAction.DELETE_REQUEST).exists()
    assert EvidenceItem.objects.unscoped().filter(pk=item.pk).exists()
    # The reason is kept (sealed: it may name people) and shown on the item's page.
    stored = DeletionRequest.objects.get(item=item)
    assert stored.requested_by == coordinator
    assert "Канарейкин".encode() not in bytes(stored.sealed_reason)
    page = client.get(reverse("evidence:item", args=[item.code])).content.decode()
    assert "Канарейкин&#x27;s brother" in page or "Канарейкин's brother" in page
    # A request without a reason is refused, and says so.
    response = client.post(
        reverse("evidence:delete_request", args=[item.code]), {"reason": "  "}, follow=True
    )
    assert "Say why the item should be deleted." in response.content.decode()
    assert DeletionRequest.objects.filter(item=item).count() == 1
