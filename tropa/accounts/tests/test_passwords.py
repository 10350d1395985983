"""Password strength (R12): an offline estimator refuses guessable passwords; the suggested
passphrases pass; Argon2id stays the hasher."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tropa.accounts.services import generate_password


@pytest.mark.parametrize("weak", ["qwertyuiopas", "Password1234", "aaaaaaaaaaaaaaaa"])
def test_guessable_passwords_are_refused_with_a_reason(weak: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(weak)
    text = " ".join(refused.value.messages)
    assert "too easy to guess" in text


@pytest.mark.parametrize(
    ("weak", "reason"),
    [
        ("qwertyuiopas", "common password with small changes"),
        ("abcdefghijklmnop", "Sequences like"),
        ("hjkl;hjkl;hjkl;", "Repeated groups"),
    ],
)
def test_the_refusal_says_what_is_weak(weak: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(weak)
    assert reason in " ".join(refused.value.messages)


def test_a_generated_passphrase_is_accepted() -> None:
    for _ in range(20):
        phrase = generate_password()
        assert len(phrase.split("-")) == 6 and phrase.replace("-", "").isalpha()
        validate_password(phrase)


def test_the_minimum_score_is_a_setting(settings: Any) -> None:
    assert settings.TROPA_PASSWORD_MIN_SCORE == 3
    settings.TROPA_PASSWORD_MIN_SCORE = 1
    validate_password("qwertyuiopas")


def test_argon2_stays_first_and_the_validator_is_configured() -> None:
    production = importlib.import_module("tropa.settings")
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    names = [v["NAME"] for v in production.AUTH_PASSWORD_VALIDATORS]
    assert "tropa.accounts.passwords.StrengthValidator" in names
    assert settings.AUTH_PASSWORD_VALIDATORS == production.AUTH_PASSWORD_VALIDATORS
