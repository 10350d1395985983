"""Settings for the test suite: a private data dir and a cheaper (still Argon2id) hasher."""

import atexit
import os
import shutil
import tempfile

# A private temp dir for the whole run, inherited by every tool and server a test starts:
# tests that scan "the temp dir" for plaintext must not see other processes' files.
os.environ["TMPDIR"] = tempfile.tempdir = tempfile.mkdtemp(prefix="tropa-tmp-")
atexit.register(shutil.rmtree, tempfile.tempdir, ignore_errors=True)

# Always a fresh one: `make test` exports TROPA_DATA_DIR=var for `make run`, and the tests
# must never write into the data dir of the instance a developer actually uses.
os.environ["TROPA_DATA_DIR"] = tempfile.mkdtemp(prefix="tropa-test-")

from tropa.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["tropa.accounts.hashers.TestArgon2PasswordHasher"]
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "notify"],
    }
}
STORAGES = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
LANGUAGE_CODE = "en"  # tests read English; tropa/core/tests/test_translations.py covers ru/de
# No intake codenames minted ahead in the test process (each start hashes its own); the tests
# of tropa/intake/services/ahead.py turn it on where they need it.
TROPA_INTAKE_CODENAMES_AHEAD = 0
