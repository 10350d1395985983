"""Outreach objects of another organization for the URL-walking isolation test (R1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tropa.cases import services as cases
from tropa.outreach import services


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    actor, org = world.outsider, world.other_org
    institution = services.create_institution(
        actor=actor, organization=org, name="Elsewhere Embassy", kind="embassy"
    )
    contact = services.add_contact(actor=actor, institution=institution, name="Elsewhere Consul")
    case = cases.create_case(actor=actor, organization=org, pseudonym="Elsewhere")
    request = services.record_request(
        actor=actor,
        organization=org,
        institution=institution,
        channel="email",
        sent_on=date(2026, 1, 5),
        subject="Elsewhere",
        body="Elsewhere",
        case=case,
    )
    attachment = services.add_attachment(actor=actor, request=request, data=b"%PDF-1.4 x")
    template = services.save_template(
        actor=actor, organization=org, name="Elsewhere", language="en", subject="s", body="b"
    )
    staging = services.stage_import(
        actor=actor, organization=org, data=b"Date;Institution\n01.01.2026;X\n"
    )
    by_request = {"code": request.code}
    return {
        "outreach:institution": {"code": institution.code},
        "outreach:institution_edit": {"code": institution.code},
        "outreach:contact_add": {"code": institution.code},
        "outreach:contact_remove": {"code": contact.code},
        "outreach:request": by_request,
        "outreach:request_answer": by_request,
        "outreach:request_reveal": by_request,
        "outreach:attachment_add": by_request,
        "outreach:request_pdf": by_request,
        "outreach:request_text": by_request,
        "outreach:followed_up": by_request,
        "outreach:followup_reminder": by_request,
        "outreach:attachment": {"code": attachment.code},
        "outreach:template_edit": {"code": template.code},
        "outreach:import_preview": {"code": staging.code},
    }


# A valid body for each POST view, so that a 404 proves isolation and not a form error.
POST_DATA: dict[str, dict[str, Any]] = {
    "outreach:institution_edit": {"name": "x", "kind": "ngo"},
    "outreach:contact_add": {"name": "x"},
    "outreach:request_answer": {"status": "acknowledged", "on": date(2026, 1, 6).isoformat()},
    "outreach:template_edit": {"name": "x", "language": "en", "subject": "s", "body": "b"},
    "outreach:import_preview": {"action": "check"},
}
