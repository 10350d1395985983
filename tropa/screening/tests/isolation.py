"""Screening objects of another organization for the URL-walking isolation test (R1).

The other organization gets its own list (published lists are shared by design), a hit of
one of its cases on that list, and a duplicate pair of its people.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from tropa.cases import services as cases
from tropa.screening import services
from tropa.screening.models import DuplicateCandidate, ScreeningHit


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    actor, org = world.outsider, world.other_org
    identity = {"surname": "Чужов", "given_name": "Олег", "birth_date": date(1990, 1, 2)}
    first = cases.create_case(actor=actor, organization=org, pseudonym="Elsewhere-1")
    second = cases.create_case(actor=actor, organization=org, pseudonym="Elsewhere-2")
    for case in (first, second):
        cases.save_identity(actor=actor, person=case.person, data=identity)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "own.csv"
        path.write_text("id,name,birth_date\nx1,Chuzhov Oleg,1990-01-02\n", encoding="utf-8")
        report = services.import_list(
            actor=actor, path=path, name="Elsewhere own", organization=org
        )
    services.screen_case(actor=actor, case=first)
    upload = services.new_import(actor=actor, organization=org)
    upload.name, upload.sha256, upload.sealed_key = "Elsewhere own", "0" * 64, b"x"
    upload.state = "done"
    upload.save()
    services.find_duplicate_people(actor=actor, organization=org)
    hit = ScreeningHit.objects.unscoped().get(case=first)
    candidate = DuplicateCandidate.objects.unscoped().get(organization=org)
    return {
        "screening:list_detail": {"code": report.watchlist.code},
        "screening:list_delete": {"code": report.watchlist.code},
        "screening:version": {"code": report.version.code if report.version else None},
        "screening:import": {"code": upload.code},
        "screening:screen_case": {"code": first.code},
        "screening:hit": {"code": hit.code},
        "screening:hit_reveal": {"code": hit.code},
        "screening:hit_decide": {"code": hit.code},
        "screening:duplicate": {"code": candidate.code},
        "screening:duplicate_reveal": {"code": candidate.code},
        "screening:duplicate_decide": {"code": candidate.code},
    }


# A valid body for each POST view, so that a 404 proves isolation and not a form error.
POST_DATA: dict[str, dict[str, Any]] = {
    "screening:hit_decide": {"decision": "confirm", "reason": "x"},
    "screening:duplicate_decide": {"decision": "same", "reason": "x"},
}
