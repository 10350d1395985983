from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tropa.accounts.models import Organization, Role, User
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.testimony import services
from tropa.testimony.models import Testimony, Unit


@pytest.fixture
def lawyer(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "lena", Role.LAWYER)


@pytest.fixture
def caseworker(astana: Organization, make_user: Callable[..., User]) -> User:
    return make_user(astana, "kate", Role.CASEWORKER)


@pytest.fixture
def unit(astana: Organization) -> Unit:
    return services.save_unit(
        actor=None,
        organization=astana,
        names=["155-я отдельная бригада морской пехоты", "155th Naval Infantry Brigade"],
        number="в/ч 30926",
    )


def make_testimony(case: Case, actor: User, narrative: str = "Видел обстрел.") -> Testimony:
    return services.record_interview(
        actor=actor,
        case=case,
        data={"interviewer": "Lena", "language": "ru", "narrative": narrative},
    )


@pytest.fixture
def testimony(astana: Organization, lawyer: User) -> Testimony:
    case = cases.create_case(actor=lawyer, organization=astana, pseudonym="Witness A")
    return make_testimony(case, lawyer)


def give(case: Case, actor: User, kind: str = "icc", status: str = "given") -> None:
    services.record_consent(
        actor=actor, case=case, kind=kind, status=status, on=date(2025, 5, 1), how="signed"
    )


def act_data(unit: Unit | None, kind: str = "incendiary", **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "how_known": "saw",
        "reliability": "b",
        "victims": [{"kind": "civilians", "count": 3}],
        "perpetrators": [
            {
                "unit": str(unit.code) if unit else "",
                "who": "" if unit else "командир",
                "involvement": "did",
            }
        ],
        **extra,
    }
