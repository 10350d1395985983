"""Hypothesis drives the upload path and the bundle parser with hostile input (R16)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.evidence import bundle, services
from tropa.evidence.models import EvidenceItem

from .conftest import record

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

names = st.one_of(
    st.text(min_size=1, max_size=300),
    st.sampled_from(
        ["../../etc/passwd", "..\\..\\boot.ini", "a\x00.html", "\u202egnp.exe", "CON", "/abs"]
    ),
    st.lists(st.sampled_from(["..", "/", "\x00", "é", "Ω", "😀", ".html", " "])).map("".join),
).filter(lambda name: name != "")
contents = st.one_of(
    st.binary(min_size=1, max_size=3000),
    st.sampled_from(
        [
            b"<html><script>alert(1)</script>",
            b"PK\x03\x04" + b"\x00" * 100,  # a zip (never unpacked)
            b"\x1f\x8b\x08" + b"\x00" * 50,  # gzip
            b"GIF89a<svg onload=alert(1)>",  # polyglot
        ]
    ),
)


@FUZZ
@given(name=names, data=contents)
def test_hostile_names_and_contents_are_stored_harmlessly(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    _private_storage: Path,
    name: str,
    data: bytes,
) -> None:
    client = signed_in(coordinator)
    start = client.post(
        reverse("evidence:upload", args=[canary_case.code]),
        {"method": "usb", "received_at": "2026-01-01T10:00", "name": name, "size": len(data)},
    )
    assert start.status_code == 200, start.content
    urls = start.json()["upload"]
    chunk = client.post(
        urls["chunk"],
        data,
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
    )
    assert chunk.status_code == 200
    done = client.post(urls["finish"]).json()
    item = EvidenceItem.objects.unscoped().get(code=done["code"])
    assert item.generic_name.startswith(str(item.code))
    assert "/" not in item.extension and "." not in item.extension
    download = client.post(reverse("evidence:download", args=[item.code]))
    assert download["Content-Type"] == "application/octet-stream"
    _safe_disposition(download["Content-Disposition"], item.extension)
    assert b"".join(download.streaming_content) == data  # type: ignore[attr-defined]
    for path in _private_storage.rglob("*"):
        assert path.resolve().is_relative_to(_private_storage.resolve())
        assert path.is_dir() or all(c in "0123456789abcdef" for c in path.name.split(".")[0])


@FUZZ
@given(header=st.text(max_size=60), body=st.binary(max_size=64))
def test_any_content_range_is_answered_without_an_error(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    header: str,
    body: bytes,
) -> None:
    client = signed_in(coordinator)
    session = services.start_upload(actor=coordinator, case=canary_case, size=32, record=record())
    try:
        response = client.post(
            reverse("evidence:upload_chunk", args=[session.code]),
            body,
            content_type="application/octet-stream",
            headers={"Content-Range": header.replace("\n", " ").replace("\r", " ")},
        )
        assert response.status_code in (200, 400, 409)
    finally:  # each example's upload goes, or the user's limit of open uploads is reached
        services.discard_upload(actor=coordinator, session=session)


@FUZZ
@given(
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), max_size=4),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
    noise=st.binary(max_size=2000),
)
def test_the_bundle_checker_never_crashes(
    canary_case: Case,
    coordinator: User,
    flips: list[tuple[int, int]],
    cut: int | None,
    noise: bytes,
) -> None:
    if not EvidenceItem.objects.unscoped().filter(case=canary_case).exists():
        services.add_evidence(
            actor=coordinator, case=canary_case, source=io.BytesIO(b"chat log"), record=record()
        )
    items = {i: "original" for i in EvidenceItem.objects.unscoped().filter(case=canary_case)}
    plan = bundle.prepare_bundle(case=canary_case, variants=items, actor=coordinator)
    out = io.BytesIO()
    plan.write(out)
    data = bytearray(out.getvalue())
    for position, mask in flips:
        data[position % len(data)] ^= mask
    if cut is not None:
        data = data[: cut % len(data)]
    bundle.verify_bundle(io.BytesIO(bytes(data)))
    assert not bundle.verify_bundle(io.BytesIO(noise)).ok


def _safe_disposition(header: str, extension: str) -> None:
    """An attachment whose names, ASCII and RFC 5987 alike, are one safe file name that ends
    in the extension detected from the content."""
    match = re.fullmatch(r"attachment; filename=\"([^\"]+)\"; filename\*=UTF-8''(\S+)", header)
    assert match, header
    for name in (match[1], unquote(match[2], errors="strict")):
        assert name.endswith(f".{extension}") if extension else name
        assert not set(name) & set('/\\"') and all(c.isprintable() for c in name), name
        assert not name.startswith(".")
