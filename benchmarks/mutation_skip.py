"""Mark the mutants listed in benchmarks/mutation_equivalent.txt that a group has not run yet as skipped.

An equivalent mutant cannot be killed, so running it only costs the time of every test that reaches its
function (a minute or more for a rule). benchmarks/mutation.sh calls this before resuming a group whose
mutants already exist; mutmut then passes over them (status "skipped"), and benchmarks/mutation_scores.py
counts them as equivalent. A listed mutant that already has a result keeps it. To review the list against
the code as it is, `python benchmarks/mutation_skip.py --show GROUP` prints each listed mutant's change.

    python benchmarks/mutation_skip.py GROUP           mark them (prints how many)
    python benchmarks/mutation_skip.py --show GROUP    each listed mutant of the group, with its changed lines
"""

from __future__ import annotations

import ast
import difflib
import fnmatch
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutation_scores import WORK, equivalent_reasons  # noqa: E402

SKIPPED = 34  # mutmut's exit code for a mutant it did not run


def _listed(name: str, patterns: dict[str, str]) -> str | None:
    return next((reason for pattern, reason in patterns.items() if fnmatch.fnmatchcase(name, pattern)), None)


def mark(group: str) -> int:
    patterns = equivalent_reasons()
    marked = 0
    for meta in (WORK / group / "mutants").rglob("*.py.meta"):
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes = data["exit_code_by_key"]
        names = [n for n, code in codes.items() if code is None and _listed(n, patterns) is not None]
        for name in names:
            codes[name] = SKIPPED
        if names:
            meta.write_text(json.dumps(data, indent=4), encoding="utf-8")
            marked += len(names)
    return marked


def show(group: str) -> None:
    """Each listed mutant of the group's mutated copy, its reason and the lines it changes."""
    patterns = equivalent_reasons()
    root = WORK / group / "mutants"
    for path in sorted(root.joinpath("tracker").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "__mutmut_" not in text:
            continue
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        lines = text.splitlines()
        functions = {}
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "__mutmut_" in node.name:
                functions[node.name] = lines[node.lineno : node.end_lineno]  # the body, without the def line
        for name, body in functions.items():
            if name.endswith("__mutmut_orig"):
                continue
            reason = _listed(f"{module}.{name}", patterns)
            if reason is None:
                continue
            original = functions.get(name.rsplit("__mutmut_", 1)[0] + "__mutmut_orig", [])
            changed = [
                line.strip()
                for line in difflib.unified_diff(original, body, lineterm="", n=0)
                if line[:1] in "+-" and not line.startswith(("+++", "---"))
            ]
            print(f"{module}.{name}  # {reason}")
            for line in changed:
                print(f"    {line[:160]}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--show"]:
        show(argv[1])
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"{mark(argv[0])} listed equivalent mutants marked as skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
