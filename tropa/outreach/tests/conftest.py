"""Outreach tests read pages in English, whatever the project's default language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from conftest import sign_in
from tropa.accounts.models import User


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)
        return client

    return make
