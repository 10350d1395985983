"""Emergencies: an alert goes to the top of every coordinator's dashboard."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tropa.accounts.models import Role
from tropa.audit.models import AuditEntry
from tropa.cases import services
from tropa.cases.models import Alert, Case


def test_a_raised_alert_tops_every_coordinators_dashboard(
    coordinator: Any, astana: Any, make_user: Any, signed_in: Any
) -> None:
    colleague = make_user(astana, "bob", Role.COORDINATOR)
    quiet = services.create_case(
        actor=coordinator, organization=astana, pseudonym="Quiet", risk="critical"
    )
    loud = services.create_case(
        actor=coordinator, organization=astana, pseudonym="Loud", risk="low"
    )
    signed_in(coordinator).post(
        reverse("cases:alert_raise", args=[loud.code]),
        {"kind": "detained", "details": "police station 3"},
    )
    for user in (coordinator, colleague):
        client = signed_in(user)
        dashboard = client.get(reverse("cases:dashboard")).content.decode()
        assert "Detained" in dashboard and "Loud" in dashboard
        listing = client.get(reverse("cases:list"))
        # An alert outranks a higher risk in the list order.
        assert [c.person.pseudonym for c in listing.context["page"]][:2] == ["Loud", "Quiet"]
    assert quiet.alerts.count() == 0


def test_the_checklist_records_who_did_what(
    coordinator: Any, astana: Any, make_user: Any, canary_case: Case, signed_in: Any
) -> None:
    lawyer = make_user(astana, "lena", Role.LAWYER)
    alert = canary_case.alerts.get()
    signed_in(lawyer).post(
        reverse("cases:alert_item", args=[alert.code]), {"item": "consulate_contacted"}
    )
    done = {a.item: a.done_by for a in alert.actions.all()}
    assert done == {"lawyer_informed": coordinator, "consulate_contacted": lawyer}
    page = signed_in(coordinator).get(canary_case.get_absolute_url()).content.decode()
    assert "lena" in page and "Consulate or embassy contacted" in page


def test_an_unknown_checklist_item_is_refused_with_a_message(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    alert = canary_case.alerts.get()
    response = signed_in(coordinator).post(
        reverse("cases:alert_item", args=[alert.code]), {"item": "bribe_paid"}, follow=True
    )
    assert "Unknown checklist item." in response.content.decode()
    assert alert.actions.count() == 1


def test_resolving_the_last_alert_takes_the_case_off_the_top(
    coordinator: Any, canary_case: Case, signed_in: Any
) -> None:
    alert = canary_case.alerts.get()
    client = signed_in(coordinator)
    client.post(
        reverse("cases:alert_resolve", args=[alert.code]), {"outcome": "safe", "confirm": "on"}
    )
    canary_case.refresh_from_db()
    alert.refresh_from_db()
    assert canary_case.has_active_alert is False
    assert alert.resolved_by == coordinator
    assert "Active alerts" not in client.get(reverse("cases:dashboard")).content.decode()
    again = client.post(
        reverse("cases:alert_resolve", args=[alert.code]),
        {"outcome": "safe", "confirm": "on"},
        follow=True,
    )
    assert "already resolved" in again.content.decode()
    assert AuditEntry.objects.filter(action="alert.resolved").count() == 1


def test_a_volunteer_sees_alerts_of_their_cases_but_cannot_work_them(
    coordinator: Any, volunteer: Any, canary_case: Case, signed_in: Any
) -> None:
    services.update_case(actor=coordinator, case=canary_case, assignee=volunteer)
    client = signed_in(volunteer)
    assert "Detained" in client.get(reverse("cases:dashboard")).content.decode()
    alert = Alert.objects.unscoped().get(case=canary_case)
    assert client.post(reverse("cases:alert_resolve", args=[alert.code])).status_code == 403
