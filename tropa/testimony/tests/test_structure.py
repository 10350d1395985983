"""Events, acts, units, the two classifications, corroboration, search."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.testimony import services
from tropa.testimony.errors import TestimonyError
from tropa.testimony.models import Act, Corroboration, CorroborationStatus, Testimony, Unit

from .conftest import act_data, make_testimony


def _event(testimony: Testimony, when: str, settlement: str, **extra: object):
    return services.add_event(
        actor=None, testimony=testimony, data={"when": when, "settlement": settlement, **extra}
    )


def test_units_match_across_spellings_and_numbers(astana: Organization, unit: Unit) -> None:
    for text in ("в/ч 30926", "v/ch 30926", "155 бригада морской пехоты", "155th naval infantry"):
        assert services.match_units(astana, text) == [unit], text
    assert services.match_units(astana, "200 бригада") == []
    with pytest.raises(TestimonyError):
        services.save_unit(actor=None, organization=astana, names=[], number="123")
    assert AuditEntry.objects.filter(action="testimony.unit_saved").exists()


def test_claimed_and_potential_never_overwrite_each_other(
    testimony: Testimony, unit: Unit, lawyer: User, coordinator: User
) -> None:
    event = _event(testimony, "ночь на 29.06.2022", "Угледар", oblast="donetsk")
    act = services.add_act(actor=lawyer, event=event, data=act_data(unit))
    services.set_claimed(actor=lawyer, act=act, words="это был фосфор, военное преступление")
    services.set_potential(actor=lawyer, act=act, article="8(2)(b)(xx)", elements=[0, 2])
    services.set_claimed(actor=lawyer, act=act, words="фосфор")
    act.refresh_from_db()
    data = services.act_data(act)
    assert data["claimed"]["words"] == "фосфор"
    assert data["potential"]["article"] == "8(2)(b)(xx)" and data["potential"]["elements"] == [0, 2]
    services.set_potential(actor=lawyer, act=act, article="8(2)(b)(i)", elements=[])
    act.refresh_from_db()
    assert services.act_data(act)["claimed"]["words"] == "фосфор"
    with pytest.raises(TestimonyError):
        services.set_potential(actor=coordinator, act=act, article="8(2)(b)(i)", elements=[])
    with pytest.raises(TestimonyError):
        services.set_potential(actor=lawyer, act=act, article="8(2)(b)(i)", elements=[9])
    for action in ("act_added", "claimed_saved", "potential_saved", "event_added"):
        assert AuditEntry.objects.filter(action=f"testimony.{action}").exists(), action


def test_coded_fields_are_sealed(testimony: Testimony, unit: Unit, lawyer: User) -> None:
    event = _event(testimony, "29.06.2022", "Угледар", oblast="donetsk")
    act = services.add_act(actor=lawyer, event=event, data=act_data(unit))
    services.set_potential(actor=lawyer, act=act, article="8(2)(b)(xx)", elements=[0])
    raw = b"".join(
        bytes(v or b"")
        for v in Act.all_organizations.filter(pk=act.pk)
        .values_list("sealed", "sealed_claimed", "sealed_potential")
        .get()
    ) + bytes(
        type(event).all_organizations.filter(pk=event.pk).values_list("sealed", flat=True).get()
    )
    for needle in ("incendiary", "8(2)", "Угледар", "donetsk", "2022", str(unit.code)):
        assert needle.encode() not in raw, needle


def _two_witnesses(astana: Organization, lawyer: User, unit: Unit):
    first = make_testimony(
        cases.create_case(actor=lawyer, organization=astana, pseudonym="A"),
        lawyer,
        "Ночью нас обстреляли фосфором, горели дома.",
    )
    second = make_testimony(
        cases.create_case(actor=lawyer, organization=astana, pseudonym="B"),
        lawyer,
        "Вночі був обстріл фосфорними снарядами.",
    )
    a = _event(first, "ночь на 29.06.2022", "Угледар")
    services.add_act(actor=lawyer, event=a, data=act_data(unit))
    b = _event(second, "29 июня 2022", "Vuhledar")
    services.add_act(actor=lawyer, event=b, data=act_data(unit))
    return first, second, a, b


def test_corroboration_is_suggested_reviewed_and_never_merged(
    astana: Organization, lawyer: User, unit: Unit, signed_in
) -> None:
    first, second, a, b = _two_witnesses(astana, lawyer, unit)
    pair = Corroboration.objects.filter(organization=astana).get()
    assert {pair.event_a_id, pair.event_b_id} == {a.pk, b.pk}
    assert services.basis_of(pair)["place"] == {"same_settlement": True}
    # Elsewhere, or another time, or without the unit: no suggestion.
    third = make_testimony(
        cases.create_case(actor=lawyer, organization=astana, pseudonym="C"), lawyer
    )
    services.add_act(
        actor=lawyer, event=_event(third, "29.06.2022", "Марьинка"), data=act_data(unit)
    )
    services.add_act(actor=lawyer, event=_event(third, "2023", "Угледар"), data=act_data(unit))
    services.add_act(
        actor=lawyer, event=_event(third, "29.06.2022", "Угледар"), data=act_data(None)
    )
    assert Corroboration.objects.filter(organization=astana).count() == 1
    client = signed_in(lawyer)
    client.post(
        reverse("testimony:corroboration_decide", args=[pair.code]),
        {"decision": "confirm", "reason": "same night"},
    )
    pair.refresh_from_db()
    assert pair.status == CorroborationStatus.CONFIRMED
    assert services.corroboration_count(a) == services.corroboration_count(b) == 1
    for case in (first.case, second.case):
        page = client.get(reverse("cases:detail", args=[case.code])).content.decode()
        assert "1 confirmed" in page
    with pytest.raises(TestimonyError):
        services.decide_corroboration(actor=lawyer, pair=pair, confirm=False, reason="")
    assert Testimony.objects.filter(organization=astana).count() == 3  # nothing merged
    assert AuditEntry.objects.filter(action="testimony.corroboration_suggested").exists()
    assert AuditEntry.objects.filter(action="testimony.corroboration_confirmed").count() == 2


def test_dismissing_a_suggestion(astana: Organization, lawyer: User, unit: Unit) -> None:
    _two_witnesses(astana, lawyer, unit)
    pair = Corroboration.objects.filter(organization=astana).get()
    services.decide_corroboration(actor=lawyer, pair=pair, confirm=False, reason="другая ночь")
    pair.refresh_from_db()
    assert pair.status == CorroborationStatus.DISMISSED
    assert AuditEntry.objects.filter(action="testimony.corroboration_dismissed").exists()


def test_coordinates_within_a_distance_are_one_place(
    astana: Organization, lawyer: User, unit: Unit
) -> None:
    first = make_testimony(
        cases.create_case(actor=lawyer, organization=astana, pseudonym="A"), lawyer
    )
    second = make_testimony(
        cases.create_case(actor=lawyer, organization=astana, pseudonym="B"), lawyer
    )
    a = _event(first, "06.07.2022", "Павловка", lat=47.78, lon=37.25)
    services.add_act(actor=lawyer, event=a, data=act_data(unit))
    b = _event(second, "06.07.2022", "за посёлком", lat=47.80, lon=37.30)
    services.add_act(actor=lawyer, event=b, data=act_data(unit))
    pair = Corroboration.objects.filter(organization=astana).get()
    assert services.basis_of(pair)["place"]["km"] < 10


def test_search_by_inflected_words_unit_place_dates_kind_and_article(
    astana: Organization, lawyer: User, coordinator: User, unit: Unit
) -> None:
    first, second, a, _b = _two_witnesses(astana, lawyer, unit)
    services.save_interview(
        actor=lawyer,
        testimony=first,
        data={**services.current(first), "narrative": "Кандидаты в командиры стреляли."},
    )
    act = a.acts.all()[0]
    services.set_potential(actor=lawyer, act=act, article="8(2)(b)(xx)", elements=[0])

    def found(**criteria: object) -> set[str]:
        query = services.Query(**criteria)  # type: ignore[arg-type]
        return {t.case.person.pseudonym for t in services.search(actor=lawyer, query=query)}

    assert found(text="кандидат") == {"A"}
    assert found(text="фосфорный") == {"B"}  # фосфорними (uk) meets фосфорный (ru)
    assert found(unit=str(unit.code)) == {"A", "B"}
    assert found(place="Вугледар") == {"A", "B"}
    assert found(place="Марьинка") == set()
    assert found(start=date(2022, 6, 29), end=date(2022, 6, 29)) == {"A", "B"}
    assert found(start=date(2022, 7, 1), end=date(2022, 7, 31)) == set()
    assert found(kind="incendiary") == {"A", "B"}
    assert found(article="8(2)(b)(xx)") == {"A"}
    services.set_implicated(actor=lawyer, case=second.case)
    as_coordinator = services.search(actor=coordinator, query=services.Query(kind="incendiary"))
    assert {t.case.person.pseudonym for t in as_coordinator} == {"A"}
    assert found(kind="incendiary") == {"A", "B"}  # a lawyer still finds the flagged witness
    assert AuditEntry.objects.filter(action="testimony.searched").exists()


def test_event_page_names_no_flagged_witness_and_offers_the_checklist(
    astana: Organization, lawyer: User, coordinator: User, unit: Unit, signed_in
) -> None:
    _first, second, a, _b = _two_witnesses(astana, lawyer, unit)
    url = reverse("testimony:event", args=[a.code])
    page = signed_in(lawyer).get(url).content.decode()
    assert 'name="reason"' in page and ">B<" in page  # the other witness, to a reviewer
    services.set_implicated(actor=lawyer, case=second.case)
    page = signed_in(coordinator).get(url).content.decode()
    assert ">B<" not in page and "Possibly the same event" not in page
    act = a.acts.all()[0]
    services.set_potential(actor=lawyer, act=act, article="8(2)(b)(xx)", elements=[1])
    page = signed_in(lawyer).get(url).content.decode()
    assert "Elements of Crimes" in page and 'value="1" checked' in page


def test_provisions_are_named_in_the_readers_language_and_exported_as_the_court_writes() -> None:
    from django.utils import translation

    from tropa.testimony.vocabulary import ARTICLES, TITLES

    assert set(ARTICLES) == set(TITLES)
    with translation.override("ru"):
        assert str(ARTICLES["8(2)(a)(i)"]["title_local"]) == "Умышленное убийство"
    assert ARTICLES["8(2)(a)(i)"]["title"] == "Wilful killing"
