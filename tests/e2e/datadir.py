"""The browser tests' data dir: made once by the real commands, copied for each server.

``tropa migrate``, ``tropa collectstatic`` and ``tropa demo`` on a fresh data dir (what
``make run`` does before ``tropa run``) cost one to three minutes: the migrations render
every model state, collectstatic compresses the static files (gzip and brotli), and the demo
screens a case, which loads the name tagger. They run once per test session, into a
template; every server of the session (tests/e2e/conftest.py, test_evidence_copy_pending.py)
then starts ``tropa run`` on a fresh copy of it in a private temp dir of its own, so no
server sees what another one wrote.

``make test`` makes the template beside the lint and security checks
(``python -m tests.e2e.datadir DIR``) and names it in ``TROPA_E2E_TEMPLATE``; without that
variable the session makes its own. The demo's output (passwords, TOTP secrets) is kept in
the template beside the data dir, readable by its user only, and written last: a template
without it is not finished, and is refused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_ENV = "TROPA_E2E_TEMPLATE"
DEMO_OUTPUT = "demo.txt"


def tropa_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``tropa`` command on ``data_dir`` (SQLite, the real settings)."""
    env = {
        **os.environ,
        "TROPA_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
        **extra,
    }
    env.pop("TROPA_DATABASE_URL", None)
    return env


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tropa.cli", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, process.args))} failed:\n{out}\n{err}")
    return out


def prepare(data_dir: Path) -> str:
    """Make a data dir as ``make run`` does, and return what ``tropa demo`` printed."""
    env = tropa_env(data_dir)
    _finish(_start(env, "migrate", "--no-input", "-v0"))
    # collectstatic writes only DATA_DIR/static and the demo never reads it, so the two run
    # side by side. (Not beside the migrations: the first command on a fresh data dir
    # creates its secret key.)
    static = _start(env, "collectstatic", "--no-input", "-v0")
    demo = _start(env, "demo")
    try:
        return _finish(demo)
    finally:
        _finish(static)


def make_template(template: Path) -> None:
    """A data dir in ``template``/data, and the demo's output beside it, written last."""
    output = prepare(template / "data")
    partial = template / f"{DEMO_OUTPUT}.partial"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(output)
    partial.rename(template / DEMO_OUTPUT)


def copy_template(template: Path, data_dir: Path) -> str:
    """Copy the template's data dir into ``data_dir`` (fresh, private); the demo's output."""
    output = template / DEMO_OUTPUT
    if not output.exists():
        raise RuntimeError(f"{template} is no finished e2e data dir (no {DEMO_OUTPUT})")
    # copy2 keeps the modes (0600/0700) and the times the static manifest was written at.
    shutil.copytree(template / "data", data_dir, dirs_exist_ok=True, symlinks=True)
    return output.read_text(encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1]:
        sys.exit("usage: python -m tests.e2e.datadir DIR (an empty directory of its own)")
    target = Path(sys.argv[1])
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    make_template(target)
