"""Read watchlists: FollowTheMoney JSON lines (as OpenSanctions publishes them) and simple CSV.

`entities.ftm.json` holds flat entities of every schema; `targets.nested.json` holds the target
entities with related entities nested inside their properties. Both are one JSON object per line.
Only Person entities (and schemata derived from Person) are screened; the rest is skipped.
A file is read whole or not at all: every bad line is reported with its number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from tropa.lib.screening.model import Person, make_person

if TYPE_CHECKING:
    from followthemoney import EntityProxy

# followthemoney (with SQLAlchemy) costs ≈ 1.5 s and ≈ 40 MB to import; it is loaded only
# when a FollowTheMoney file is read, not by every process that imports the engine.

NAME_PROPS = ("name", "alias", "previousName")
EXTRA_PROPS = ("position", "topics", "nationality", "citizenship")
_MAX_REPORTED = 20


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    message: str


class ListError(Exception):
    """A list or query file that cannot be used; `errors` name the lines."""

    def __init__(self, path: str, message: str, errors: Iterable[LineError] = ()) -> None:
        self.path = path
        self.errors = tuple(errors)
        detail = "".join(f"\n  line {e.line}: {e.message}" for e in self.errors[:_MAX_REPORTED])
        more = len(self.errors) - _MAX_REPORTED
        if more > 0:
            detail += f"\n  ... and {more} more"
        super().__init__(f"{path}: {message}{detail}")


def person_from_proxy(proxy: EntityProxy) -> Person:
    """A screenable person from a FollowTheMoney Person entity."""
    return make_person(
        str(proxy.id),
        [v for prop in NAME_PROPS for v in proxy.get(prop, quiet=True)],
        proxy.get("birthDate", quiet=True),
        {prop: proxy.get(prop, quiet=True) for prop in EXTRA_PROPS},
        given=proxy.get("firstName", quiet=True) + proxy.get("secondName", quiet=True),
        patronymic=proxy.get("fatherName", quiet=True) + proxy.get("middleName", quiet=True),
        family=proxy.get("lastName", quiet=True),
    )


def _flat_proxy(data: Any) -> EntityProxy:
    """Entity from one JSON object; nested entities (targets.nested.json) are left out."""
    if not isinstance(data, dict) or not isinstance(data.get("schema"), str):
        raise ValueError("not a FollowTheMoney entity (no 'schema')")
    if not data.get("id"):
        raise ValueError("entity has no 'id'")
    from followthemoney import model

    schema = model.get(data["schema"])
    if schema is None:
        raise ValueError(f"unknown schema {data['schema']!r}")
    properties = data.get("properties") or {}
    if not isinstance(properties, dict):
        raise ValueError("'properties' is not an object")
    flat = {
        prop: [v for v in values if isinstance(v, str)]
        for prop, values in properties.items()
        if isinstance(values, list) and prop in schema.properties
    }
    return model.get_proxy({"id": data["id"], "schema": schema.name, "properties": flat})


def _ftm_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line


def read_ftm(path: Path) -> list[Person]:
    """Person entities of a FollowTheMoney JSON lines file."""
    from followthemoney.exc import FollowTheMoneyException

    persons: list[Person] = []
    errors: list[LineError] = []
    for number, line in _ftm_lines(path):
        try:
            proxy = _flat_proxy(orjson.loads(line))
        except (orjson.JSONDecodeError, ValueError, FollowTheMoneyException) as exc:
            if not persons and not errors:
                raise ListError(
                    str(path),
                    "not a FollowTheMoney JSON lines file "
                    f"(line {number}: {exc}); expected one entity object per line",
                ) from exc
            errors.append(LineError(number, str(exc)))
            continue
        if proxy.schema.is_a("Person"):
            persons.append(person_from_proxy(proxy))
    if errors:
        raise ListError(str(path), f"{len(errors)} bad line(s), nothing was loaded", errors)
    return persons


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def read_csv(path: Path) -> list[Person]:
    """A list an organization keeps itself: id,name[,alias,birth_date,position,unit].

    `alias` and `birth_date` may hold several values separated by ";".
    """
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("id", "name") if c not in header]
    if missing:
        raise ListError(str(path), f"not a list CSV: missing column(s) {', '.join(missing)}")
    persons: list[Person] = []
    errors: list[LineError] = []
    for row in reader:
        line = reader.line_num
        values = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            errors.append(LineError(line, "more fields than columns"))
        elif not values.get("id") or not values.get("name"):
            errors.append(LineError(line, "id and name are required"))
        else:
            persons.append(
                make_person(
                    values["id"],
                    [values["name"], *_split(values.get("alias"))],
                    _split(values.get("birth_date")),
                    {
                        "position": _split(values.get("position")),
                        "unit": _split(values.get("unit")),
                    },
                )
            )
    if errors:
        raise ListError(str(path), f"{len(errors)} bad line(s), nothing was loaded", errors)
    return persons


def read_list(path: str | Path) -> list[Person]:
    """Persons of a list file; CSV by its .csv suffix, FollowTheMoney JSON lines otherwise."""
    path = Path(path)
    if not path.is_file():
        raise ListError(str(path), "no such file")
    try:
        if path.suffix.lower() == ".csv":
            return read_csv(path)
        return read_ftm(path)
    except UnicodeDecodeError as exc:
        raise ListError(str(path), f"not UTF-8 text ({exc.reason})") from exc
