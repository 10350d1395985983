"""Vetting between the apps around it: it reads testimony's "may be implicated" flag, and
pathways reads its decision. Each side was built without the other; these prove the seams."""

from __future__ import annotations

import pytest

from tropa.accounts.models import User
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.pathways import services as pathways
from tropa.testimony.services.interviews import set_implicated
from tropa.vetting import services
from tropa.vetting.models import CheckKind, CheckStatus, Decision, Vetting
from tropa.vetting.services import VettingError

from .conftest import satisfy_all


def _exclusion_with_a_concern(vetting: Vetting, verifier: User) -> None:
    satisfy_all(vetting, verifier)
    services.update_check(
        actor=verifier,
        check=vetting.checks.get(item__kind=CheckKind.EXCLUSION),
        status=CheckStatus.CONCERN,
        finding="His unit was near the place on that night.",
    )


def test_a_flagged_witness_blocks_a_recommend_until_exclusion_is_satisfied(
    vetting: Vetting, canary_case: Case, verifier: User, verifier2: User
) -> None:
    _exclusion_with_a_concern(vetting, verifier)
    # A concern alone does not block: the two verifiers weigh it.
    assert not services.blockers(vetting)
    set_implicated(actor=verifier, case=canary_case)
    assert services.implicated(canary_case) is not None
    assert services.blockers(vetting).codes() == ["implicated"]
    with pytest.raises(VettingError, match="override"):
        services.propose_decision(
            actor=verifier, vetting=vetting, outcome="recommend", reasons="Story holds."
        )
    # Once the exclusion check is satisfied, the flag has been answered.
    services.update_check(
        actor=verifier,
        check=vetting.checks.get(item__kind=CheckKind.EXCLUSION),
        status=CheckStatus.SATISFIED,
        finding="He was at the depot; the unit's logs and two witnesses agree.",
    )
    assert not services.blockers(vetting)
    decision = services.propose_decision(
        actor=verifier, vetting=vetting, outcome="recommend", reasons="Story holds."
    )
    services.sign_decision(actor=verifier2, decision=decision)


def test_pathways_counts_a_recommend_and_nothing_else(
    decided: Decision, canary_case: Case, coordinator: User
) -> None:
    pathways.load_starter(actor=coordinator, organization=canary_case.organization)
    cases.save_service_record(actor=coordinator, person=canary_case.person, left_how="deserted")

    def vetting_met() -> bool:
        fit = next(f for f in pathways.fits(canary_case) if f.pathway.key == "fr-visa-asylum")
        return next(r for r in fit.requirements if r.code == "vetting").met

    assert decided.outcome == "recommend"
    assert vetting_met()
    services.reopen_decision(actor=coordinator, decision=decided, reason="New facts.")
    assert not vetting_met()
