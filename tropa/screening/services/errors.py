"""The error of the screening services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tropa.core.errors import ServiceError

if TYPE_CHECKING:
    from tropa.lib.screening.lists import LineError


class ScreeningError(ServiceError):
    """A request that cannot be carried out; the message is shown to the user.

    ``lines`` names the bad lines of a refused list file.
    """

    def __init__(self, message: str, lines: Iterable[LineError] = ()) -> None:
        super().__init__(message)
        self.lines = tuple(lines)
