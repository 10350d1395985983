"""The evidence app's refusal: a request that cannot be carried out, shown to the user."""

from __future__ import annotations

from tropa.core.errors import ServiceError


class EvidenceError(ServiceError):
    """A request that cannot be carried out; the message is shown to the user."""
