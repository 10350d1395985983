"""Logging that cannot leak what Tropa protects (R8, R9)."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter
from gunicorn.glogging import Logger as _GunicornLogger

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Eight groups, or fewer around one "::" (also "::1" and "::ffff:[ip]" after the IPv4 pass);
# a clock time like 12:34:56 has neither, so it stays.
_IPV6 = re.compile(
    r"(?<![\w:.])(?:"
    r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?"
    r")(?::\[ip\])?(?:%\w+)?(?!\w)(?!:[0-9A-Fa-f])"
)
# gunicorn: "Invalid request from ip=ADDRESS: what the client sent". The address is the
# client's, the rest is the client's text: neither is Tropa's to keep.
_GUNICORN_INVALID = re.compile(r"^Invalid request from ip=.*", re.DOTALL)


def redact(text: str) -> str:
    """``text`` with anything shaped like an IPv4 or IPv6 address masked."""
    return _IPV6.sub("[ip]", _IPV4.sub("[ip]", text))


class RedactFilter(logging.Filter):
    """Drop the request from log records and mask anything shaped like an IP address."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            record.args = tuple(
                redact(a) if isinstance(a, str) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        return True


class GunicornRedactFilter(RedactFilter):
    """gunicorn's error log: an invalid request is noted, without address or content."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and _GUNICORN_INVALID.match(record.msg):
            record.msg, record.args = "Invalid request refused (400)", ()
        return super().filter(record)


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with every handler of its error log behind the redacting filter.

    ``tropa run`` sets it as ``logger_class``; there is no access log at all.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(GunicornRedactFilter())


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
