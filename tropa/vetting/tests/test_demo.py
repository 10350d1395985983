"""The demo's three vettings, as the issue asks (on the three demo cases alone: the whole
demo with its screening takes minutes and is run by tropa/core/tests)."""

from __future__ import annotations

from collections.abc import Callable

from tropa.accounts.models import Organization, Role, User
from tropa.cases import services as cases
from tropa.screening.models import ScreeningHit
from tropa.vetting import services
from tropa.vetting.demo import load_vetting_demo
from tropa.vetting.models import Vetting


def test_the_demo_has_the_three_vettings(
    astana: Organization, make_user: Callable[..., User]
) -> None:
    opener = make_user(astana, "astana-coordinator", Role.COORDINATOR)
    make_user(astana, "astana-verifier", Role.VERIFIER)
    made = {
        name: cases.create_case(actor=opener, organization=astana, pseudonym=name)
        for name in ("Funker", "Rambo", "Volk")
    }
    cases.add_note(actor=opener, case=made["Funker"], text="Интервью")
    hit = ScreeningHit(
        organization=astana, case=made["Volk"], person=made["Volk"].person, entry_index="demo"
    )
    hit.sealed = b""
    hit.save()
    rows = load_vetting_demo(astana)
    assert {"astana-verifier-2", "astana-lawyer"} == {r[1] for r in rows}
    vettings = {
        v.case.person.pseudonym: v
        for v in Vetting.objects.filter(organization=astana).select_related("case__person")
    }
    funker, rambo, volk = vettings["Funker"], vettings["Rambo"], vettings["Volk"]
    assert funker.state == "decided" and funker.outcome == "recommend"
    assert services.decided(funker).signoffs.count() == 2
    assert funker.claims.exclude(reliability="").count() == 3
    assert any(services.read_check(c)["evidence"] for c in funker.checks.all())
    assert any(services.read_check(c)["notes"] for c in funker.checks.all())
    assert rambo.state == "open" and rambo.checks.filter(status="concern").exists()
    blockers = services.blockers(volk)
    assert blockers.open_hits == 1 and not blockers.unfinished and not blockers.failed
    load_vetting_demo(astana)
    assert Vetting.objects.filter(organization=astana).count() == 3
