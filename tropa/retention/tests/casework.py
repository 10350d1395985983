"""A case with something in every app an erasure reaches: testimony, outreach, a screening
hit, vetting and evidence, each holding the canary; and what each app seals for a case.

Shared by the R7 tests here and in ``tropa/ops/tests/test_backup.py``.
"""

from __future__ import annotations

import importlib
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from conftest import CANARY
from tropa.accounts.models import Organization, User
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.crypto import fields

# app -> its re-sealing migration: its SEALED names every case-scoped model and column.
MIGRATIONS = {
    "testimony": "tropa.testimony.migrations.0003_seal_under_case_keys",
    "outreach": "tropa.outreach.migrations.0005_seal_under_case_keys",
    "screening": "tropa.screening.migrations.0008_seal_hits_under_case_keys",
    "vetting": "tropa.vetting.migrations.0002_seal_under_case_keys",
    "evidence": "tropa.evidence.migrations.0012_seal_items_under_case_keys",
    "pathways": "tropa.pathways.migrations.0003_seal_under_case_keys",
}


def sealed_columns() -> list[tuple[type[models.Model], tuple[str, ...]]]:
    """Every (model, sealed columns) these apps register as case-scoped."""
    found = []
    for app, module in MIGRATIONS.items():
        for entry in importlib.import_module(module).SEALED:
            found.append((apps.get_model(app, entry[0]), entry[1]))
    return found


def values_of(case: Case) -> dict[tuple[str, str, str], bytes]:
    """(model, row, column) -> ciphertext of every sealed value of ``case`` in those apps."""
    person = str(case.person_id)
    out = {}
    for model, columns in sealed_columns():
        for row in model._base_manager.all():
            if fields.subject_of(row) != person:
                continue
            for column in columns:
                value = getattr(row, column)
                if value is not None and len(value):
                    out[(model._meta.label, str(row.pk), column)] = bytes(value)
    return out


def row_of(label: str, pk: str) -> models.Model:
    return apps.get_model(label)._base_manager.get(pk=pk)  # type: ignore[no-any-return]  # a row


@dataclass
class Casework:
    case: Case
    testimony: Any
    event: Any
    request: Any
    hit: Any
    vetting: Any
    check: Any
    claim: Any
    item: Any


def _screening_hit(case: Case, actor: User, tmp_path: Path) -> Any:
    from tropa.screening import services as screening

    entity = {
        "id": "os-canary",
        "schema": "Person",
        "properties": {
            "name": ["Shcherbakov Iurii Fedorovich"],
            "firstName": ["Iurii"],
            "lastName": ["Shcherbakov"],
            "fatherName": ["Fedorovich"],
            "birthDate": ["1980-05-03"],
            "topics": ["sanction"],
        },
    }
    path = tmp_path / "list.ftm.json"
    path.write_text(json.dumps(entity, ensure_ascii=False) + "\n", encoding="utf-8")
    screening.import_list(actor=None, path=path, name="OS")
    screening.screen_case(actor=actor, case=case)
    return case.screening_hits.get()


def _testimony(case: Case, actor: User) -> tuple[Any, Any]:
    from tropa.testimony import services as testimony

    told = testimony.record_interview(
        actor=actor,
        case=case,
        data={"interviewer": "Lena", "language": "ru", "narrative": f"{CANARY} видел обстрел"},
    )
    testimony.record_consent(
        actor=actor, case=case, kind="icc", status="given", on=date(2025, 5, 1), how="signed"
    )
    event = testimony.add_event(
        actor=actor,
        testimony=told,
        data={"when": "29.06.2022", "settlement": f"у {CANARY}", "oblast": "donetsk"},
    )
    testimony.add_act(
        actor=actor,
        event=event,
        data={
            "kind": "incendiary",
            "description": f"{CANARY} видел",
            "how_known": "saw",
            "reliability": "b",
            "victims": [{"kind": "civilians", "count": 3}],
            "perpetrators": [{"unit": "", "who": "командир", "involvement": "did"}],
        },
    )
    return told, event


def _outreach(case: Case, actor: User) -> Any:
    from tropa.outreach import services as outreach
    from tropa.outreach.models import Institution

    outreach.load_starter_set(actor=actor, organization=case.organization)
    embassy = Institution.objects.get(name="Embassy of Germany in Astana")
    request = outreach.record_request(
        actor=actor,
        organization=case.organization,
        institution=embassy,
        channel="email",
        sent_on=timezone.localdate() - timedelta(days=3),
        subject=f"Visa for {CANARY}",
        body=f"{CANARY} asks for a humanitarian visa",
        case=case,
        attachment=f"scan of {CANARY}".encode(),
    )
    outreach.record_answer(
        actor=actor,
        request=request,
        status="refused",
        on=timezone.localdate(),
        note=f"{CANARY}: refused",
    )
    return request


def _vetting(case: Case, opener: User, verifier: User) -> tuple[Any, Any, Any]:
    from tropa.vetting import services as vetting
    from tropa.vetting.models import CheckStatus

    opened = vetting.open_vetting(actor=opener, case=case)
    check = opened.checks.all()[0]
    vetting.update_check(
        actor=verifier, check=check, status=CheckStatus.SATISFIED, finding=f"{CANARY}: seen"
    )
    claim = vetting.add_claim(actor=verifier, vetting=opened, text=f"{CANARY} deserted")
    return opened, check, claim


def make_casework(org: Organization, coordinator: User, verifier: User, tmp_path: Path) -> Casework:
    from tropa.evidence import services as evidence

    case = cases.create_case(actor=coordinator, organization=org, pseudonym="Grach")
    cases.save_identity(
        actor=coordinator,
        person=case.person,
        data={
            "surname": "Щербаков",
            "given_name": "Юрий",
            "patronymic": "Фёдорович",
            "birth_date": date(1980, 5, 3),
        },
    )
    told, event = _testimony(case, coordinator)
    hit = _screening_hit(case, coordinator, tmp_path)
    opened, check, claim = _vetting(case, coordinator, verifier)
    record = evidence.CollectionRecord(
        method="usb",
        received_at=timezone.now() - timedelta(hours=1),
        original_name=f"{CANARY}.pdf",
    )
    item = evidence.add_evidence(
        actor=coordinator, case=case, source=io.BytesIO(b"a scanned order"), record=record
    )
    return Casework(
        case=case,
        testimony=told,
        event=event,
        request=_outreach(case, coordinator),
        hit=hit,
        vetting=opened,
        check=check,
        claim=claim,
        item=item,
    )
