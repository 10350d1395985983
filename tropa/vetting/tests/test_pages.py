"""The vetting pages: a vetting worked to a decision and a dossier through the URLs, and
every way around the two-person rule tried through them."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.vetting import services
from tropa.vetting.dossier.verifying import verify_dossier
from tropa.vetting.models import Check, Decision, Dossier, Vetting

from .conftest import satisfy_all

SignedIn = Callable[[User], Client]


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_volunteers_never_reach_a_vetting(
    decided: Decision, vetting: Vetting, volunteer: User, signed_in: SignedIn
) -> None:
    cases.update_case(actor=None, case=vetting.case, assignee=volunteer)
    client = signed_in(volunteer)
    assert client.get(reverse("cases:detail", args=[vetting.case.code])).status_code == 200
    claim = vetting.claims.first()
    dossier = services.request_dossier(
        actor=User.objects.get(username="vera"),
        vetting=vetting,
        recipient_kind="ngo",
        recipient_name="x",
        language="en",
        identity_fields=[],
    )
    urls = [
        reverse("vetting:detail", args=[vetting.code]),
        reverse("vetting:check", args=[vetting.checks.first().code]),  # type: ignore[union-attr]  # it has one
        reverse("vetting:claim", args=[claim.code]),  # type: ignore[union-attr]  # it has one
        reverse("vetting:dossier", args=[dossier.code]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for name in ("sign", "reopen", "propose", "dossier_new", "claim_add"):
        assert client.post(reverse(f"vetting:{name}", args=[vetting.code])).status_code == 404
    assert client.post(reverse("vetting:open", args=[vetting.case.code])).status_code == 404
    page = client.get(reverse("cases:detail", args=[vetting.case.code])).content.decode()
    assert 'id="vetting"' not in page


def test_a_vetting_worked_to_a_decision_through_the_pages(
    canary_case: Case, coordinator: User, verifier: User, verifier2: User, signed_in: SignedIn
) -> None:
    boss, vera, walt = signed_in(coordinator), signed_in(verifier), signed_in(verifier2)
    response = boss.post(reverse("vetting:open", args=[canary_case.code]), follow=True)
    assert response.status_code == 200
    vetting = Vetting.objects.get(organization=canary_case.organization, case=canary_case)
    canary_case.refresh_from_db()
    assert canary_case.stage == "vetting"
    note = cases.add_note(actor=coordinator, case=canary_case, text="Interview 1, in Russian")
    for check in vetting.checks.all():
        url = reverse("vetting:check", args=[check.code])
        assert vera.get(url).status_code == 200
        body = {"status": "satisfied", "finding": "Seen."}
        if check.item.kind == "interviews":
            body["notes"] = [str(note.id)]
        vera.post(url, body)
    assert set(vetting.checks.values_list("status", flat=True)) == {"satisfied"}
    interviews = vetting.checks.get(item__kind="interviews")
    assert services.read_check(interviews)["notes"] == [str(note.id)]
    vera.post(reverse("vetting:claim_add", args=[vetting.code]), {"text": "Deserted on 21.09.2022"})
    claim = vetting.claims.get()
    vera.post(
        reverse("vetting:claim", args=[claim.code]),
        {
            "basis": "corroborated",
            "reliability": "B",
            "credibility": "2",
            "basis_text": "Two sources",
        },
    )
    claim.refresh_from_db()
    assert claim.admiralty == "B2"
    page = vera.get(reverse("vetting:detail", args=[vetting.code])).content.decode()
    assert "B: usually reliable" in page and "2: probably true" in page
    vera.post(
        reverse("vetting:propose", args=[vetting.code]),
        {"outcome": "recommend", "reasons": "Holds."},
    )
    # The proposer signing again, the coordinator who opened it: refused; nothing decided.
    response = vera.post(reverse("vetting:sign", args=[vetting.code]), follow=True)
    assert "second person" in _messages(response)
    assert boss.post(reverse("vetting:sign", args=[vetting.code])).status_code == 403
    vetting.refresh_from_db()
    assert vetting.state == "proposed"
    response = walt.post(reverse("vetting:sign", args=[vetting.code]), follow=True)
    vetting.refresh_from_db()
    assert vetting.state == "decided", _messages(response)


def test_the_opener_cannot_sign_through_the_pages(
    canary_case: Case, verifier: User, verifier2: User, signed_in: SignedIn
) -> None:
    vetting = services.open_vetting(actor=verifier, case=canary_case)
    satisfy_all(vetting, verifier2)
    vera, walt = signed_in(verifier), signed_in(verifier2)
    response = vera.post(
        reverse("vetting:propose", args=[vetting.code]),
        {"outcome": "defer", "reasons": "x"},
        follow=True,
    )
    assert "opened the vetting" in _messages(response)
    walt.post(reverse("vetting:propose", args=[vetting.code]), {"outcome": "defer", "reasons": "x"})
    response = vera.post(reverse("vetting:sign", args=[vetting.code]), follow=True)
    assert "opened the vetting" in _messages(response)
    vetting.refresh_from_db()
    assert vetting.state == "proposed"
    # No page decides in one step: every POST by the same person leaves it undecided.
    for name in ("sign", "propose", "claim_add", "dossier_new"):
        walt.post(
            reverse(f"vetting:{name}", args=[vetting.code]),
            {"outcome": "recommend", "reasons": "x"},
        )
    vetting.refresh_from_db()
    assert vetting.state == "proposed"


def test_a_dossier_needs_a_second_person_and_only_its_requester_downloads(
    decided: Decision,
    vetting: Vetting,
    verifier: User,
    verifier2: User,
    signed_in: SignedIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    vera, walt = signed_in(verifier), signed_in(verifier2)
    response = vera.post(
        reverse("vetting:dossier_new", args=[vetting.code]),
        {"recipient_kind": "embassy", "recipient_name": "Embassy of France", "language": "fr"},
    )
    dossier = Dossier.objects.get(organization=vetting.organization_id)
    assert response.status_code == 302
    response = vera.post(
        reverse("vetting:dossier_decide", args=[dossier.code]), {"decision": "approve"}, follow=True
    )
    assert "other than the requester" in _messages(response)
    dossier.refresh_from_db()
    assert dossier.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        walt.post(reverse("vetting:dossier_decide", args=[dossier.code]), {"decision": "approve"})
    dossier.refresh_from_db()
    assert dossier.status == "ready" and dossier.sha256
    url = reverse("vetting:dossier_download", args=[dossier.code])
    response = walt.post(url, follow=True)
    assert "Only the person who requested" in _messages(response)
    response = vera.post(url)
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]  # a streaming response
    report = verify_dossier(io.BytesIO(data))
    assert report.ok, report.problems
    assert report.manifest and report.manifest["recipient"] == {
        "kind": "embassy",
        "name": "Embassy of France",
    }
    assert report.manifest["approved_by_role"] == "verifier"
    assert AuditEntry.objects.filter(action="vetting.dossier_downloaded").count() == 1
    assert AuditEntry.objects.filter(action="vetting.dossier_built").count() == 1
    # Reopened: the old dossier no longer leaves.
    services.reopen_decision(actor=verifier, decision=decided, reason="New facts")
    response = vera.post(url, follow=True)
    assert "reopened" in _messages(response)


def test_a_refused_dossier_and_an_undecided_vetting(
    vetting: Vetting, decided: Decision, verifier: User, verifier2: User, signed_in: SignedIn
) -> None:
    dossier = services.request_dossier(
        actor=verifier,
        vetting=vetting,
        recipient_kind="unhcr",
        recipient_name="UNHCR",
        language="en",
        identity_fields=[],
    )
    services.decide_dossier(actor=verifier2, dossier=dossier, approve=False)
    dossier.refresh_from_db()
    assert dossier.status == "refused"
    assert AuditEntry.objects.filter(action="vetting.dossier_refused").exists()
    services.reopen_decision(actor=verifier, decision=decided, reason="x")
    with pytest.raises(services.VettingError, match="decided"):
        services.request_dossier(
            actor=verifier,
            vetting=vetting,
            recipient_kind="ngo",
            recipient_name="x",
            language="en",
            identity_fields=[],
        )


def test_the_detail_page_reads_a_fixed_number_of_queries(
    decided: Decision,
    vetting: Vetting,
    verifier: User,
    signed_in: SignedIn,
    django_assert_num_queries: Any,
) -> None:
    client = signed_in(verifier)
    url = reverse("vetting:detail", args=[vetting.code])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(url)
    services.reopen_decision(actor=verifier, decision=decided, reason="more claims")
    for n in range(4):
        services.add_claim(actor=verifier, vetting=vetting, text=f"claim {n}")
    client.get(url)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    # One more decision row in the history costs its own sign-off query at most.
    assert len(more) <= len(first) + 1


def test_the_checklist_is_the_administrators(
    admin_user: User, coordinator: User, verifier: User, signed_in: SignedIn, canary_case: Case
) -> None:
    admin, boss = signed_in(admin_user), signed_in(coordinator)
    assert boss.get(reverse("vetting:checklist")).status_code == 403
    assert admin.get(reverse("vetting:checklist")).status_code == 200
    admin.post(reverse("vetting:checklist"), {"name": "Family pressure interview"})
    items = services.checklist(admin_user.organization)  # type: ignore[arg-type]  # staff have one
    assert items[-1].name == "Family pressure interview" and len(items) == 8
    identity = items[0]
    admin.post(reverse("vetting:checklist_item", args=[identity.code]), {"name": "Identity papers"})
    admin.post(reverse("vetting:checklist_item", args=[items[1].code]), {"action": "retire"})
    assert (
        boss.post(
            reverse("vetting:checklist_item", args=[identity.code]), {"name": "x"}
        ).status_code
        == 403
    )
    vetting = services.open_vetting(actor=coordinator, case=canary_case)
    titles = [
        c.item.title
        for c in Check.objects.filter(organization=vetting.organization_id, vetting=vetting)
    ]
    assert "Identity papers" in titles and "Service record" not in titles
    assert "Family pressure interview" in titles
    assert AuditEntry.objects.filter(action="vetting.checklist_item_added").exists()
    assert AuditEntry.objects.filter(action="vetting.checklist_item_changed").count() == 2


def test_an_expired_dossier_is_swept(
    decided: Decision,
    vetting: Vetting,
    verifier: User,
    verifier2: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    dossier = services.request_dossier(
        actor=verifier,
        vetting=vetting,
        recipient_kind="ngo",
        recipient_name="x",
        language="ru",
        identity_fields=[],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_dossier(actor=verifier2, dossier=dossier, approve=True)
    dossier.refresh_from_db()
    assert dossier.status == "ready" and dossier.blob
    Dossier.objects.filter(organization=dossier.organization_id, pk=dossier.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    dossier.refresh_from_db()
    with pytest.raises(services.VettingError, match="expired"):
        services.download_dossier(actor=verifier, dossier=dossier)
    out = io.StringIO()
    call_command("dossier", "sweep", stdout=out)
    assert "expired 1" in out.getvalue()
    dossier.refresh_from_db()
    assert dossier.status == "expired" and dossier.blob == ""
    assert AuditEntry.objects.filter(action="vetting.dossier_expired").exists()


def test_the_decision_in_effect_is_named_on_the_case_and_vetting_pages(
    decided: Decision, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    case_page = client.get(decided.vetting.case.get_absolute_url()).content.decode()
    vetting_page = client.get(reverse("vetting:detail", args=[decided.vetting.code])).content
    assert "<strong>Recommend</strong>" in case_page
    assert b'<span class="badge">Recommend</span>' in vetting_page
