"""Every audit action is produced by at least one test that exercises its service.

Removing a ``log_action`` call from a service must break a test. ``conftest.py`` records the
action of every entry written during the run; this test runs last and compares that with
``Action``. It only judges a run of the whole suite (``make test-sqlite``/``test-postgres``);
a partial run skips it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import AUDIT_ACTIONS_PRODUCED
from tropa.audit.actions import Action
from tropa.audit.services import log_action

ROOT = Path(__file__).resolve().parents[3]

# Actions no test produces yet. This list only shrinks: an action that a test starts to
# produce must be removed from it (the test says so).
NOT_YET_PROVEN: frozenset[str] = frozenset()


def test_an_unknown_action_is_refused(db: None) -> None:
    with pytest.raises(ValueError, match="not a valid Action"):
        log_action(None, "case.teleported")


def test_every_audit_action_is_produced_by_a_test(request: pytest.FixtureRequest) -> None:
    wanted = {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "tropa").glob("**/tests/test_*.py")
    }
    ran = {item.nodeid.split("::")[0] for item in request.session.items}
    if not wanted <= ran:
        pytest.skip("judged only on a run of the whole suite")
    produced = set(AUDIT_ACTIONS_PRODUCED)
    missing = sorted(str(a) for a in set(Action) - produced - NOT_YET_PROVEN)
    assert not missing, f"no test produces these audit actions: {', '.join(missing)}"
    proven = sorted(NOT_YET_PROVEN & produced)
    assert not proven, f"now proven, remove from NOT_YET_PROVEN: {', '.join(proven)}"
