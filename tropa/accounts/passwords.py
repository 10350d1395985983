"""Password strength (R12): an offline estimate by zxcvbn, and generated passphrases.

zxcvbn models how guessers work (keyboard walks, common passwords, dates, names, l33t
substitutions), so ``qwertyuiopas`` or ``Password1234`` are refused although they are long.
Its own feedback is English only; the warnings it can give are mapped to Tropa's catalog.
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xkcdpass import xkcd_password

# zxcvbn refuses longer input; a longer password is judged by its first 72 characters.
_ZXCVBN_MAX = 72
PASSPHRASE_WORDS = 6  # from 7,776 words: 77 bits

_WARNINGS: dict[str, str | Promise] = {
    "Straight rows of keys are easy to guess.": gettext_lazy(
        "Straight rows of keys are easy to guess."
    ),
    "Short keyboard patterns are easy to guess.": gettext_lazy(
        "Short keyboard patterns are easy to guess."
    ),
    'Repeats like "aaa" are easy to guess.': gettext_lazy(
        "Repeated characters like “aaa” are easy to guess."
    ),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': gettext_lazy(
        "Repeated groups like “abcabcabc” are hardly harder to guess than “abc”."
    ),
    'Sequences like "abc" or "6543" are easy to guess.': gettext_lazy(
        "Sequences like “abc” or “6543” are easy to guess."
    ),
    "Recent years are easy to guess.": gettext_lazy("Recent years are easy to guess."),
    "Dates are often easy to guess.": gettext_lazy("Dates are easy to guess."),
    "This is a top-10 common password.": gettext_lazy("This is one of the most common passwords."),
    "This is a top-100 common password.": gettext_lazy("This is one of the most common passwords."),
    "This is a very common password.": gettext_lazy("This is a very common password."),
    "This is similar to a commonly used password.": gettext_lazy(
        "This is a common password with small changes."
    ),
    "A word by itself is easy to guess.": gettext_lazy("A single word is easy to guess."),
    "Names and surnames by themselves are easy to guess.": gettext_lazy(
        "Names and surnames are easy to guess."
    ),
    "Common names and surnames are easy to guess.": gettext_lazy(
        "Names and surnames are easy to guess."
    ),
}


def strength(password: str, user_inputs: list[str] | None = None) -> dict[str, Any]:
    """zxcvbn's estimate: ``score`` 0–4 and its English ``feedback``.

    zxcvbn is imported here, not at the top: its word lists take ≈ 15 MB, and every process
    (a ``tropa evidence add`` next to ffmpeg, a worker) would hold them without checking a
    password."""
    from zxcvbn import zxcvbn

    result: dict[str, Any] = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=user_inputs or [])
    return result


class StrengthValidator:
    """Refuses a password whose zxcvbn score is below ``TROPA_PASSWORD_MIN_SCORE`` (0–4)."""

    def __init__(self, min_score: int | None = None) -> None:
        self.min_score = min_score

    def _min_score(self) -> int:
        if self.min_score is not None:
            return self.min_score
        return int(settings.TROPA_PASSWORD_MIN_SCORE)

    def validate(self, password: str, user: Any = None) -> None:
        inputs = [str(user.get_username())] if user is not None else []
        result = strength(password, inputs)
        if result["score"] >= self._min_score():
            return
        warning = _WARNINGS.get(result["feedback"].get("warning", ""))
        because = str(warning) if warning else _("It follows a pattern guessers try first.")
        raise ValidationError(
            _(
                "This password is too easy to guess. %(because)s "
                "Use the suggested passphrase, or several uncommon words."
            ),
            code="password_too_guessable",
            params={"because": because},
        )

    def get_help_text(self) -> str:
        return _(
            "It must be hard to guess: no keyboard rows, common passwords, names or dates. "
            "Several random words are best."
        )


@cache
def _words() -> tuple[str, ...]:
    """The EFF long word list shipped with xkcdpass (7,776 words), letters only."""
    wordfile = xkcd_password.locate_wordfile("eff-long")
    words = xkcd_password.generate_wordlist(wordfile=wordfile, min_length=3, max_length=9)
    return tuple(sorted({w for w in words if re.fullmatch(r"[a-z]+", w)}))


def generate_passphrase(words: int = PASSPHRASE_WORDS) -> str:
    """Random words from the EFF list joined by hyphens, easy to read out and type."""
    vocabulary = _words()
    return "-".join(secrets.choice(vocabulary) for _ in range(words))
