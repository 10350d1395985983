"""Interview definitions: the shipped ones, the validator's errors, and the admin's upload
fuzzed (clear errors naming the wrong element, never a 500, nothing half-saved)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.intake import definitions, services
from tropa.intake.models import Definition

SignedIn = Callable[[User], Client]


@pytest.mark.parametrize("language", definitions.LANGUAGES)
def test_the_shipped_definitions_are_valid_and_alike(language: str) -> None:
    shipped = definitions.shipped(language)
    assert shipped["language"] == language
    ids = [[q["id"] for q in s["questions"]] for s in shipped["sections"]]
    assert ids == [[q["id"] for q in s["questions"]] for s in definitions.shipped("en")["sections"]]


def test_conditions_choose_the_pages() -> None:
    shipped = definitions.shipped("ru")
    titles = [p["id"] for p in definitions.pages(shipped, {"served": "no"})]
    assert "deployments" not in titles and "family_details" not in titles
    titles = [p["id"] for p in definitions.pages(shipped, {"served": "yes", "family_came": "yes"})]
    assert "deployments" in titles and "family_details" in titles


def _broken(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    content = copy.deepcopy(definitions.shipped("en"))
    change(content)
    return content


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda c: c.pop("title"), "$.title"),
        (
            lambda c: c["sections"][2]["questions"][0].update(type="slider"),
            "$.sections[2].questions[0].type",
        ),
        (
            lambda c: c["sections"][1]["questions"][0]["choices"].append(
                {"value": "KZ", "label": "x"}
            ),
            "$.sections[1].questions[0].choices[7].value",
        ),
        (
            lambda c: c["sections"][3].update(condition={"question": "nobody", "equals": "yes"}),
            "$.sections[3].condition.question",
        ),
        (
            lambda c: c["sections"][3].update(condition={"question": "served", "equals": "maybe"}),
            "$.sections[3].condition.equals",
        ),
        (
            lambda c: c["sections"][0]["questions"][0].update(maps_to="identity.password"),
            "$.sections[0].questions[0].maps_to",
        ),
        (
            lambda c: c["sections"][0]["questions"][1].update(id="surname"),
            "$.sections[0].questions[1].id",
        ),
        (
            lambda c: c["sections"][0]["questions"][0].update(onclick="x"),
            "$.sections[0].questions[0].onclick",
        ),
        (
            lambda c: c["sections"][2]["questions"][0].update(
                condition={"question": "served", "equals": "yes"}
            ),
            "$.sections[2].questions[0].condition.question",
        ),
    ],
)
def test_an_error_names_the_wrong_element(
    change: Callable[[dict[str, Any]], None], path: str
) -> None:
    with pytest.raises(definitions.DefinitionError) as caught:
        definitions.validate(_broken(change))
    assert str(caught.value).startswith(f"{path}:"), str(caught.value)


def test_an_unknown_section_key_and_a_nul_are_refused_before_saving() -> None:
    """Found by the fuzzer on PostgreSQL: a section key nobody reads, holding a NUL, passed
    the validator and then broke jsonb."""
    content = _broken(lambda c: c["sections"][0].update(type={"\x00": None}))
    with pytest.raises(definitions.DefinitionError, match=r"^\$\.sections\[0\]\.type:"):
        definitions.validate(content)
    with pytest.raises(definitions.DefinitionError, match="control characters"):
        definitions.parse_upload(json.dumps(content).encode(), language="en")


def test_an_upload_is_a_new_version_recorded_on_later_submissions(
    astana: Organization, admin_user: User
) -> None:
    content = _broken(lambda c: c.update(version="2027-01", title="New"))
    raw = json.dumps(content).encode()
    services.upload_definition(actor=admin_user, organization=astana, language="en", raw=raw)
    assert AuditEntry.objects.filter(action="intake.definition_uploaded").count() == 1
    started = services.create_submission(organization=astana, answers={}, language="en")
    assert started.submission.definition_version == "2027-01"
    assert services.definition_of(started.submission)["title"] == "New"
    with pytest.raises(services.IntakeError, match="already uploaded"):
        services.upload_definition(actor=admin_user, organization=astana, language="en", raw=raw)
    with pytest.raises(definitions.DefinitionError, match="language"):
        services.upload_definition(actor=admin_user, organization=astana, language="ru", raw=raw)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _mutated(draw: Any) -> bytes:
    content = copy.deepcopy(definitions.shipped("en"))
    kind = draw(st.sampled_from(["section", "question", "root", "bytes"]))
    if kind == "bytes":
        return bytes(draw(st.binary(max_size=200)))
    if kind == "root":
        content[draw(st.sampled_from(["form", "version", "language", "title", "sections"]))] = draw(
            _json
        )
    else:
        section = content["sections"][draw(st.integers(0, len(content["sections"]) - 1))]
        node = section if kind == "section" else section["questions"][0]
        node[
            draw(
                st.sampled_from(
                    [
                        "id",
                        "title",
                        "type",
                        "label",
                        "choices",
                        "condition",
                        "maps_to",
                        "questions",
                        "help",
                    ]
                )
            )
        ] = draw(_json)
    return json.dumps(content).encode()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fuzzed_uploads_get_a_clear_answer_and_save_nothing_wrong(
    data: Any, astana: Organization, admin_user: User, signed_in: SignedIn
) -> None:
    raw = _mutated(data.draw)
    before = Definition.objects.filter(organization=astana).count()
    client = signed_in(admin_user)
    response = client.post(
        reverse("intake:definitions"),
        {"language": "en", "file": SimpleUploadedFile("d.json", raw, "application/json")},
    )
    assert response.status_code in (200, 302)
    after = Definition.objects.filter(organization=astana).count()
    if response.status_code == 200:  # refused: the error on the page, nothing saved
        assert after == before
        html = response.content.decode()
        assert 'role="alert"' in html or 'aria-invalid="true"' in html
    else:
        assert after == before + 1
        definitions.validate(Definition.objects.filter(organization=astana).first().content)  # type: ignore[union-attr]  # one was saved


_answer = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300
) | st.sampled_from(["yes", "no", "KZ", "1994-03-02", "2026-02-30", "", " ", "\x00"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answers=st.dictionaries(
        st.sampled_from(["surname", "birth_date", "served", "country", "places", "nope"]),
        _answer,
        max_size=5,
    )
)
def test_fuzzed_answers_are_stored_clean_or_refused_whole(
    answers: dict[str, str], astana: Organization
) -> None:
    before = services.queue(astana).count()
    try:
        started = services.create_submission(organization=astana, answers=answers, language="ru")
    except services.IntakeError as exc:
        assert str(exc)
        assert services.queue(astana).count() == before
        return
    stored = services.read_answers(started.submission)
    assert set(stored) == set(answers)
    assert all("\x00" not in value for value in stored.values())
