"""Identity: saving it, the audited reveals and their hourly cap, the document index."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.models import AuditEntry
from tropa.audit.services import log_action
from tropa.crypto.fields import blind_index, seal, unseal

from .. import name_index
from ..models import DocumentIndex, Identity, NameIndex, Person
from ..registry import check_hold_gates, check_reveal_gates
from .common import CaseError, _now

IDENTITY_FIELDS = (
    "surname",
    "given_name",
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "other_spellings",
    "birth_date",
    "birthplace",
    "documents",
    "phone",
    "messengers",
)


def _normalize_document(number: str) -> str:
    return re.sub(r"[\s\-./№#]", "", number).upper()


def save_identity(*, actor: User | None, person: Person, data: dict[str, Any]) -> Identity:
    unknown = set(data) - set(IDENTITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown identity fields: {sorted(unknown)}")
    clean: dict[str, Any] = {
        k: data.get(k) for k in IDENTITY_FIELDS if data.get(k) not in (None, "", [])
    }
    if isinstance(clean.get("birth_date"), date):
        clean["birth_date"] = clean["birth_date"].isoformat()
    with transaction.atomic():
        identity = Identity.objects.filter(person=person).first()
        created = identity is None
        if identity is None:
            identity = Identity(person=person, organization_id=person.organization_id)
        identity.sealed = seal(identity, "sealed", clean)
        identity.save()
        identity.doc_index.all().delete()
        DocumentIndex.objects.bulk_create(
            [
                DocumentIndex(
                    organization_id=person.organization_id,
                    identity=identity,
                    digest=blind_index(
                        person.organization_id, "document", _normalize_document(doc["number"])
                    ),
                )
                for doc in clean.get("documents", [])
                if doc.get("number")
            ]
        )
        write_name_index(identity, clean)
        log_action(
            actor,
            Action.IDENTITY_CREATED if created else Action.IDENTITY_UPDATED,
            person,
            fields=sorted(clean),
        )
    return identity


def write_name_index(identity: Identity, data: dict[str, Any]) -> None:
    """(Re)write the keyed index of ``data``'s names (``tropa/cases/name_index.py``)."""
    org_id = identity.organization_id
    identity.name_index.all().delete()
    NameIndex.objects.bulk_create(
        NameIndex(organization_id=org_id, identity=identity, digest=value)
        for value in sorted(name_index.digests(org_id, name_index.name_keys(data)))
    )


def has_identity(person: Person) -> bool:
    return Identity.objects.filter(person=person).exists()


# Reveals that put an identity in front of a person; they count towards the hourly cap:
# the case page, its edit form, a letter composed with it, the names on a screening hit or a
# duplicate pair, a letter as written, and each person named in an export with identities.
# "screening" and "duplicates" compare names in memory and show none of them.
CAPPED_PURPOSES = (
    "view",
    "edit",
    "letter",
    "screening_hit",
    "duplicate_view",
    "outreach_letter",
    "outreach_export",
)
REVEAL_REFUSED = Action.IDENTITY_REVEAL_REFUSED
# Finding a case by a document number or a legal name: each search counts like a reveal.
SEARCHES = (Action.IDENTITY_SEARCHED_BY_DOCUMENT, Action.IDENTITY_SEARCHED_BY_NAME)


class RevealLimitReached(CaseError):
    """The user made ``TROPA_REVEAL_LIMIT_PER_HOUR`` reveals in the last hour."""


def reveals_in_last_hour(actor: User) -> int:
    """Reveals and searches by identity (each search counts as one) in the last hour."""
    since = _now() - timedelta(hours=1)
    return AuditEntry.objects.filter(
        Q(action=Action.IDENTITY_REVEALED, detail__purpose__in=CAPPED_PURPOSES)
        | Q(action__in=SEARCHES),
        actor_code=str(actor.code),
        at__gt=since,
    ).count()


def _over_reveal_limit(actor: User | None, purpose: str, count: int) -> bool:
    """True if ``count`` more reveals would pass the hourly cap. Call inside the reveals'
    transaction."""
    if purpose not in CAPPED_PURPOSES or actor is None:
        return False  # the shell and background work act without a user
    # Lock the user's row: two reveals at once must not both count 19 and both pass.
    list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
    limit: int = settings.TROPA_REVEAL_LIMIT_PER_HOUR
    return reveals_in_last_hour(actor) + count > limit


