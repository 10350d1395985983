"""The one base of every refusal a service gives a user.

A service raises a subclass (``CaseError``, ``EvidenceError``…) with a message meant for the
user; ``tropa.core.views.run_action`` shows it. Anything else is a bug and a 500.
"""

from __future__ import annotations


class ServiceError(ValueError):
    """A request that cannot be carried out; the message is shown to the user as it is."""
