"""The directory: institutions, their contact persons, the starter set."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case

from .. import starter
from ..models import (
    Channel,
    Contact,
    Institution,
    Kind,
    LetterTemplate,
)
from .base import OutreachError, statistics_changed

INSTITUTION_FIELDS = (
    "name",
    "kind",
    "country",
    "city",
    "languages",
    "channels",
    "email",
    "website",
    "phone",
    "address",
    "notes",
)


def _clean_institution(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(INSTITUTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown institution fields: {sorted(unknown)}")
    clean = dict(fields)
    if "name" in clean:
        clean["name"] = str(clean["name"]).strip()
        if not clean["name"]:
            raise OutreachError(_("An institution needs a name."))
    if "country" in clean:
        clean["country"] = str(clean["country"]).strip().upper()[:2]
    if clean.get("kind", Kind.OTHER) not in Kind.values:
        raise OutreachError(_("Unknown institution type."))
    if any(c not in Channel.values for c in clean.get("channels", [])):
        raise OutreachError(_("Unknown channel."))
    return clean


def create_institution(
    *, actor: User | None, organization: Organization, **fields: Any
) -> Institution:
    clean = _clean_institution(fields)
    with transaction.atomic():
        institution = Institution.objects.create(organization=organization, **clean)
        log_action(actor, Action.OUTREACH_INSTITUTION_CREATED, institution, kind=institution.kind)
    return institution


def update_institution(*, actor: User | None, institution: Institution, **fields: Any) -> list[str]:
    clean = _clean_institution(fields)
    changed = [k for k, v in clean.items() if getattr(institution, k) != v]
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(institution, name, clean[name])
        institution.save(update_fields=changed)
        if {"name", "kind", "country"} & set(changed):
            statistics_changed(institution.organization_id)
        log_action(actor, Action.OUTREACH_INSTITUTION_UPDATED, institution, fields=sorted(changed))
    return changed


def add_contact(
    *,
    actor: User | None,
    institution: Institution,
    name: str,
    position: str = "",
    email: str = "",
    phone: str = "",
) -> Contact:
    if not name.strip():
        raise OutreachError(_("A contact person needs a name."))
    with transaction.atomic():
        contact = Contact.objects.create(
            organization_id=institution.organization_id,
            institution=institution,
            name=name.strip(),
            position=position.strip(),
            email=email.strip(),
            phone=phone.strip(),
        )
        log_action(actor, Action.OUTREACH_CONTACT_ADDED, institution, contact=str(contact.code))
    return contact


def remove_contact(*, actor: User | None, contact: Contact) -> None:
    with transaction.atomic():
        log_action(
            actor, Action.OUTREACH_CONTACT_REMOVED, contact.institution, contact=str(contact.code)
        )
        contact.delete()


def own_city(organization: Organization) -> str:
    """The starter set's city where the organization works ('' when it cannot be told):
    the city most of its cases are in ("Астана" is Astana), else their transit country."""
    from tropa.cases.places import city_name

    from ..matching import city_keys  # the name engine loads when used

    cases = Case.objects.filter(organization=organization)
    # Cities chosen from the reference list are codes; others are typed text.
    ranked = (
        cases.exclude(city_code="", city="")
        .values_list("city_code", "city")
        .annotate(n=Count("*"))
        .order_by("-n")[:3]
    )
    for code, typed, _n in ranked:
        city = city_name(code, "en") if code else typed
        keys = city_keys(city)
        for known in starter.CITIES:
            if keys & city_keys(known):
                return known
    top = cases.values_list("country").annotate(n=Count("*")).order_by("-n").first()
    return starter.CITY_OF_COUNTRY.get(top[0], "") if top else ""


def load_starter_set(
    *, actor: User | None, organization: Organization, city: str | None = None
) -> tuple[int, int]:
    """Add the starter directory (of one ``city``, or all of it) and letter templates; what
    already exists is left alone. Returns how many institutions and templates were created.
    """
    if city is not None and city not in starter.CITIES:
        raise OutreachError(_("The starter set has no directory for this city."))
    entries = [e for e in starter.DIRECTORY if city is None or e["city"] == city]
    with transaction.atomic():
        existing = {
            name.casefold()
            for name in Institution.objects.filter(organization=organization).values_list(
                "name", flat=True
            )
        }
        institutions = [
            Institution(organization=organization, **entry)
            for entry in entries
            if str(entry["name"]).casefold() not in existing
        ]
        Institution.objects.bulk_create(institutions)
        have = set(
            LetterTemplate.objects.filter(organization=organization).values_list("name", "language")
        )
        templates = [
            LetterTemplate(organization=organization, **entry)
            for entry in starter.TEMPLATES
            if (entry["name"], entry["language"]) not in have
        ]
        LetterTemplate.objects.bulk_create(templates)
        log_action(
            actor,
            Action.OUTREACH_STARTER_LOADED,
            organization=organization,
            institutions=len(institutions),
            templates=len(templates),
            city=city or "all",
        )
    return len(institutions), len(templates)
