"""What every intake service shares: its error, tokens, codenames and the sealed answers."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from django.conf import settings

from tropa.accounts.models import Organization
from tropa.core.errors import ServiceError
from tropa.crypto.fields import blind_index, seal, unseal

from ..models import IntakeSettings, Submission

CODENAME_WORDS = 7  # from 1,296 words: 72 bits
_CODENAME_PURPOSE = "intake.codename"
# Argon2id at OWASP's baseline (m = 19 MiB, t = 2, p = 1): one hash per interview started and
# one verification per return visit, never per page; a hotline burst starts many at once.
# The codename's 72 bits and the keyed blind index in front of it carry the rest.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)


class IntakeError(ServiceError):
    """A refusal of an intake service, written for the person or the coordinator."""


def new_token() -> str:
    """A one-time invitation token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@cache
def _words() -> tuple[str, ...]:
    path = Path(__file__).resolve().parent.parent / "wordlist.txt"
    lines = path.read_text("utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def new_codename() -> str:
    words = _words()
    return " ".join(secrets.choice(words) for _ in range(CODENAME_WORDS))


def normalize_codename(text: str) -> str:
    """Case, spaces, dashes and punctuation between the words do not matter."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    cleaned = "".join(ch if ch.isalpha() else " " for ch in folded)
    return " ".join(cleaned.split())[:200]


def codename_index(organization_id: int, codename: str) -> str:
    return blind_index(organization_id, _CODENAME_PURPOSE, normalize_codename(codename))


def codename_hash(codename: str) -> str:
    return _HASHER.hash(normalize_codename(codename))


def codename_matches(stored: str, codename: str) -> bool:
    try:
        return _HASHER.verify(stored, normalize_codename(codename))
    except (VerificationError, InvalidHashError):
        return False


def intake_settings(organization: Organization) -> IntakeSettings:
    found = IntakeSettings.objects.filter(organization=organization).first()
    if found is None:
        found, _ = IntakeSettings.objects.get_or_create(
            organization=organization, defaults={"public_slug": secrets.token_urlsafe(16)}
        )
    return found


def invitation_hours(organization: Organization) -> int:
    own = intake_settings(organization).invitation_hours
    return own or int(settings.TROPA_INTAKE_INVITATION_HOURS)


def read_answers(submission: Submission) -> dict[str, Any]:
    answers = unseal(submission, "sealed_answers", submission.sealed_answers)
    return answers if isinstance(answers, dict) else {}


def write_answers(submission: Submission, answers: dict[str, Any]) -> None:
    submission.sealed_answers = seal(submission, "sealed_answers", answers)
