from __future__ import annotations

from tropa.core.errors import ServiceError


class PathwayError(ServiceError):
    """A pathway, fact, trip or deadline that cannot be saved; the message says why."""