def record_reveals(
    *, actor: User | None, people: list[Person], purpose: str, **detail: Any
) -> None:
    """Log that ``actor`` is shown the identities of ``people``, all or none.

    Every way of putting an identity in front of a person goes through here, so that one
    hourly cap (``TROPA_REVEAL_LIMIT_PER_HOUR``, R17) counts them all. Past the cap, the
    refusal is logged and RevealLimitReached raised; nothing is revealed.
    """
    if not people:
        return
    if actor is not None and purpose in CAPPED_PURPOSES:
        check_reveal_gates(actor, people, purpose)  # dual control (R18) may hold it back
    with transaction.atomic():
        refused = _over_reveal_limit(actor, purpose, len(people))
        if not refused:
            for person in people:
                log_action(actor, Action.IDENTITY_REVEALED, person, purpose=purpose, **detail)
    if refused:
        limit = settings.TROPA_REVEAL_LIMIT_PER_HOUR
        # Outside the block above, so that the refusal stays in the log when the caller
        # handles the exception.
        log_action(
            actor, REVEAL_REFUSED, people[0], purpose=purpose, limit=limit, people=len(people)
        )
        raise RevealLimitReached(
            _(
                "You reached the limit of %(limit)d identity reveals per hour. This was "
                "recorded and your administrators see it. Try again later."
            )
            % {"limit": limit}
        )


def reveal_identity(*, actor: User | None, person: Person, purpose: str = "view") -> dict[str, Any]:
    """Decrypt a person's identity for ``actor``; every call is an audited reveal.

    Past the hourly cap (see ``record_reveals``) raises RevealLimitReached.
    """
    identity = Identity.objects.filter(person=person).first()
    record_reveals(actor=actor, people=[person], purpose=purpose, present=identity is not None)
    if identity is None:
        return {}
    data: dict[str, Any] = unseal(identity, "sealed", identity.sealed)
    if data.get("birth_date"):
        data["birth_date"] = date.fromisoformat(data["birth_date"])
    return data


def find_by_document(
    *, actor: User | None, organization: Organization, number: str
) -> list[Person]:
    digest = blind_index(organization.pk, "document", _normalize_document(number))
    # From the index to the people, in two steps: as one join, SQLite may start from the
    # organization's 100,000 people instead of the one index row (96 ms against 1 ms).
    ids = DocumentIndex.objects.filter(organization=organization, digest=digest).values_list(
        "identity__person_id", flat=True
    )
    people = list(Person.objects.filter(organization=organization, pk__in=list(ids)))
    log_action(
        actor,
        Action.IDENTITY_SEARCHED_BY_DOCUMENT,
        organization=organization,
        found=len(people),
        people=[str(p.code) for p in people],
    )
    return people


def find_by_name(*, actor: User | None, organization: Organization, name: str) -> list[Person]:
    """People whose legal names hold every word of ``name``, in any script or spelling the
    screening engine reads alike; audited with what was found, never what was typed."""
    wanted = name_index.query_keys(name)
    candidates = Identity.objects.filter(organization=organization).select_related("person")
    for keys in wanted:
        values = name_index.digests(organization.pk, keys)
        candidates = candidates.filter(
            pk__in=NameIndex.objects.filter(organization=organization, digest__in=values).values(
                "identity_id"
            )
        )
    people = [
        identity.person
        for identity in (candidates if wanted else [])
        if name_index.matches(unseal(identity, "sealed", identity.sealed) or {}, wanted)
    ]
    log_action(
        actor,
        Action.IDENTITY_SEARCHED_BY_NAME,
        organization=organization,
        words=len(wanted),
        found=len(people),
        people=[str(p.code) for p in people],
    )
    return people


def find_by_identity(
    *, actor: User, organization: Organization, text: str, approval: str | None = None
) -> list[Person]:
    """A document number (anything with a digit) or a legal name, for a user who may see
    identities. Searches count towards one hourly cap with reveals (R17): past it the search
    is refused and the refusal logged, like a reveal. Dual control (R18) may hold it back
    until a second person approves (``approval``: the code of that approved request)."""
    check_hold_gates(actor, organization, "identity_search", {"who": text}, approval)
    kind = "document" if any(ch.isdigit() for ch in text) else "name"
    limit: int = settings.TROPA_REVEAL_LIMIT_PER_HOUR
    with transaction.atomic():  # the user's row stays locked until the search is logged
        refused = _over_reveal_limit(actor, "view", 1)
        if not refused and kind == "document":
            return find_by_document(actor=actor, organization=organization, number=text)
        if not refused:
            return find_by_name(actor=actor, organization=organization, name=text)
    log_action(
        actor, REVEAL_REFUSED, organization=organization, purpose="identity_search", limit=limit
    )
    raise RevealLimitReached(
        _(
            "You reached the limit of %(limit)d identity searches and reveals per hour. "
            "This was recorded and your administrators see it. Try again later."
        )
        % {"limit": limit}
    )
