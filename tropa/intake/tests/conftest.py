"""Fixtures for intake: an invitation, and a person walking the public pages (no cookies)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tropa.accounts.models import Organization, User
from tropa.intake import services


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} on the page"
    return found.group(1)


@dataclass
class Person:
    """A man on his phone: one browser without cookies, the last page he was shown."""

    client: Client = field(default_factory=Client)
    html: str = ""
    status: int = 0
    codename: str = ""

    def get(self, url: str) -> str:
        response = self.client.get(url)
        self.status, self.html = response.status_code, response.content.decode()
        return self.html

    def post(self, url: str, data: dict[str, Any]) -> str:
        response = self.client.post(url, data)
        self.status, self.html = response.status_code, response.content.decode()
        return self.html

    def start(self, url: str, language: str = "") -> str:
        self.get(url)
        data = {"start": hidden(self.html, "start")}
        if language:
            data["language"] = language
        self.post(reverse("intake:start"), data)
        found = re.search(r'id="codename">([^<]+)<', self.html)
        assert found, self.html
        self.codename = found.group(1).strip()
        return self.go("show", page=0)

    def go(self, go: str, page: int | None = None, **answers: Any) -> str:
        data: dict[str, Any] = {"form": hidden(self.html, "form"), "go": go, **answers}
        if page is None:
            found = re.search(r'name="page" value="(\d+)"', self.html)
            page = int(found.group(1)) if found else 0
        data["page"] = page
        return self.post(reverse("intake:answer"), data)

    def come_back(self, codename: str | None = None) -> str:
        self.get(reverse("intake:come_back"))
        data = {"ret": hidden(self.html, "ret"), "codename": codename or self.codename}
        return self.post(reverse("intake:come_back"), data)


@pytest.fixture
def person() -> Person:
    return Person()


@pytest.fixture
def invite_url(astana: Organization, coordinator: User) -> str:
    made = services.create_invitation(actor=coordinator, organization=astana, language="ru")
    return reverse("intake:invitation", kwargs={"token": made.token})


def fill_interview(person: Person, *, served: str = "yes", family: str = "no") -> None:
    """Answer every page of the shipped definition, from the first page to the send page."""
    person.go("next", surname="Канарейкин", given_name="Алексей", birth_date="1994-03-02")
    person.go("next", country="KZ", city="Астана", arrived_on="2026-10-01")
    person.go("next", served=served, left_how="deserted")
    if served == "yes":
        assert "Ваша часть" in person.html
        person.go("next", service_type="mobilized", unit="в/ч 12345", places="Бахмут")
    assert "Семья" in person.html
    person.go("next", family_came=family)
    if family == "yes":
        person.go("next", family_who="жена и сын 5 лет")
    person.go("next", needs="жильё", story="Канарейкин просит помочь")
    assert "Ready to send" in person.html or "Готово к отправке" in person.html
