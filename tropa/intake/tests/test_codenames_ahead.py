"""Codenames minted ahead (tropa/intake/services/ahead.py): a start takes a ready codename and
its Argon2id hash; the pool refills at the lowest priority; a fork never reuses a phrase."""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections.abc import Iterator

import pytest
from django.test import override_settings

from tropa.accounts.models import Organization
from tropa.intake import services
from tropa.intake.models import Submission
from tropa.intake.services import ahead, common

WAIT = 60  # seconds at most for a few hashes on a loaded machine; never reached when it works


@pytest.fixture
def pool() -> Iterator[ahead.CodenamesAhead]:
    with override_settings(TROPA_INTAKE_CODENAMES_AHEAD=3):
        yield ahead.CodenamesAhead()


def test_the_pool_fills_to_its_size_and_every_pair_verifies(pool: ahead.CodenamesAhead) -> None:
    for _ in range(3):
        assert pool.mint()
    taken = [pool.take() for _ in range(3)]
    assert len({codename for codename, _ in taken}) == 3
    for codename, hashed in taken:
        assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert common.codename_matches(hashed, codename)
        assert len(codename.split()) == common.CODENAME_WORDS
    assert pool.ready() == 0
    pool.start()
    assert pool.wait_ready(3, WAIT), "the thread refills the pool"
    # Never beyond its size: a fourth would be ready within a second on any machine (a hash
    # is ~20 ms); this wait can only miss a fault on a starved machine, never report a false one.
    assert not pool.wait_ready(4, 1.0), "the pool never fills beyond its size"


def test_the_filling_thread_runs_at_the_lowest_priority(pool: ahead.CodenamesAhead) -> None:
    pool.start()
    assert pool.lowered.wait(WAIT)
    thread = pool._thread
    assert thread is not None and thread.native_id is not None
    assert os.getpriority(os.PRIO_PROCESS, thread.native_id) == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < 19, "only that thread"


def test_off_means_a_codename_hashed_at_the_start() -> None:
    with override_settings(TROPA_INTAKE_CODENAMES_AHEAD=0):
        pool = ahead.CodenamesAhead()
        pool.start()
        assert pool._thread is None and pool.ready() == 0
        codename, hashed = pool.take()
    assert common.codename_matches(hashed, codename)


def test_a_start_takes_the_codename_ready_first(astana: Organization) -> None:
    with override_settings(TROPA_INTAKE_CODENAMES_AHEAD=2):
        ahead.CODENAMES.mint()
        first = ahead.CODENAMES._ready[0][0]
        started = services.create_submission(organization=astana, answers={}, language="ru")
    assert started.codename == first
    row = Submission.objects.unscoped().get(pk=started.submission.pk)
    assert common.codename_matches(row.codename_hash, started.codename)
    assert services.find_by_codename(started.codename) == row


def test_a_forked_child_never_gives_out_its_parents_codenames(
    pool: ahead.CodenamesAhead,
) -> None:
    for _ in range(3):
        pool.mint()
    parents = [codename for codename, _ in list(pool._ready)]
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        try:
            before = pool.ready()
            codename, hashed = pool.take()
            report = {
                "ready": before,
                "codename": codename,
                "ok": common.codename_matches(hashed, codename),
            }
            os.write(write, json.dumps(report).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        report = json.loads(pipe.read())
    os.waitpid(child, 0)
    assert report["ready"] == 0
    assert report["ok"] and report["codename"] not in parents
    assert [codename for codename, _ in pool._ready] == parents, "the parent keeps its own"


def test_a_web_process_starts_minting_when_it_loads_the_application() -> None:
    import tropa.wsgi

    with override_settings(TROPA_INTAKE_CODENAMES_AHEAD=1):
        ahead.CODENAMES._reset()
        importlib.reload(tropa.wsgi)
        assert ahead.CODENAMES._thread is not None and ahead.CODENAMES._thread.is_alive()
