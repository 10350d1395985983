"""Compile every .po file under tropa/ to .mo with polib (no GNU gettext needed to run)."""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "tropa"

for po_path in sorted(ROOT.glob("**/locale/*/LC_MESSAGES/*.po")):
    polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"compiled {po_path.relative_to(ROOT.parent)}")
