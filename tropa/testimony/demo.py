"""Demo testimony for "Demo Astana": two witnesses describe the same phosphorus attack near
Vuhledar (the same unit, place and night) in different words and spellings, so that the
corroboration suggestion shows; the second is flagged "may be implicated". Every person,
unit number and detail is invented; the first account carries the canary surname."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tropa.accounts.models import User
from tropa.cases.models import Case

from . import services

FIRST = (
    "Я, Канарейкин, связист. В ночь на 29 июня 2022 года наша бригада стояла у Угледара. "
    "Около двух часов ночи по посёлку ударили зажигательными снарядами: белый огонь, "
    "горели дома, люди выбегали на улицу. Я видел это с позиции своими глазами."
)
SECOND = (
    "29.06.2022, ночью, Вугледар. Работала артиллерия нашей 155-й бригады, стреляли "
    "фосфором по жилым кварталам. Я был в расчёте, подносил снаряды. Утром видел сгоревшие дома."
)


def load_testimony_demo(by_name: dict[str, Case], staff: dict[str, User]) -> None:
    coordinator, verifier = staff["astana-coordinator"], staff["astana-verifier"]
    org = coordinator.organization
    assert org is not None
    unit = services.save_unit(
        actor=None,
        organization=org,
        names=[
            "155-я отдельная бригада морской пехоты (вымышленная)",
            "155th Naval Infantry Brigade",
        ],
        number="в/ч 99155",
    )
    services.save_unit(actor=None, organization=org, names=["Бригада «Север»"], number="в/ч 99001")
    first = _witness(by_name["Funker"], coordinator, FIRST, "Угледар", "ночь на 29.06.2022", unit)
    second = _witness(by_name["Sever"], coordinator, SECOND, "Vuhledar", "29.06.2022", unit)
    today = timezone.localdate()
    services.record_consent(
        actor=coordinator,
        case=first.case,
        kind="icc",
        status="given",
        on=today - timedelta(days=3),
        how="signed",
    )
    services.record_consent(
        actor=coordinator,
        case=first.case,
        kind="journalist",
        status="refused",
        on=today - timedelta(days=3),
        how="oral",
    )
    services.set_implicated(actor=verifier, case=second.case)
    services.record_rights_explained(
        actor=verifier, case=second.case, on=today - timedelta(days=1), how="устно, на русском"
    )


def _witness(case: Case, actor: User, narrative: str, place: str, when: str, unit: Any) -> Any:
    testimony = services.record_interview(
        actor=actor,
        case=case,
        data={
            "interviewer": "Координатор (демо)",
            "language": "русский",
            "present": "интервьюер, свидетель",
            "place": "Астана, офис",
            "method": "written",
            "narrative": narrative,
        },
    )
    event = services.add_event(
        actor=actor,
        testimony=testimony,
        data={"when": when, "settlement": place, "oblast": "donetsk"},
    )
    services.add_act(
        actor=actor,
        event=event,
        data={
            "kind": "incendiary",
            "description": "обстрел жилых домов зажигательными боеприпасами",
            "how_known": "saw",
            "reliability": "b",
            "victims": [{"kind": "civilians", "count": None, "description": "жители посёлка"}],
            "perpetrators": [{"unit": str(unit.code), "who": "артиллерия", "involvement": "did"}],
        },
    )
    return testimony
