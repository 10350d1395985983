"""The directory's writes, each through its service and each audited."""

from __future__ import annotations

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.outreach import services
from tropa.outreach.models import Contact


def test_updating_an_institution_is_audited_with_the_changed_fields_only(
    astana: Organization, coordinator: User
) -> None:
    institution = services.create_institution(
        actor=coordinator, organization=astana, name="Embassy", kind="embassy", city="Astana"
    )
    changed = services.update_institution(
        actor=coordinator, institution=institution, name="Embassy", city="Almaty", notes="new"
    )
    assert changed == ["city", "notes"]
    institution.refresh_from_db()
    assert (institution.city, institution.notes) == ("Almaty", "new")
    entry = AuditEntry.objects.get(action="outreach.institution_updated")
    assert entry.detail == {"fields": ["city", "notes"]}
    assert entry.actor_code == str(coordinator.code)
    assert entry.object_code == str(institution.code)
    # Nothing changed: nothing written, nothing logged.
    unchanged = services.update_institution(
        actor=coordinator, institution=institution, city="Almaty"
    )
    assert unchanged == []
    assert AuditEntry.objects.filter(action="outreach.institution_updated").count() == 1


def test_removing_a_contact_is_audited_on_its_institution(
    astana: Organization, coordinator: User
) -> None:
    institution = services.create_institution(
        actor=coordinator, organization=astana, name="Embassy", kind="embassy"
    )
    contact = services.add_contact(actor=coordinator, institution=institution, name="Consul")
    code = str(contact.code)
    services.remove_contact(actor=coordinator, contact=contact)
    assert not Contact.objects.filter(organization=astana).exists()
    entry = AuditEntry.objects.get(action="outreach.contact_removed")
    assert entry.detail == {"contact": code} and entry.actor_code == str(coordinator.code)
    assert entry.object_code == str(institution.code)
    assert "Consul" not in str(entry.detail)
