"""Intake objects of another organization for the URL-walking isolation test (R1).

The person's two code-taking URLs answer anyone, by design; what they get here is another
organization's *spent* invitation token and its *closed* public link, which must answer
exactly like an unknown code (the neutral 404; POST is 405 there).
"""

from __future__ import annotations

from typing import Any

from tropa.cases import services as cases
from tropa.intake import services


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    org = world.other_org
    actor = world.outsider
    case = cases.create_case(actor=actor, organization=org, pseudonym="Elsewhere intake")
    made = services.create_invitation(actor=actor, organization=org, case=case)
    services.revoke_invitation(actor=actor, invitation=made.invitation)
    live = services.create_invitation(actor=actor, organization=org)
    submission = services.create_submission(
        organization=org, answers={"surname": "Воронов"}, language="ru"
    ).submission
    by_submission = {"code": submission.code}
    return {
        "intake:invitation": {"token": made.token},
        "intake:public_link": {"slug": services.intake_settings(org).public_slug},
        "intake:revoke": {"code": live.invitation.code},
        "intake:submission": by_submission,
        "intake:review": by_submission,
        "intake:documents": by_submission,
        "intake:message": by_submission,
        "intake:accept": by_submission,
        "intake:merge": by_submission,
        "intake:reject": by_submission,
    }


POST_DATA = {
    "intake:message": {"text": "hello"},
    "intake:accept": {"pseudonym": "Stolen"},
    "intake:reject": {"reason": "spam"},
    "intake:documents": {"documents": ["passport"]},
}
