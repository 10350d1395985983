"""The two-person rule, the recommend blockers and reopening, through the services."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tropa.accounts.models import Organization, Role, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.vetting import flags, services
from tropa.vetting.models import CheckStatus, Decision, DecisionState, Vetting, VettingState
from tropa.vetting.services import VettingError

from .conftest import satisfy_all


def _propose(
    vetting: Vetting, actor: User, override: str = "", outcome: str = "recommend"
) -> Decision:
    return services.propose_decision(
        actor=actor,
        vetting=vetting,
        outcome=outcome,
        reasons="Consistent story.",
        override=override,
    )


def test_two_verifiers_decide(vetting: Vetting, verifier: User, verifier2: User) -> None:
    satisfy_all(vetting, verifier)
    decision = _propose(vetting, verifier)
    vetting.refresh_from_db()
    assert vetting.state == VettingState.PROPOSED and flags.vetting_decision(vetting.case) is None
    services.sign_decision(actor=verifier2, decision=decision)
    vetting.refresh_from_db()
    assert vetting.state == VettingState.DECIDED and vetting.outcome == "recommend"
    assert flags.vetting_decision(vetting.case) == "recommend"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"vetting.decision_proposed", "vetting.decision_signed"} <= actions


def test_the_same_person_twice_is_refused(vetting: Vetting, verifier: User) -> None:
    satisfy_all(vetting, verifier)
    decision = _propose(vetting, verifier)
    with pytest.raises(VettingError, match="second person"):
        services.sign_decision(actor=verifier, decision=decision)
    vetting.refresh_from_db()
    assert vetting.state == VettingState.PROPOSED
    assert AuditEntry.objects.filter(action="vetting.signoff_refused").exists()


def test_the_opener_and_the_assignee_may_not_sign(
    canary_case: object,
    astana: Organization,
    make_user: Callable[..., User],
    verifier: User,
    verifier2: User,
) -> None:
    opener = make_user(astana, "olga", Role.VERIFIER)
    vetting = services.open_vetting(actor=opener, case=canary_case)  # type: ignore[arg-type]  # the fixture is a Case
    cases.update_case(actor=None, case=vetting.case, assignee=verifier2)
    vetting.case.refresh_from_db()
    satisfy_all(vetting, verifier)
    with pytest.raises(VettingError, match="opened the vetting"):
        _propose(vetting, opener)
    with pytest.raises(VettingError, match="assignee"):
        _propose(vetting, verifier2)
    decision = _propose(vetting, verifier)
    for person, why in ((opener, "opened the vetting"), (verifier2, "assignee")):
        with pytest.raises(VettingError, match=why):
            services.sign_decision(actor=person, decision=decision)
    assert Decision.objects.filter(organization=astana, state=DecisionState.DECIDED).count() == 0


def test_a_verifier_and_a_lawyer_decide_two_lawyers_do_not(
    vetting: Vetting,
    verifier: User,
    lawyer: User,
    astana: Organization,
    make_user: Callable[..., User],
) -> None:
    satisfy_all(vetting, verifier)
    lawyer2 = make_user(astana, "lev", Role.LAWYER)
    decision = _propose(vetting, lawyer, outcome="defer")
    with pytest.raises(VettingError, match="Two lawyers"):
        services.sign_decision(actor=lawyer2, decision=decision)
    services.sign_decision(actor=verifier, decision=decision)
    assert flags.vetting_decision(vetting.case) == "defer"


def test_roles_without_the_right_to_sign_are_refused(
    vetting: Vetting,
    coordinator: User,
    verifier: User,
    astana: Organization,
    make_user: Callable[..., User],
) -> None:
    caseworker = make_user(astana, "carl", Role.CASEWORKER)
    satisfy_all(vetting, verifier)
    for person in (coordinator, caseworker):
        with pytest.raises(VettingError, match="verifier or a lawyer"):
            _propose(vetting, person)
    decision = _propose(vetting, verifier)
    with pytest.raises(VettingError, match="verifier or a lawyer"):
        services.sign_decision(actor=caseworker, decision=decision)


def test_a_recommend_with_unfinished_checks_needs_two_overrides(
    vetting: Vetting, verifier: User, verifier2: User, lawyer: User
) -> None:
    with pytest.raises(VettingError, match="override"):
        _propose(vetting, verifier)
    # Not recommending is never blocked.
    decision = _propose(vetting, verifier, outcome="not_recommend")
    services.withdraw_decision(actor=verifier, decision=decision)
    decision = _propose(vetting, verifier, override="Documents are with the embassy already.")
    with pytest.raises(VettingError, match="override"):
        services.sign_decision(actor=verifier2, decision=decision)
    services.sign_decision(actor=lawyer, decision=decision, override="Agreed, see the file.")
    vetting.refresh_from_db()
    assert vetting.outcome == "recommend"


def test_a_failed_check_blocks_until_both_override(
    vetting: Vetting, verifier: User, verifier2: User
) -> None:
    satisfy_all(vetting, verifier)
    check = vetting.checks.get(item__kind="service")
    services.update_check(
        actor=verifier, check=check, status=CheckStatus.FAILED, finding="Dates clash."
    )
    assert services.blockers(vetting).failed and not services.blockers(vetting).unfinished
    with pytest.raises(VettingError, match="override"):
        _propose(vetting, verifier)
    # Satisfied again: the recommend goes through without an override.
    services.update_check(
        actor=verifier, check=check, status=CheckStatus.SATISFIED, finding="Fixed"
    )
    services.sign_decision(actor=verifier2, decision=_propose(vetting, verifier))


def test_a_first_signoff_without_override_cannot_be_completed_once_blocked(
    vetting: Vetting, verifier: User, verifier2: User
) -> None:
    """A blocker that appears after the proposal (a new hit) stops the second sign-off."""
    satisfy_all(vetting, verifier)
    decision = _propose(vetting, verifier)
    from tropa.vetting.models import Check

    Check.objects.filter(organization=vetting.organization_id, vetting=vetting).update(
        status="in_progress"
    )
    with pytest.raises(VettingError, match="first sign-off"):
        services.sign_decision(actor=verifier2, decision=decision, override="I override.")


def test_reopen_keeps_the_old_decision(
    decided: Decision, vetting: Vetting, verifier: User, verifier2: User
) -> None:
    with pytest.raises(VettingError, match="Write the reason"):
        services.reopen_decision(actor=verifier, decision=decided, reason=" ")
    services.reopen_decision(actor=verifier, decision=decided, reason="New testimony.")
    vetting.refresh_from_db()
    assert vetting.state == VettingState.OPEN and flags.vetting_decision(vetting.case) is None
    decided.refresh_from_db()
    assert decided.state == DecisionState.REOPENED and decided.sealed_reopen_reason
    second = _propose(vetting, verifier, outcome="defer")
    services.sign_decision(actor=verifier2, decision=second)
    states = set(
        Decision.objects.filter(organization=vetting.organization_id).values_list(
            "state", flat=True
        )
    )
    assert states == {"reopened", "decided"}
    assert AuditEntry.objects.filter(action="vetting.decision_reopened").exists()


def test_no_work_while_a_decision_waits(vetting: Vetting, verifier: User) -> None:
    satisfy_all(vetting, verifier)
    _propose(vetting, verifier)
    vetting.refresh_from_db()
    with pytest.raises(VettingError, match="reopen it first"):
        services.add_claim(actor=verifier, vetting=vetting, text="x")
    with pytest.raises(VettingError, match="already has a decision"):
        _propose(vetting, verifier)


def test_open_hit_blocks_a_recommend(vetting: Vetting, verifier: User) -> None:
    from tropa.screening.models import ScreeningHit

    satisfy_all(vetting, verifier)
    hit = ScreeningHit(
        organization=vetting.organization,
        case=vetting.case,
        person=vetting.case.person,
        entry_index="x",
    )
    hit.sealed = b""
    hit.save()
    assert services.blockers(vetting).open_hits == 1
    with pytest.raises(VettingError, match="override"):
        _propose(vetting, verifier)


def test_a_witness_not_flagged_has_no_implicated_flag(vetting: Vetting) -> None:
    # With the testimony app: no testimony, or testimony without the flag, blocks nothing
    # (tests/test_contracts.py covers a flagged witness).
    assert services.implicated(vetting.case) is None
    assert not services.blockers(vetting).implicated
