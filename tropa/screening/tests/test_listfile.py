"""The streaming list reader, fuzzed: whatever arrives, in whatever pieces, it yields the
file's persons or refuses it with a ScreeningError, never anything else."""

from __future__ import annotations

import json
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tropa.screening.services import ScreeningError
from tropa.screening.services.listfile import Progress, byte_lines, read_persons

NAMES = st.text(alphabet=st.characters(categories=["L", "Zs", "Mn"]), min_size=1, max_size=20)


def pieces(data: bytes, cuts: list[int]) -> Callable[[int], bytes]:
    """A read() that returns the data in the given odd-sized pieces, as a network would."""
    chunks, start = [], 0
    for cut in sorted(set(cuts)):
        chunks.append(data[start:cut])
        start = cut
    chunks.append(data[start:])
    chunks = [c for c in chunks if c]

    def read(_size: int) -> bytes:
        return chunks.pop(0) if chunks else b""

    return read


@st.composite
def entity_lines(draw: st.DrawFn) -> tuple[list[bytes], int]:
    lines, persons = [], 0
    for number in range(draw(st.integers(1, 8))):
        schema = draw(st.sampled_from(["Person", "Company", "Person"]))
        persons += schema == "Person"
        name = draw(NAMES)
        entity = {"id": f"e{number}", "schema": schema, "properties": {"name": [name]}}
        lines.append(json.dumps(entity, ensure_ascii=draw(st.booleans())).encode())
    return lines, persons


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entity_lines(), st.lists(st.integers(0, 2000), max_size=6), st.booleans())
def test_good_lines_in_any_pieces_give_every_person(
    drawn: tuple[list[bytes], int], cuts: list[int], final_newline: bool
) -> None:
    lines, persons = drawn
    data = b"\n".join(lines) + (b"\n" if final_newline else b"")
    progress = Progress()
    found = list(read_persons(pieces(data, cuts), is_csv=False, progress=progress))
    assert len(found) == persons == progress.people
    assert progress.bytes_read == len(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=60), min_size=1, max_size=6), st.booleans())
def test_any_bytes_are_read_or_refused_with_a_message(lines: list[bytes], is_csv: bool) -> None:
    data = b"\n".join(lines)
    try:
        list(read_persons(pieces(data, [3, 17]), is_csv=is_csv, progress=Progress()))
    except ScreeningError as refused:
        assert str(refused)


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=200), st.lists(st.integers(0, 300), max_size=5))
def test_lines_are_split_the_same_whatever_the_pieces(data: bytes, cuts: list[int]) -> None:
    got = [line for _n, line in byte_lines(pieces(data, cuts), Progress())]
    assert b"".join(got) == data
    expected = data.split(b"\n")
    if expected[-1] == b"":
        expected.pop()
    assert [g.removesuffix(b"\n") for g in got] == expected
