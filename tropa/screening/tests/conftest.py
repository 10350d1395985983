"""Screening fixtures: small list files written per test, and a case whose man is on a list.

Щербаков Юрий Фёдорович (born 1980-05-03) is "Shcherbakov Iurii" on a published list; a
namesake with another birth year is on it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from conftest import sign_in
from tropa.accounts.models import Organization, User
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.screening.engine import forget_indexes

SURNAME = "Щербаков"


@pytest.fixture(autouse=True)
def _fresh_indexes(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"  # index files of this test only
    forget_indexes()


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    return lambda user: sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def person(entity_id: str, schema: str = "Person", **properties: list[str]) -> dict[str, Any]:
    return {"id": entity_id, "schema": schema, "properties": properties}


SHCHERBAKOV = person(
    "os-shcherbakov",
    name=["Shcherbakov Iurii Fedorovich"],
    firstName=["Iurii"],
    lastName=["Shcherbakov"],
    fatherName=["Fedorovich"],
    birthDate=["1980-05-03"],
    topics=["sanction"],
    position=["Commander of a battalion"],
)
NAMESAKE = person(
    "os-namesake",
    name=["Yuriy Shcherbakov"],
    birthDate=["1961-02-11"],
    topics=["role.pep"],
)
OTHER = person("os-other", name=["Petrova Anna Ivanovna"], birthDate=["1970"])


@pytest.fixture
def write_ftm(tmp_path: Path) -> Callable[..., Path]:
    def write(*entities: dict[str, Any] | str, name: str = "entities.ftm.json") -> Path:
        path = tmp_path / name
        lines = [e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in entities]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(*rows: str, name: str = "own.csv") -> Path:
        path = tmp_path / name
        path.write_text("id,name,alias,birth_date,position,unit\n" + "\n".join(rows) + "\n")
        return path

    return write


@pytest.fixture
def listed_case(astana: Organization, coordinator: User) -> Case:
    """Щербаков Юрий Фёдорович, born 1980-05-03: the man on the published list."""
    case = cases.create_case(actor=coordinator, organization=astana, pseudonym="Grach", risk="low")
    cases.save_identity(
        actor=coordinator,
        person=case.person,
        data={
            "surname": SURNAME,
            "given_name": "Юрий",
            "patronymic": "Фёдорович",
            "birth_date": date(1980, 5, 3),
        },
    )
    return case
