"""The module groups of the mutation run, each with the tests aimed at it (used by benchmarks/mutation.sh).

A group runs in a directory of its own, benchmarks/work/mutation/<group>/ (ignored by git), whose
pyproject.toml is the checkout's with [tool.mutmut] narrowed to the group: its modules in
`only_mutate` and its test files in `pytest_add_cli_args_test_selection`. So the first pass (which
test reaches which function) runs only those tests, and changing one group's tests never resets
another group's results (mutmut starts over when the test selection changes).

    python benchmarks/mutation_groups.py                  the group names
    python benchmarks/mutation_groups.py access           prepares the group's directory and prints it
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "work" / "mutation"

# group -> (modules mutated, test files run), most important first
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "access": (
        [f"tracker/access/{m}.py" for m in ("auth", "roles", "sessions", "tokens", "transfers")],
        ["tests/access"],
    ),
    "rules": (
        ["tracker/engine/rules/expressions.py", "tracker/engine/rules/standards.py"],
        ["tests/engine/test_rules.py", "tests/engine/test_standards.py"],
    ),
    "validation": (
        ["tracker/ingest/validate.py", "tracker/store/config.py", "tracker/engine/parameters.py"],
        ["tests/ingest/test_ingest_bad_input.py", "tests/engine/test_settings_boundaries.py", "tests/store/test_settings.py"],
    ),
    "reallocation": (
        ["tracker/engine/rules/reallocation.py", "tracker/engine/rules/idle_spells.py", "tracker/reallocation/matching.py"],
        [
            "tests/reallocation/test_reallocation.py",
            "tests/reallocation/test_idle_pool_reference.py",
            "tests/engine/test_usage_rollups.py",
        ],
    ),
    "meters": (["tracker/engine/meters.py"], ["tests/engine/test_meters.py"]),
    "audit": (["tracker/store/audit.py"], ["tests/store/test_audit.py", "tests/access/test_access_boundaries.py"]),
}


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def prepare(group: str) -> Path:
    modules, tests = GROUPS[group]
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for key, values in (("only_mutate", modules), ("pytest_add_cli_args_test_selection", tests)):
        text, n = re.subn(rf"(?ms)^{key} = \[.*?^\]$|^{key} = \[.*?\]$", f"{key} = {_toml_list(values)}", text, count=1)
        if n != 1:
            raise SystemExit(f"pyproject.toml: no {key} in [tool.mutmut]")
    work = WORK / group
    work.mkdir(parents=True, exist_ok=True)
    (work / "pyproject.toml").write_text(text, encoding="utf-8")
    # mutmut copies these into <work>/mutants/ (app.py: the page tests run it; pyproject.toml [tool.mutmut] also_copy)
    for name in ("tracker", "tests", "app.py"):
        link = work / name
        if not link.is_symlink():
            link.symlink_to(ROOT / name, target_is_directory=(ROOT / name).is_dir())
    return work


def main(argv: list[str]) -> int:
    if not argv:
        print(" ".join(GROUPS))
        return 0
    if argv[0] not in GROUPS:
        print(f"unknown group {argv[0]!r}; groups: {', '.join(GROUPS)}", file=sys.stderr)
        return 2
    print(prepare(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
