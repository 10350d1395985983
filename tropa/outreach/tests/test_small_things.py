"""Small things that are not small on a bad day (issue 19, point 5, outreach's part):
the PDF before recording, letters signed with a display name, contacts that follow the
institution, the starter set of the organization's own city, countries by name, starter
templates named in the reader's language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.outreach import services
from tropa.outreach.models import Contact, Institution, LetterTemplate, Request


@pytest.fixture
def starter(astana: Organization, coordinator: User) -> Institution:
    services.load_starter_set(actor=coordinator, organization=astana)
    return Institution.objects.get(name="Embassy of Germany in Astana")


def _options(page: str, name: str) -> list[str]:
    body = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert body, f"no select {name}"
    return re.findall(r">([^<]+)</option>", body.group(1))


def test_letters_are_signed_with_the_display_name_not_the_login(
    coordinator: User,
    signed_in: Callable[[User], Client],
    starter: Institution,
    canary_case: Case,
) -> None:
    client = signed_in(coordinator)
    follow_up = LetterTemplate.objects.get(name="Follow-up", language="en")
    form = {"template": follow_up.code, "institution": starter.code, "action": "preview"}
    page = client.post(reverse("outreach:compose"), form).content.decode()
    assert "you have none yet" in page
    assert f"\n{coordinator.username}\n" not in page  # the login never signs a letter

    response = client.post(reverse("accounts:display_name"), {"display_name": " Anna,  Tropa "})
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.display_name == "Anna, Tropa"
    assert AuditEntry.objects.filter(action="user.display_name_changed").count() == 1
    page = client.post(reverse("outreach:compose"), form).content.decode()
    assert "Yours sincerely,\nAnna, Tropa\n" in page and "you have none yet" not in page
    settings_page = client.get(reverse("accounts:settings")).content.decode()
    assert 'value="Anna, Tropa"' in settings_page


def test_the_letter_pdf_can_be_previewed_before_it_is_recorded(
    coordinator: User, signed_in: Callable[[User], Client], starter: Institution
) -> None:
    client = signed_in(coordinator)
    template = LetterTemplate.objects.get(name="Follow-up", language="de")
    page = client.post(
        reverse("outreach:compose"),
        {"template": template.code, "institution": starter.code, "action": "preview"},
    ).content.decode()
    assert f'formaction="{reverse("outreach:letter_preview_pdf")}"' in page
    response = client.post(
        reverse("outreach:letter_preview_pdf"),
        {
            "institution": starter.code,
            "channel": "email",
            "language": "de",
            "sent_on": "2026-03-01",
            "subject": "Nachfrage",
            "body": "Sehr geehrte Damen und Herren,\n\nwir fragen nach.",
        },
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="letter-preview.pdf"'
    assert not Request.objects.unscoped().exists()  # nothing was recorded
    refused = client.post(reverse("outreach:letter_preview_pdf"), {"subject": ""}, follow=True)
    assert "write a subject to preview the PDF" in refused.content.decode()


def test_the_contact_list_follows_the_chosen_institution_without_javascript(
    coordinator: User,
    signed_in: Callable[[User], Client],
    starter: Institution,
    astana: Organization,
) -> None:
    france = Institution.objects.get(name="Embassy of France in Astana")
    services.add_contact(actor=coordinator, institution=starter, name="Frau Weber")
    services.add_contact(actor=coordinator, institution=france, name="M. Martin")
    client = signed_in(coordinator)
    page = client.get(reverse("outreach:request_new")).content.decode()
    assert len(_options(page, "contact")) == 3  # "—" and both, before a choice

    for url in (reverse("outreach:compose"), reverse("outreach:request_new")):
        page = client.post(
            url, {"institution": france.code, "subject": "Kept", "action": "contacts"}
        ).content.decode()
        assert [o for o in _options(page, "contact") if not o.startswith("---")] == [
            "Embassy of France in Astana — M. Martin"
        ]
        assert "This field is required" not in page  # only the list changed
    assert 'value="Kept"' in page  # what was typed stays
    assert not Request.objects.unscoped().exists()
    assert Contact.objects.filter(organization=astana).count() == 2


def test_the_starter_directory_loads_the_organizations_own_city_first(
    coordinator: User, signed_in: Callable[[User], Client], astana: Organization
) -> None:
    for name in ("A", "B"):
        cases.create_case(actor=coordinator, organization=astana, pseudonym=name, city="Ереван")
    assert services.own_city(astana) == "Yerevan"
    client = signed_in(coordinator)
    page = client.get(reverse("outreach:directory")).content.decode()
    assert re.search(r'<option value="Yerevan" selected>', page)

    client.post(reverse("outreach:load_starter"), {"city": "Yerevan"})
    cities = set(Institution.objects.filter(organization=astana).values_list("city", flat=True))
    assert cities == {"Yerevan"}
    assert AuditEntry.objects.get(action="outreach.starter_loaded").detail["city"] == "Yerevan"
    client.post(reverse("outreach:load_starter"), {"city": ""})  # then all the others
    services.create_institution(
        actor=coordinator,
        organization=astana,
        name="Aaa Tbilisi office",
        kind="ngo",
        city="Tbilisi",
    )
    page = client.get(reverse("outreach:directory")).content.decode()
    names = re.findall(r'<td[^>]*><a href="/outreach/directory/[^"]+">([^<]+)</a>', page)
    assert all("Yerevan" in n for n in names[:8]) and "Yerevan" not in names[8]


def test_an_organization_with_cases_only_in_a_country_gets_that_countrys_city(
    coordinator: User, astana: Organization
) -> None:
    assert services.own_city(astana) == ""
    cases.create_case(actor=coordinator, organization=astana, pseudonym="A", country="GE")
    assert services.own_city(astana) == "Tbilisi"


def test_countries_are_shown_by_name_in_the_readers_language(
    coordinator: User, starter: Institution
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="ru"), coordinator)
    page = client.get(reverse("outreach:directory")).content.decode()
    assert ">Германия</td>" in page and ">DE</td>" not in page
    page = client.get(starter.get_absolute_url()).content.decode()
    assert "<dd>Германия</dd>" in page
    form = client.get(reverse("outreach:institution_edit", args=[starter.code])).content.decode()
    assert '<option value="DE" selected>Германия</option>' in form


def test_the_starter_templates_are_named_in_the_readers_language(
    coordinator: User, starter: Institution
) -> None:
    names = {"ru": "Гуманитарная виза", "de": "Humanitäres Visum", "uk": "Гуманітарна віза"}
    for language, name in names.items():
        client = sign_in(Client(HTTP_ACCEPT_LANGUAGE=language), coordinator)
        page = client.get(reverse("outreach:templates")).content.decode()
        assert name in page, language
        compose = client.get(reverse("outreach:compose")).content.decode()
        assert f"{name} (ru)" in compose
