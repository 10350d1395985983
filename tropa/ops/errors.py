from tropa.core.errors import ServiceError


class BackupError(ServiceError):
    """A backup that cannot be written, read or restored; the message says why."""
