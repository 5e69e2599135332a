"""The core runs without Streamlit: only app.py and tracker/ui/ may import it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import grimp

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


def _graph():
    sys.path.insert(0, str(ROOT))  # grimp finds the package on the path
    try:
        return grimp.build_graph("tracker", cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def test_no_module_imports_itself_back():
    """No chain of imports, at module level or inside a function, leads from a tracker module back to itself."""
    graph = _graph()
    cycles = sorted(
        f"{importer} -> {imported} -> ... -> {importer}"
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.startswith("tracker") and graph.chain_exists(importer=imported, imported=importer)
    )
    assert cycles == []


def test_no_two_sibling_packages_import_each_other():
    """Within every package, its modules and subpackages (taken whole) import one way only."""
    graph = _graph()
    packages = sorted(m for m in graph.modules if graph.find_children(m))
    breakers = {p: sorted(graph.nominate_cycle_breakers(p)) for p in packages if len(graph.find_children(p)) > 1}
    assert {p: b for p, b in breakers.items() if b} == {}


def test_the_checks_see_a_cycle():
    """The graph the checks read does record an import made inside a function, as a cycle would be."""
    graph = _graph()
    assert graph.direct_import_exists(importer="tracker.cli.main", imported="tracker.demo.tiers")
    graph.add_import(importer="tracker.text.errors", imported="tracker.cli.main")
    assert graph.chain_exists(importer="tracker.cli.main", imported="tracker.text.errors")
    assert graph.chain_exists(importer="tracker.text.errors", imported="tracker.cli.main")
    assert graph.nominate_cycle_breakers("tracker")
