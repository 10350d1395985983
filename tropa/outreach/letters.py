"""Filling a letter template with fields of a case, and the PDF letter.

Templates use ``{placeholder}`` and nothing else: an editable template is data, never code,
so it cannot reach anything a placeholder does not name. The person is called by the
pseudonym unless the writer, allowed to see identities, asks for the legal name; that reveal
goes through the case desk's ``reveal_identity`` and is audited there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import User
from tropa.accounts.permissions import Cap, can
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.cases.places import city_name
from tropa.core.countries import country_name
from tropa.core.pdf import html_to_pdf

from .models import Contact, Institution, LetterTemplate

PLACEHOLDER = re.compile(r"\{(\w+)\}")

# (name, what it holds); identity placeholders stay empty unless the identity is used.
PLACEHOLDERS: list[tuple[str, Any]] = [
    ("greeting", _("salutation in the letter's language, with the contact person if chosen")),
    ("institution", _("name of the institution")),
    ("contact", _("contact person")),
    ("name", _("pseudonym, or the legal name when the identity is used")),
    ("city", _("city of the case")),
    ("country", _("transit country of the case")),
    ("arrived_on", _("date of arrival in the transit country")),
    ("days_in_limbo", _("days since arrival")),
    ("organization", _("your organization")),
    ("sender", _("your display name (set it in your settings)")),
    ("today", _("today's date")),
    ("name_latin", _("legal name in Latin letters (identity)")),
    ("birth_date", _("date of birth (identity)")),
    ("passport", _("passport number (identity)")),
]
IDENTITY_PLACEHOLDERS = ("name_latin", "birth_date", "passport")

_GREETINGS = {
    "ru": ("Здравствуйте, {}!", "Уважаемые дамы и господа!"),
    "en": ("Dear {},", "Dear Sir or Madam,"),
    "de": ("Guten Tag, {},", "Sehr geehrte Damen und Herren,"),
    "fr": ("À l'attention de {}\n\nMadame, Monsieur,", "Madame, Monsieur,"),
}


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str
    language: str
    used_identity: bool


def _date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def letter_values(
    *,
    actor: User | None,
    language: str,
    institution: Institution,
    contact: Contact | None,
    case: Case | None,
    use_identity: bool,
) -> tuple[dict[str, str], bool]:
    """The placeholder values, and whether the identity was revealed for them."""
    greeting_named, greeting_plain = _GREETINGS.get(language, _GREETINGS["en"])
    organization = getattr(actor, "organization", None)
    values = {
        "greeting": greeting_named.format(contact.name) if contact else greeting_plain,
        "institution": institution.name,
        "contact": contact.name if contact else "",
        "organization": organization.name if organization else "",
        # Signed with the display name (settings page), never the login.
        "sender": actor.shown_name if isinstance(actor, User) else "",
        "today": _date(timezone.localdate()),
        "name": "—",
        "city": "—",
        "country": "—",
        "arrived_on": "—",
        "days_in_limbo": "—",
        **dict.fromkeys(IDENTITY_PLACEHOLDERS, "—"),
    }
    used_identity = False
    if case is not None:
        limbo = case.days_in_limbo()
        values.update(
            name=case.person.pseudonym,
            city=city_name(case.city_code, language) or case.city or "—",
            country=country_name(case.country, language or "en"),
            arrived_on=_date(case.arrived_on),
            days_in_limbo=str(limbo) if limbo is not None else "—",
        )
        if use_identity and can(actor, Cap.VIEW_IDENTITY):
            identity = cases.reveal_identity(actor=actor, person=case.person, purpose="letter")
            used_identity = bool(identity)
            if identity:
                values.update(_identity_values(identity, language))
    return values, used_identity


def _identity_values(identity: dict[str, Any], language: str) -> dict[str, str]:
    native = " ".join(
        identity[k] for k in ("given_name", "patronymic", "surname") if identity.get(k)
    )
    latin = " ".join(identity[k] for k in ("given_name_latin", "surname_latin") if identity.get(k))
    passports = [d.get("number", "") for d in identity.get("documents", []) if d.get("number")]
    values = {
        "name_latin": latin or "—",
        "birth_date": _date(identity.get("birth_date")),
        "passport": passports[0] if passports else "—",
    }
    # Letters abroad use the Latin spelling of the passport when there is one.
    name = native if language == "ru" else (latin or native)
    if name:
        values["name"] = name
    return values


def fill(text: str, values: dict[str, str]) -> str:
    """Replace known ``{placeholders}``; anything else stays as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def compose(
    *,
    actor: User | None,
    template: LetterTemplate,
    institution: Institution,
    contact: Contact | None,
    case: Case | None,
    use_identity: bool,
) -> Letter:
    values, used = letter_values(
        actor=actor,
        language=template.language,
        institution=institution,
        contact=contact,
        case=case,
        use_identity=use_identity,
    )
    return Letter(
        subject=fill(template.subject, values),
        body=fill(template.body, values),
        language=template.language,
        used_identity=used,
    )


def pdf(
    *, subject: str, body: str, language: str, institution: Institution, sent_on: date
) -> bytes:
    html = render_to_string(
        "outreach/letter_pdf.html",
        {
            "subject": subject,
            "paragraphs": [p for p in body.split("\n\n") if p.strip()],
            "language": language or "en",
            "institution": institution,
            "sent_on": sent_on,
        },
    )
    return html_to_pdf(html)
