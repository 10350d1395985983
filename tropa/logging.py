"""Logging that cannot leak what Tropa protects (R8, R9)."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


class RedactFilter(logging.Filter):
    """Drop the request from log records and mask anything shaped like an IPv4 address."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        if isinstance(record.msg, str):
            record.msg = _IPV4.sub("[ip]", record.msg)
        if record.args:
            record.args = tuple(
                _IPV4.sub("[ip]", a) if isinstance(a, str) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        return True


class TropaExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports never show POST bodies, cookies or client addresses."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|KEYSET|DATABASE", flags=re.I
    )

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        for key in ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR", "HTTP_USER_AGENT", "HTTP_COOKIE"):
            if key in meta:
                meta[key] = self.cleansed_substitute
        return meta
