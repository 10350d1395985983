"""`tropa screen`: screen FollowTheMoney persons against watchlist files, without a database."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import orjson

from tropa.lib.screening.index import ScreeningIndex
from tropa.lib.screening.lists import ListError, read_ftm, read_list
from tropa.lib.screening.score import REVIEW_THRESHOLD, MatchResult

EXIT_OK = 0
EXIT_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tropa screen",
        description="Screen persons against watchlists (FollowTheMoney JSON lines or CSV). "
        "Writes one JSON line per query with the candidates above the review threshold.",
    )
    parser.add_argument(
        "--list",
        dest="lists",
        action="append",
        required=True,
        metavar="LIST",
        help="watchlist file: FtM JSON lines (entities.ftm.json, targets.nested.json) or .csv; "
        "may be given several times",
    )
    parser.add_argument(
        "--queries", required=True, metavar="QUERIES", help="FtM JSON lines of Person entities"
    )
    parser.add_argument("--out", metavar="OUT", help="output file (default: standard output)")
    parser.add_argument(
        "--threshold",
        type=float,
        default=REVIEW_THRESHOLD,
        help=f"lowest score reported as a candidate (default {REVIEW_THRESHOLD})",
    )
    parser.add_argument("--limit", type=int, default=10, help="candidates per query (default 10)")
    return parser


def result_line(query_id: str, results: Iterable[MatchResult]) -> bytes:
    matches = [
        {
            "entity": r.candidate_id,
            "score": round(r.score, 4),
            "match": r.match,
            "explanation": r.explanation(),
        }
        for r in results
    ]
    return orjson.dumps({"query": query_id, "matches": matches}) + b"\n"


def _screen_lines(args: argparse.Namespace) -> Iterator[bytes]:
    index = ScreeningIndex()
    for path in args.lists:
        for person in read_list(path):
            index.add(person)
    for query in read_ftm(Path(args.queries)):
        yield result_line(query.id, index.screen(query, threshold=args.threshold, limit=args.limit))


def _write_atomically(target: Path, lines: Iterable[bytes]) -> None:
    """Write next to the target and rename, so a failed run leaves no half-written file."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "wb") as out:
            out.writelines(lines)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.out and not Path(args.out).absolute().parent.is_dir():
        print(f"tropa screen: {args.out}: the folder does not exist", file=sys.stderr)
        return EXIT_INPUT
    try:
        if args.out:
            _write_atomically(Path(args.out).absolute(), _screen_lines(args))
        else:
            stdout: IO[bytes] = sys.stdout.buffer
            stdout.writelines(_screen_lines(args))
    except ListError as exc:
        print(f"tropa screen: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"tropa screen: {exc.filename or args.out}: {exc.strerror}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
