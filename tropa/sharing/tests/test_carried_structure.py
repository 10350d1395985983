"""The events and acts an analyst extracted from a chosen interview go with it: recreated
through testimony's service, sealed with the receiver's keys, marked as come by referral;
those of an interview not chosen stay behind."""

from __future__ import annotations

import pytest

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.sharing import services
from tropa.testimony import services as testimony
from tropa.testimony.models import Act, Event, Testimony, Unit
from tropa.testimony.tests.conftest import act_data

from .test_carried import INTERVIEW, _refer
from .test_referrals import _opens_with_keys_of

pytestmark = pytest.mark.django_db


def _structured(case: Case, actor: User, unit: Unit, settlement: str) -> Testimony:
    interview = testimony.record_interview(actor=actor, case=case, data=INTERVIEW)
    event = testimony.add_event(
        actor=None, testimony=interview, data={"when": "июнь 2022", "settlement": settlement}
    )
    act = testimony.add_act(actor=None, event=event, data=act_data(unit, description="обстрел"))
    testimony.set_claimed(actor=None, act=act, words="нас обстреляли")
    return interview


def _sealed(organization: Organization) -> list[tuple[object, str, bytes]]:
    rows: list[tuple[object, str, bytes]] = []
    for event in Event.objects.filter(organization=organization):
        rows.append((event, "sealed", event.sealed))
    for act in Act.objects.filter(organization=organization):
        rows += [(act, "sealed", act.sealed), (act, "sealed_claimed", act.sealed_claimed)]
    return rows


def test_events_and_acts_of_chosen_interviews_only_open_with_the_receivers_keys(
    canary_case: Case, coordinator: User, yerevan: Organization, outsider: User
) -> None:
    astana = canary_case.organization
    unit = testimony.save_unit(
        actor=None, organization=astana, names=["155-я бригада"], number="30926"
    )
    chosen = _structured(canary_case, coordinator, unit, "Купянск")
    _structured(canary_case, coordinator, unit, "Изюм")  # not chosen
    referral = _refer(canary_case, coordinator, yerevan, testimony=[str(chosen.code)])
    # Before acceptance: nothing at the receiver's, and its keys open none of the sender's.
    assert not Event.objects.filter(organization=yerevan).exists()
    for row, column, value in _sealed(astana):
        assert not _opens_with_keys_of(yerevan, row, column, value)
    receipt = services.accept_referral(actor=outsider, referral=referral)
    came = Testimony.objects.get(organization=yerevan)
    events = list(Event.objects.filter(organization=yerevan))
    assert len(events) == 1 and events[0].testimony == came and events[0].case == receipt.case
    data = testimony.event_data(events[0])
    assert data["settlement"] == "Купянск"
    assert data["referral"]["organization"] == astana.name
    act = Act.objects.get(organization=yerevan)
    values = testimony.act_data(act)
    assert values["description"] == "обстрел" and values["claimed"]["words"] == "нас обстреляли"
    assert values["source"]["testimony"] == str(came.code)
    # The unit is one of the receiver's reference list now, not a code of the sender's.
    copied_unit = Unit.objects.get(organization=yerevan)
    assert values["perpetrators"][0]["unit"] == str(copied_unit.code)
    assert testimony.unit_data(copied_unit)["number"] == "30926"
    # Exactly these open with the receiver's keys, none with the sender's.
    for row, column, value in _sealed(yerevan):
        assert _opens_with_keys_of(yerevan, row, column, value)
        assert not _opens_with_keys_of(astana, row, column, value)
    entry = AuditEntry.objects.get(
        organization_code=str(yerevan.code), action="testimony.structure_carried"
    )
    assert entry.detail["events"] == 1 and entry.detail["acts"] == 1
