"""Interviews: versions immutable (also in the database), diff, consent, flag, access."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.testimony import services
from tropa.testimony.errors import TestimonyError
from tropa.testimony.flags import ImplicatedFlag, implicated_flag
from tropa.testimony.models import Testimony, TestimonyVersion

from .conftest import give, make_testimony


def _save(testimony: Testimony, actor: User, narrative: str) -> int:
    return services.save_interview(
        actor=actor,
        testimony=testimony,
        data={**services.current(testimony), "narrative": narrative},
    )


def test_every_save_is_a_new_version_with_a_diff(testimony: Testimony, lawyer: User) -> None:
    assert _save(testimony, lawyer, "Видел обстрел.\nПотом ушёл.") == 2
    assert _save(testimony, lawyer, "Видел обстрел.\nПотом ушёл.") == 2  # nothing changed
    assert services.read_version(testimony, 1)["narrative"] == "Видел обстрел."
    changes = services.diff_versions(testimony, 1, 2)
    assert [c.name for c in changes] == ["narrative"]
    assert ("+", "Потом ушёл.") in changes[0].lines
    entry = AuditEntry.objects.filter(action="testimony.saved").get()
    assert entry.detail["fields"] == ["narrative"] and "ушёл" not in str(entry.detail)


@pytest.mark.django_db(transaction=False)
def test_the_database_refuses_to_change_or_delete_a_version(testimony: Testimony) -> None:
    table = TestimonyVersion._meta.db_table
    statements = (f"UPDATE {table} SET number = 7", f"DELETE FROM {table}")  # noqa: S608
    for statement in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert TestimonyVersion.objects.filter(testimony=testimony).count() == 1
    version = TestimonyVersion.objects.get(testimony=testimony)
    with pytest.raises(RuntimeError):
        version.save()
    with pytest.raises(RuntimeError):
        version.delete()


def test_the_narrative_is_sealed(testimony: Testimony) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sealed FROM {TestimonyVersion._meta.db_table}")  # noqa: S608
        (sealed,) = cursor.fetchone()
    assert "обстрел".encode() not in bytes(sealed)


def test_consent_withdrawal_and_its_history(testimony: Testimony, lawyer: User) -> None:
    witness = services.witness_of(testimony.case)
    assert not services.consented(witness, "icc")
    give(testimony.case, lawyer, "icc")
    witness.refresh_from_db()
    assert services.consented(witness, "icc") and not services.consented(witness, "un")
    with pytest.raises(TestimonyError):
        give(testimony.case, lawyer, "un", "withdrawn")  # never given
    give(testimony.case, lawyer, "icc", "withdrawn")
    witness.refresh_from_db()
    assert not services.consented(witness, "icc")
    assert [e["status"] for e in services.consent_history(witness)] == ["given", "withdrawn"]
    assert AuditEntry.objects.filter(action="testimony.consent_withdrawn").exists()
    give(testimony.case, lawyer, "un")
    give(testimony.case, lawyer, "none")
    witness.refresh_from_db()
    assert not services.consented(witness, "un")  # "no one" overrides


def test_flag_restricts_to_lawyers_and_verifiers(
    testimony: Testimony, lawyer: User, coordinator: User, verifier: User, signed_in
) -> None:
    url = reverse("testimony:detail", args=[testimony.code])
    assert signed_in(coordinator).get(url).status_code == 200
    assert implicated_flag(testimony.case) is None
    with pytest.raises(TestimonyError):
        services.set_implicated(actor=coordinator, case=testimony.case)
    services.set_implicated(actor=lawyer, case=testimony.case)
    services.record_rights_explained(
        actor=verifier, case=testimony.case, on=date(2025, 6, 1), how="устно, с переводчиком"
    )
    flag = implicated_flag(testimony.case)
    assert isinstance(flag, ImplicatedFlag) and flag.rights_explained_at is not None
    assert flag.rights_explained_at.date() == date(2025, 6, 1)
    assert signed_in(coordinator).get(url).status_code == 404
    assert signed_in(lawyer).get(url).status_code == 200
    assert signed_in(verifier).get(url).status_code == 200
    assert AuditEntry.objects.filter(action="testimony.flag_set").exists()
    assert AuditEntry.objects.filter(action="testimony.rights_explained").exists()


def test_roles_without_testimony_rights_get_404_on_every_url(
    testimony: Testimony,
    caseworker: User,
    volunteer: User,
    admin_user: User,
    lawyer: User,
    coordinator: User,
    signed_in,
) -> None:
    """Every testimony URL of this organization: 404 for a caseworker, a volunteer given the
    case, and an administrator (the walk in tropa/core covers other organizations)."""
    from tropa.testimony.models import Corroboration
    from tropa.testimony.tests.isolation import _act

    second = make_testimony(
        cases.create_case(actor=lawyer, organization=testimony.organization, pseudonym="B"), lawyer
    )
    unit = services.save_unit(actor=None, organization=testimony.organization, names=["X"])
    acts = []
    for t in (testimony, second):
        event = services.add_event(
            actor=lawyer, testimony=t, data={"when": "2022", "settlement": "Угледар"}
        )
        acts.append(services.add_act(actor=lawyer, event=event, data=_act(str(unit.code))))
    give(testimony.case, lawyer)
    export = services.request_export(actor=lawyer, testimony=testimony, kind="icc", language="en")
    pair = Corroboration.objects.filter(organization=testimony.organization).get()
    codes = {
        "testimony:new": testimony.case.code,
        "testimony:event": acts[0].event.code,
        "testimony:act_new": acts[0].event.code,
        "testimony:claimed": acts[0].code,
        "testimony:potential": acts[0].code,
        "testimony:corroboration_decide": pair.code,
        "testimony:export": export.code,
        "testimony:export_decide": export.code,
        "testimony:export_download": export.code,
    }
    from tropa.testimony.urls import urlpatterns

    cases.update_case(actor=None, case=testimony.case, assignee=volunteer)
    for pattern in urlpatterns:
        name = f"testimony:{pattern.name}"
        has_code = "<uuid:code>" in str(pattern.pattern)
        url = reverse(name, args=[codes.get(name, testimony.code)] if has_code else [])
        for user in (caseworker, volunteer, admin_user):
            client = signed_in(user)
            assert client.get(url).status_code in (404, 405), (name, user.username)
            assert client.post(url).status_code == 404, (name, user.username)
    assert signed_in(coordinator).get(reverse("testimony:search")).status_code == 200


def test_record_and_edit_through_the_pages(testimony: Testimony, lawyer: User, signed_in) -> None:
    client = signed_in(lawyer)
    response = client.post(
        reverse("testimony:new", args=[testimony.case.code]),
        {"interviewer": "Lena", "narrative": "Первая запись", "method": "written"},
    )
    assert response.status_code == 302
    new = (
        Testimony.objects.filter(organization=testimony.organization_id)
        .exclude(pk=testimony.pk)
        .get()
    )
    client.post(
        reverse("testimony:edit", args=[new.code]),
        {"interviewer": "Lena", "narrative": "Вторая запись"},
    )
    new.refresh_from_db()
    assert new.versions_count == 2
    page = client.get(reverse("testimony:diff", args=[new.code]) + "?old=1&new=2").content.decode()
    assert "Вторая запись" in page and "Первая запись" in page
    assert AuditEntry.objects.filter(action="testimony.viewed").count() == 0
    assert "Вторая" in client.get(new.get_absolute_url()).content.decode()
    assert AuditEntry.objects.filter(action="testimony.viewed").count() == 1
