"""Interview definitions: versioned JSON per language, their validator, pages and answers.

A definition is data (``definitions/<lang>.json`` ships with Tropa; an admin may upload a
newer version). It has sections (one page each), questions with a type, a label, an optional
help text, an optional condition on an earlier answer, and an optional ``maps_to`` naming the
case field the answer fills when a coordinator accepts the submission.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from tropa.core.errors import ServiceError

LANGUAGES = ("ru", "uk", "en")
TYPES = ("text", "textarea", "yesno", "choice", "date")
MAPS_TO = (
    "identity.surname",
    "identity.given_name",
    "identity.patronymic",
    "identity.birth_date",
    "case.country",
    "case.city",
    "case.arrived_on",
    "service.service_type",
    "service.left_how",
    "service.unit",
    "note",
)
MAX_TEXT = 200
MAX_TEXTAREA = 4000
MAX_BYTES = 200_000
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VERSION = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
_DIR = Path(__file__).resolve().parent / "definitions"


class DefinitionError(ServiceError):
    """An uploaded definition is wrong; the message names the path of the wrong element."""


def _fail(path: str, problem: str) -> DefinitionError:
    return DefinitionError(_("%(path)s: %(problem)s") % {"path": path, "problem": problem})


def _text(node: dict[str, Any], key: str, path: str, *, required: bool = True) -> None:
    value = node.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip() or len(value) > 2000:
        raise _fail(f"{path}.{key}", _("must be a text of 1 to 2000 characters"))


def _check_choices(question: dict[str, Any], path: str) -> None:
    choices = question.get("choices")
    if not isinstance(choices, list) or not 1 <= len(choices) <= 50:
        raise _fail(f"{path}.choices", _("must be a list of 1 to 50 choices"))
    seen: set[str] = set()
    for number, choice in enumerate(choices):
        where = f"{path}.choices[{number}]"
        if not isinstance(choice, dict) or not isinstance(choice.get("value"), str):
            raise _fail(where, _("must have a value and a label"))
        if not _ID.match(choice["value"]) and not re.fullmatch(r"[A-Z]{2}", choice["value"]):
            raise _fail(f"{where}.value", _("must be a short code of letters, digits and _"))
        if choice["value"] in seen:
            raise _fail(f"{where}.value", _("appears twice"))
        seen.add(choice["value"])
        _text(choice, "label", where)


def _check_condition(node: dict[str, Any], path: str, earlier: dict[str, dict[str, Any]]) -> None:
    condition = node.get("condition")
    if condition is None:
        return
    where = f"{path}.condition"
    if not isinstance(condition, dict) or set(condition) != {"question", "equals"}:
        raise _fail(where, _("must name a question and the answer it equals"))
    target = earlier.get(str(condition["question"]))
    if target is None:
        raise _fail(f"{where}.question", _("must name a question of an earlier section"))
    values = [c.get("value") for c in target.get("choices", [])]
    if condition["equals"] not in values:
        raise _fail(f"{where}.equals", _("is not one of that question's answers"))


def _check_question(question: Any, path: str, earlier: dict[str, dict[str, Any]]) -> None:
    if not isinstance(question, dict):
        raise _fail(path, _("must be an object"))
    if not isinstance(question.get("id"), str) or not _ID.match(question["id"]):
        raise _fail(f"{path}.id", _("must be a short code of lower-case letters, digits and _"))
    if question.get("type") not in TYPES:
        raise _fail(f"{path}.type", _("must be one of: %(types)s") % {"types": ", ".join(TYPES)})
    _text(question, "label", path)
    _text(question, "help", path, required=False)
    if question["type"] in ("yesno", "choice"):
        _check_choices(question, path)
    elif "choices" in question:
        raise _fail(f"{path}.choices", _("only a choice or yes/no question has choices"))
    maps_to = question.get("maps_to")
    if maps_to is not None and maps_to not in MAPS_TO:
        raise _fail(f"{path}.maps_to", _("is not a case field Tropa can fill"))
    _check_condition(question, path, earlier)
    unknown = set(question) - {"id", "type", "label", "help", "choices", "condition", "maps_to"}
    if unknown:
        raise _fail(f"{path}.{sorted(unknown)[0]}", _("is not a known key"))


def validate(content: Any, *, language: str | None = None) -> dict[str, Any]:
    """The definition if it is valid; else a ``DefinitionError`` naming the wrong element."""
    if not isinstance(content, dict):
        raise _fail("$", _("must be an object"))
    for key in ("form", "version"):
        if not isinstance(content.get(key), str) or not _VERSION.match(content[key]):
            raise _fail(
                f"$.{key}",
                _("must be a short code of lower-case letters, digits, '.', '-' and '_'"),
            )
    if content.get("language") not in LANGUAGES:
        raise _fail("$.language", _("must be one of: %(langs)s") % {"langs": ", ".join(LANGUAGES)})
    if language is not None and content["language"] != language:
        raise _fail("$.language", _("is not the language chosen for this upload"))
    _text(content, "title", "$")
    sections = content.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 40:
        raise _fail("$.sections", _("must be a list of 1 to 40 sections"))
    # A condition may look only at questions of earlier sections (earlier pages): the page
    # it is on is answered in one go, without JavaScript.
    earlier: dict[str, dict[str, Any]] = {}
    section_ids: set[str] = set()
    for number, section in enumerate(sections):
        path = f"$.sections[{number}]"
        if not isinstance(section, dict):
            raise _fail(path, _("must be an object"))
        if not isinstance(section.get("id"), str) or not _ID.match(section["id"]):
            raise _fail(f"{path}.id", _("must be a short code of lower-case letters, digits and _"))
        if section["id"] in section_ids:
            raise _fail(f"{path}.id", _("appears twice"))
        section_ids.add(section["id"])
        unknown = set(section) - {"id", "title", "intro", "condition", "questions"}
        if unknown:
            raise _fail(f"{path}.{sorted(unknown)[0]}", _("is not a known key"))
        _text(section, "title", path)
        _text(section, "intro", path, required=False)
        _check_condition(section, path, earlier)
        questions = section.get("questions")
        if not isinstance(questions, list) or not 1 <= len(questions) <= 8:
            raise _fail(f"{path}.questions", _("must be a list of 1 to 8 questions"))
        asked = dict(earlier)
        for q_number, question in enumerate(questions):
            if isinstance(question, dict) and str(question.get("id")) in asked:
                raise _fail(f"{path}.questions[{q_number}].id", _("appears twice"))
            _check_question(question, f"{path}.questions[{q_number}]", earlier)
            asked[question["id"]] = question
        earlier = asked
    return content


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _has_control(node: Any) -> bool:
    if isinstance(node, str):
        return bool(_CONTROL.search(node))
    if isinstance(node, dict):
        return any(_has_control(k) or _has_control(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_control(v) for v in node)
    return False


def parse_upload(raw: bytes, *, language: str) -> dict[str, Any]:
    if len(raw) > MAX_BYTES:
        raise _fail("$", _("the file is larger than 200 KB"))
    try:
        content = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _fail("$", _("the file is not valid JSON in UTF-8")) from None
    # No control character is ever text to show (PostgreSQL's jsonb refuses NUL outright).
    if _has_control(content):
        raise _fail("$", _("the file holds control characters"))
    return validate(content, language=language)


@cache
def shipped(language: str) -> dict[str, Any]:
    """The definition shipped with Tropa for ``language`` (validated on load)."""
    if language not in LANGUAGES:
        language = "ru"
    return validate(json.loads((_DIR / f"{language}.json").read_text("utf-8")))


def _applies(node: dict[str, Any], answers: dict[str, Any]) -> bool:
    condition = node.get("condition")
    return condition is None or answers.get(condition["question"]) == condition["equals"]


def pages(definition: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The sections that apply given the answers so far, each with the questions that apply."""
    found = []
    for section in definition["sections"]:
        if _applies(section, answers):
            questions = [q for q in section["questions"] if _applies(q, answers)]
            found.append({**section, "questions": questions})
    return found


def clean_answer(question: dict[str, Any], raw: str) -> tuple[str, str | None]:
    """The answer as stored ("" for skipped) and an error message, if any."""
    value = raw.replace("\x00", "").strip()
    kind = question["type"]
    if not value:
        return "", None
    if kind == "text":
        return value[:MAX_TEXT], None if len(value) <= MAX_TEXT else _("At most 200 characters.")
    if kind == "textarea":
        too_long = len(value) > MAX_TEXTAREA
        return value[:MAX_TEXTAREA], _("At most 4000 characters.") if too_long else None
    if kind in ("yesno", "choice"):
        if value in [c["value"] for c in question["choices"]]:
            return value, None
        return "", _("Choose one of the answers.")
    try:
        date.fromisoformat(value)
    except ValueError:
        return "", _("Write the date as YYYY-MM-DD, for example 1990-05-31.")
    return value, None
