"""Issue 19, point 5 (the case desk): small things that are not small on a bad day.

The creator is the preselected assignee; an organization's default currency; an alert is
resolved with an outcome and a confirmation; a ticked step can be unticked; a pseudonym
already in use is warned about; cities by code, countries by name, English dates that read
one way.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from conftest import CANARY
from tropa.accounts.models import Organization, Role
from tropa.audit.models import AuditEntry
from tropa.cases import services
from tropa.cases.models import Alert, AlertAction, Case
from tropa.cases.places import match_city
from tropa.crypto.fields import unseal


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select.group(0))


# 1. The creator is the default assignee ---------------------------------------------------


def test_the_creator_is_the_preselected_assignee_of_a_new_case(
    coordinator: Any, volunteer: Any, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    html = client.get(reverse("cases:new")).content.decode()
    assert _selected(html, "assignee") == [str(coordinator.code)]
    # The form sends what it shows: created without touching the field, the case is his.
    client.post(
        reverse("cases:new"),
        {"pseudonym": "Sokol", "country": "KZ", "risk": "medium", "assignee": coordinator.code},
    )
    case = Case.objects.unscoped().get(person__pseudonym="Sokol")
    assert case.assignee == coordinator
    entry = AuditEntry.objects.filter(action="case.created").latest("seq")
    assert entry.object_code == str(case.code)


# 2. An organization's default currency -----------------------------------------------------


def test_an_administrator_sets_the_default_currency_and_support_preselects_it(
    admin_user: Any, coordinator: Any, astana: Organization, canary_case: Case, signed_in: Any
) -> None:
    assert astana.default_currency == "EUR"
    page = signed_in(coordinator).get(canary_case.get_absolute_url()).content.decode()
    assert _selected(page, "currency") == ["EUR"]
    response = signed_in(admin_user).post(
        reverse("accounts:organization"), {"default_currency": "KZT"}
    )
    assert response.status_code == 302
    astana.refresh_from_db()
    assert astana.default_currency == "KZT"
    entry = AuditEntry.objects.filter(action="organization.settings_changed").get()
    assert entry.detail == {"fields": ["default_currency"], "default_currency": "KZT"}
    page = signed_in(coordinator).get(canary_case.get_absolute_url()).content.decode()
    assert _selected(page, "currency") == ["KZT"]


def test_only_an_administrator_reaches_the_organization_settings(
    coordinator: Any, astana: Organization, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    assert client.get(reverse("accounts:organization")).status_code == 404
    assert (
        client.post(reverse("accounts:organization"), {"default_currency": "RUB"}).status_code
        == 404
    )
    astana.refresh_from_db()
    assert astana.default_currency == "EUR"


# 3. Resolving an alert asks for its outcome and a confirmation -----------------------------


def test_resolving_asks_for_the_outcome_and_a_confirmation(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    alert = canary_case.alerts.get()
    client = signed_in(coordinator)
    url = reverse("cases:alert_resolve", args=[alert.code])
    page = client.get(url).content.decode()
    assert "False alarm" in page and "Deported or extradited" in page
    assert "Consulate or embassy contacted" in page  # a step not ticked yet is named
    # Without the tick in the box: nothing happens, and the box says why, next to it.
    refused = client.post(url, {"outcome": "deported", "note": "Бишкек"})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert 'id="id_confirm_error"' in html and 'aria-describedby="id_confirm_error"' in html
    assert "Бишкек" in html  # the note typed is still there
    alert.refresh_from_db()
    assert alert.is_active
    # "Other" needs the note.
    other = client.post(url, {"outcome": "other", "confirm": "on"})
    assert "Say in the note how it ended." in other.content.decode()
    note = f"Передан родственникам {CANARY}"
    done = client.post(url, {"outcome": "deported", "note": note, "confirm": "on"})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert (alert.outcome, alert.resolved_by) == ("deported", coordinator)
    assert CANARY.encode() not in bytes(alert.sealed_outcome)
    assert unseal(alert, "sealed_outcome", alert.sealed_outcome) == note
    entry = AuditEntry.objects.filter(action="alert.resolved").get()
    assert entry.detail == {"alert": str(alert.code), "outcome": "deported"}
    case_page = client.get(canary_case.get_absolute_url()).content.decode()
    assert "Deported or extradited" in case_page and note in case_page


def test_a_volunteer_sees_the_outcome_but_not_its_note(
    coordinator: Any, volunteer: Any, canary_case: Case, signed_in: Any
) -> None:
    services.update_case(actor=coordinator, case=canary_case, assignee=volunteer)
    alert = canary_case.alerts.get()
    services.resolve_alert(actor=coordinator, alert=alert, outcome="released", note="изолятор 2")
    page = signed_in(volunteer).get(canary_case.get_absolute_url()).content.decode()
    assert "Released from detention" in page and "изолятор 2" not in page
    reached = signed_in(volunteer).get(reverse("cases:alert_resolve", args=[alert.code]))
    assert reached.status_code == 403


# 4. A ticked checklist step can be unticked ------------------------------------------------


def test_a_ticked_step_is_unticked_with_its_history_kept(
    coordinator: Any, astana: Organization, make_user: Any, canary_case: Case, signed_in: Any
) -> None:
    lawyer = make_user(astana, "lena", Role.LAWYER)
    alert = canary_case.alerts.get()
    url = reverse("cases:alert_item", args=[alert.code])
    client = signed_in(lawyer)
    client.post(url, {"item": "lawyer_informed", "undo": "1"})
    undone = AlertAction.objects.get(alert=alert, item="lawyer_informed")
    assert (undone.done_by, undone.undone_by) == (coordinator, lawyer)
    assert undone.undone_at is not None
    entry = AuditEntry.objects.filter(action="alert.item_undone").get()
    assert entry.detail == {"alert": str(alert.code), "item": "lawyer_informed"}
    page = client.get(canary_case.get_absolute_url()).content.decode()
    assert '<button type="submit" name="item" value="lawyer_informed">' in page  # open again
    assert "unticked by lena" in page  # and the history says so
    dashboard = client.get(reverse("cases:dashboard")).content.decode()
    assert "0 of 4 steps done" in dashboard
    # Ticked again: a new row, the old one stays.
    client.post(url, {"item": "lawyer_informed"})
    assert AlertAction.objects.filter(alert=alert, item="lawyer_informed").count() == 2
    assert "1 of 4 steps done" in client.get(reverse("cases:dashboard")).content.decode()
    # A step that is not ticked cannot be unticked.
    again = client.post(url, {"item": "family_told", "undo": "1"}, follow=True)
    assert "This step is not ticked." in again.content.decode()


# 5. A pseudonym already used is a warning, not a refusal -----------------------------------


def test_a_pseudonym_already_used_is_warned_about_and_can_be_used_knowingly(
    coordinator: Any, canary_case: Case, outsider_case: Case, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    form = {"pseudonym": "  fUNKER ", "country": "KZ", "risk": "medium", "city": "Kleinstadt"}
    warned = client.post(reverse("cases:new"), form)
    assert warned.status_code == 200
    html = warned.content.decode()
    assert "is already used in your organization" in html
    assert canary_case.get_absolute_url() in html
    assert 'value="Kleinstadt"' in html  # what was typed stays
    assert Case.objects.unscoped().filter(person__pseudonym_folded="funker").count() == 1
    created = client.post(reverse("cases:new"), {**form, "same_pseudonym": "on"})
    assert created.status_code == 302
    assert Case.objects.for_organization(canary_case.organization).count() == 2
    # Another organization's "Ararat" is none of this organization's business.
    other = client.post(reverse("cases:new"), {**form, "pseudonym": "Ararat"})
    assert other.status_code == 302
    assert outsider_case.get_absolute_url() not in other.content.decode()


# 6. Cities chosen per country, one code for every spelling ---------------------------------


def test_a_city_is_one_code_whatever_the_spelling(
    coordinator: Any, astana: Organization, signed_in: Any
) -> None:
    for spelling in ("Astana", "астана", "Нур-Султан", "NUR SULTAN"):
        city = match_city(spelling, "KZ")
        assert city is not None and city.code == "kz-astana", spelling
    case = services.create_case(
        actor=coordinator, organization=astana, pseudonym="Orel", city="Астана"
    )
    assert (case.city_code, case.city) == ("kz-astana", "")
    with translation.override("de"):
        assert case.city_name == "Astana"
    with translation.override("fr"):
        assert (
            services.create_case(
                actor=coordinator, organization=astana, pseudonym="Lis", country="GE", city="Тифлис"
            ).city_name
            == "Tbilissi"
        )
    found = signed_in(coordinator).get(reverse("cases:list"), {"q": "АСТАНА"})
    assert [c.person.pseudonym for c in found.context["page"]] == ["Orel"]


def test_the_city_is_chosen_after_the_country(
    coordinator: Any, astana: Organization, signed_in: Any
) -> None:
    client = signed_in(coordinator)
    client.cookies["tropa_language"] = "ru"
    html = client.get(reverse("cases:new")).content.decode()
    groups = re.findall(r'<optgroup label="([^"]+)"', html)
    assert groups[0] == "Казахстан" and "Грузия" in groups  # the country chosen comes first
    assert '<option value="kz-astana">Астана</option>' in html
    wrong = client.post(
        reverse("cases:new"),
        {"pseudonym": "Yozh", "country": "GE", "city_code": "kz-astana", "risk": "medium"},
    )
    assert wrong.status_code == 200
    page = wrong.content.decode()
    assert 'id="id_city_code_error"' in page and "Грузия" in page
    assert _selected(page, "country") == ["GE"]
    typed = client.post(
        reverse("cases:new"),
        {"pseudonym": "Yozh", "country": "GE", "city": "Батуми", "risk": "medium"},
    )
    assert typed.status_code == 302
    case = Case.objects.unscoped().get(person__pseudonym="Yozh")
    assert (case.city_code, case.city) == ("ge-batumi", "")


def test_existing_city_text_becomes_a_code_where_it_matches(
    coordinator: Any, astana: Organization
) -> None:
    from importlib import import_module

    migration = import_module("tropa.cases.migrations.0006_cities_to_codes")
    matched = services.create_case(actor=coordinator, organization=astana, pseudonym="A")
    unmatched = services.create_case(actor=coordinator, organization=astana, pseudonym="B")
    Case.objects.filter(organization=astana, pk=matched.pk).update(city="алма-ата", city_code="")
    Case.objects.filter(organization=astana, pk=unmatched.pk).update(city="Кокшетау")
    migration.forwards(apps, None)
    matched.refresh_from_db()
    unmatched.refresh_from_db()
    assert (matched.city_code, matched.city) == ("kz-almaty", "")
    assert "алматы" in matched.search_text and "almaty" in matched.search_text
    assert (unmatched.city_code, unmatched.city) == ("", "Кокшетау")


# 7. Countries by name, 8. English dates that read one way ---------------------------------


def test_countries_and_dates_read_in_the_users_language(
    coordinator: Any, astana: Organization, signed_in: Any
) -> None:
    with freeze_time("2026-11-20 09:00:00"):
        case = services.create_case(
            actor=coordinator,
            organization=astana,
            pseudonym="Gus",
            country="MN",
            city="Ulan Bator",
            next_action="Call",
            next_action_on=date(2026, 12, 1),
        )
    client = signed_in(coordinator)
    english = client.get(case.get_absolute_url()).content.decode()
    assert "Ulaanbaatar, Mongolia" in english
    assert "1 Dec 2026" in english and "12/01/2026" not in english
    assert "20 Nov 2026, 14:00" in english  # created 09:00 UTC, shown in Asia/Almaty
    client.cookies["tropa_language"] = "ru"
    russian = client.get(case.get_absolute_url()).content.decode()
    assert "Улан-Батор, Монголия" in russian and "01.12.2026" in russian
    assert ">MN<" not in russian


def test_the_audit_and_pseudonym_index_see_a_renamed_case(
    coordinator: Any, canary_case: Case
) -> None:
    services.update_case(actor=coordinator, case=canary_case, pseudonym="Sova")
    assert services.cases_with_pseudonym(canary_case.organization, "SOVA") == [canary_case]
    assert services.cases_with_pseudonym(canary_case.organization, "funker") == []


def test_an_alert_resolved_elsewhere_meanwhile_is_refused(
    coordinator: Any, canary_case: Case
) -> None:
    alert = canary_case.alerts.get()
    stale = Alert.objects.for_organization(canary_case.organization).get(pk=alert.pk)
    services.resolve_alert(actor=coordinator, alert=alert, outcome="safe")
    with pytest.raises(services.CaseError):
        services.resolve_alert(actor=coordinator, alert=stale, outcome="false_alarm")
    stale.refresh_from_db()
    assert stale.outcome == "safe"
