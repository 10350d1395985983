"""A server error shows and logs nothing of what was sent (R9)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path
from django.views.debug import ExceptionReporter

from conftest import CANARY, sign_in


def _boom(request: HttpRequest) -> HttpResponse:
    raise ValueError("something broke")


urlpatterns = [path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_500_redacts_posted_fields(coordinator: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = sign_in(Client(raise_request_exception=False), coordinator)
    with caplog.at_level(logging.ERROR):
        response = client.post("/boom/", {"surname": CANARY, "password": "hunter2-hunter2"})
    assert response.status_code == 500
    assert CANARY not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert CANARY not in logged and "127.0.0.1" not in logged


def test_the_error_report_hides_post_data_and_client(rf: Any) -> None:
    request = rf.post(
        "/x/", {"surname": CANARY}, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox"
    )
    try:
        raise ValueError("x")
    except ValueError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert CANARY not in report
    assert "203.0.113.7" not in report and "Firefox" not in report
