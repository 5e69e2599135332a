"""The core runs without Streamlit: only app.py and tracker/ui/ may import it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import tracker

ROOT = Path(__file__).resolve().parents[1]


def test_core_modules_import_without_streamlit():
    modules = [
        m.name
        for m in pkgutil.walk_packages(tracker.__path__, "tracker.")
        if not m.name.startswith(("tracker.ui", "tracker.__main__"))
    ]
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_streamlit_is_imported_only_by_the_ui():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tracker").rglob("*.py")
        if "ui" not in path.relative_to(ROOT / "tracker").parts[:1]
        and any(line.lstrip().startswith(("import streamlit", "from streamlit")) for line in path.read_text().splitlines())
    ]
    assert offenders == []
