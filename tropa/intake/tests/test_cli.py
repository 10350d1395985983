"""``tropa intake invite`` prints the link once with its QR code; ``tropa intake list``
counts submissions by state and prints no answer."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.intake import services
from tropa.intake.models import Invitation


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("intake", *args, stdout=out)
    return out.getvalue()


def test_invite_prints_a_working_link_once(astana: Organization, canary_case: Case) -> None:
    output = _run(
        "invite",
        "--org",
        astana.name,
        "--case",
        str(canary_case.code),
        "--lang",
        "uk",
        "--hours",
        "5",
    )
    link = output.splitlines()[0]
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = services.usable_invitation(token)
    assert invitation is not None and invitation.case == canary_case and invitation.language == "uk"
    assert "█" in output or "▀" in output  # the QR code, drawn in the terminal
    assert token not in str(list(Invitation.objects.filter(organization=astana).values()))
    with pytest.raises(CommandError):
        _run("invite", "--org", astana.name, "--hours", "0")
    with pytest.raises(CommandError):
        _run("invite", "--org", "Nowhere")


def test_list_counts_by_state_and_prints_no_answer(astana: Organization, coordinator: User) -> None:
    services.create_submission(
        organization=astana, answers={"surname": "Канарейкин"}, language="ru"
    )
    output = _run("list", "--org", astana.name)
    assert "new" in output and " 1 " in output.replace("      1", " 1 ")
    assert "Канарейкин" not in output
    assert AuditEntry.objects.filter(action="intake.listed_from_shell").count() == 1
