"""Every write of the screening app, each audited: list imports, screening runs, decisions.

Names are decrypted only in memory, for the length of a run; what is stored of a match (the
engine's explanation) is sealed, and the audit records codes and counts, never names.

One module per section; this package re-exports their public names, so that callers write
``from tropa.screening import services`` and ``services.screen_case(...)``. ``tasks.py`` looks
``run_duplicate_search`` up here, so a test may replace it on this package.
"""

from __future__ import annotations

# The name engine (tropa.lib.screening, followthemoney, rigour: about 1.6 s to import) is
# imported by the functions that run it, never at start-up: every `tropa` command, worker and
# page would pay for it otherwise (tropa/screening/tests/test_startup.py).
from .decisions import CONFIRMED_HIT_RISK, decide, decide_hit, pending_hits, read_hit, read_reason
from .duplicates import (
    PROGRESS_EVERY,
    active_duplicate_run,
    decide_duplicate,
    fail_duplicate_search,
    find_duplicate_people,
    last_duplicate_run,
    open_duplicates,
    read_duplicate,
    run_duplicate_search,
    start_duplicate_search,
)
from .errors import ScreeningError
from .hits import HitFacts, HitRow, hit_facts, hit_index, hit_rows
from .imports import (
    CHANGES_PAGE,
    Changes,
    delete_list,
    fail_import,
    new_import,
    queue_import,
    read_error,
    read_progress,
    recent_imports,
    rescreen,
    run_import,
    version_changes,
)
from .lists import ImportReport, entry_caption, import_list, import_stream, visible_lists

# The migration test driver computes an entry digest as the import does.
from .lists import _canonical as _canonical
from .screening import HITS_PER_LIST, last_run, screen_case, screen_cases_for_list

__all__ = [
    "CHANGES_PAGE",
    "CONFIRMED_HIT_RISK",
    "HITS_PER_LIST",
    "PROGRESS_EVERY",
    "Changes",
    "HitFacts",
    "HitRow",
    "ImportReport",
    "ScreeningError",
    "active_duplicate_run",
    "decide",
    "decide_duplicate",
    "decide_hit",
    "delete_list",
    "entry_caption",
    "fail_duplicate_search",
    "fail_import",
    "find_duplicate_people",
    "hit_facts",
    "hit_index",
    "hit_rows",
    "import_list",
    "import_stream",
    "last_duplicate_run",
    "last_run",
    "new_import",
    "open_duplicates",
    "pending_hits",
    "queue_import",
    "read_duplicate",
    "read_error",
    "read_hit",
    "read_progress",
    "read_reason",
    "recent_imports",
    "rescreen",
    "run_duplicate_search",
    "run_import",
    "screen_case",
    "screen_cases_for_list",
    "start_duplicate_search",
    "version_changes",
    "visible_lists",
]
