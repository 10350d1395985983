#!/usr/bin/env bash
# Extract translatable strings and compile every catalog.
# The project catalog (tropa/locale) holds the foundation's strings; an app with a locale/
# directory of its own keeps its strings there.
set -euo pipefail
cd "$(dirname "$0")/../tropa"
admin=../.venv/bin/django-admin
common=(-l ru -l de -l en -l uk -l fr --no-location --no-obsolete --settings=tropa.test_settings)
own=()
for dir in */locale; do own+=("--ignore=${dir%/locale}"); done
"$admin" makemessages "${common[@]}" --pythonpath=.. --ignore=lib --ignore=tests \
  --ignore=test_settings.py "${own[@]}"
for dir in */locale; do
  (cd "${dir%/locale}" && "../$admin" makemessages "${common[@]}" --pythonpath=../.. --ignore=tests)
done
cd .. && .venv/bin/python scripts/compile_messages.py
