from tropa.core.errors import ServiceError


class TestimonyError(ServiceError):
    """A refusal of a testimony service, written for the user."""

    __test__ = False  # not a pytest test class
