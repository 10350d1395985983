"""Checks and claims: statuses, sealed findings and links, history; nothing in plaintext."""

from __future__ import annotations

import pytest
from django.db import connection

from conftest import CANARY
from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.vetting import services
from tropa.vetting.models import Check, CheckRevision, Claim, Decision, SignOff, Vetting
from tropa.vetting.services import Links, VettingError

from .conftest import add_evidence, satisfy_all


def _check(vetting: Vetting, kind: str) -> Check:
    return vetting.checks.get(item__kind=kind)


def test_open_once_and_never_a_closed_case(
    canary_case: Case, coordinator: User, verifier: User
) -> None:
    vetting = services.open_vetting(actor=verifier, case=canary_case)
    assert vetting.checks.count() == 7
    with pytest.raises(VettingError, match="already has a vetting"):
        services.open_vetting(actor=verifier, case=canary_case)
    other = cases.create_case(
        actor=coordinator, organization=canary_case.organization, pseudonym="Z"
    )
    cases.move_stage(actor=coordinator, case=other, to_stage="closed", reason="other")
    other.refresh_from_db()
    with pytest.raises(VettingError, match="closed"):
        services.open_vetting(actor=verifier, case=other)
    assert AuditEntry.objects.filter(action="vetting.opened").count() == 1


def test_a_check_keeps_its_history_and_links(
    vetting: Vetting, verifier: User, verifier2: User
) -> None:
    item = add_evidence(vetting.case, verifier)
    note = cases.add_note(actor=verifier, case=vetting.case, text="Interview")
    check = _check(vetting, "identity")
    services.update_check(
        actor=verifier, check=check, status="in_progress", finding="Passport seen"
    )
    services.update_check(
        actor=verifier2,
        check=check,
        status="satisfied",
        finding="Photo compared",
        links=Links(evidence=[str(item.code)], notes=[str(note.id)]),
    )
    data = services.read_check(check)
    assert data["finding"] == "Photo compared" and data["evidence"] == [str(item.code)]
    history = services.read_history(check)
    assert [(r.status, d["finding"]) for r, d in history] == [
        ("satisfied", "Photo compared"),
        ("in_progress", "Passport seen"),
    ]
    entry = AuditEntry.objects.filter(action="vetting.check_updated").latest("id")
    assert entry.detail["evidence"] == 1 and "Photo" not in str(entry.detail)


def test_not_applicable_needs_a_reason(vetting: Vetting, verifier: User) -> None:
    check = _check(vetting, "departure")
    with pytest.raises(VettingError, match="finding"):
        services.update_check(actor=verifier, check=check, status="not_applicable", finding=" ")
    services.update_check(
        actor=verifier, check=check, status="not_applicable", finding="Draft evader"
    )
    with pytest.raises(VettingError, match="status"):
        services.update_check(actor=verifier, check=check, status="fine", finding="x")


def test_links_to_another_cases_material_are_refused(
    vetting: Vetting, verifier: User, coordinator: User
) -> None:
    other = cases.create_case(
        actor=coordinator, organization=vetting.organization, pseudonym="Other"
    )
    foreign = add_evidence(other, coordinator, b"someone else's file")
    with pytest.raises(VettingError, match="does not belong"):
        services.update_check(
            actor=verifier,
            check=_check(vetting, "identity"),
            status="satisfied",
            finding="x",
            links=Links(evidence=[str(foreign.code)]),
        )


def test_findings_claims_reasons_and_overrides_are_sealed(
    vetting: Vetting, verifier: User, lawyer: User
) -> None:
    satisfy_all(vetting, verifier, finding=f"Паспорт {CANARY} видели")
    claim = services.add_claim(actor=verifier, vetting=vetting, text=f"{CANARY} служил в в/ч 12345")
    services.grade_claim(
        actor=verifier,
        claim=claim,
        basis="self_reported",
        reliability="F",
        credibility="6",
        basis_text=f"Со слов {CANARY}",
    )
    services.update_check(
        actor=verifier, check=_check(vetting, "service"), status="in_progress", finding=CANARY
    )
    decision = services.propose_decision(
        actor=verifier,
        vetting=vetting,
        outcome="recommend",
        reasons=f"{CANARY} надёжен",
        override=f"{CANARY} ждёт",
    )
    services.sign_decision(actor=lawyer, decision=decision, override=f"{CANARY}: согласна")
    services.reopen_decision(actor=verifier, decision=decision, reason=f"{CANARY} снова")
    assert services.read_claim(claim)["text"].startswith(CANARY)
    tables = [m._meta.db_table for m in (Check, CheckRevision, Claim, Decision, SignOff)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (our own table names)
            rows = cursor.fetchall()
            assert rows, table
            for row in rows:
                for value in row:
                    raw = (
                        bytes(value)
                        if isinstance(value, (bytes, memoryview))
                        else str(value).encode()
                    )
                    assert CANARY.encode() not in raw, table
    assert CANARY not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


def test_a_claim_needs_a_full_grade(vetting: Vetting, verifier: User) -> None:
    claim = services.add_claim(actor=verifier, vetting=vetting, text="On a wanted list")
    with pytest.raises(VettingError, match="reliability"):
        services.grade_claim(
            actor=verifier,
            claim=claim,
            basis="documented",
            reliability="G",
            credibility="1",
            basis_text="",
        )
    services.grade_claim(
        actor=verifier,
        claim=claim,
        basis="contradicted",
        reliability="C",
        credibility="5",
        basis_text="",
    )
    claim.refresh_from_db()
    assert claim.admiralty == "C5" and claim.get_credibility_display() == "5: improbable"
    assert AuditEntry.objects.filter(action="vetting.claim_graded").exists()
