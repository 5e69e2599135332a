"""Mutation score per module from mutmut's stored results (after benchmarks/mutation.sh).

    python benchmarks/mutation_scores.py                  every group that has been run
    python benchmarks/mutation_scores.py access rules     those groups

Mutants listed in benchmarks/mutation_equivalent.txt (one name or glob pattern a line, `# reason` after
it) are left out of the score and counted apart: mutants that cannot change behaviour, and mutants of
functions that run only while a module is imported, before mutmut switches a mutant on. Listed mutants that
a resumed run passed over (benchmarks/mutation_skip.py) count there too.
"""

from __future__ import annotations

import fnmatch
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.txt"
WORK = ROOT / "benchmarks" / "work" / "mutation"  # one directory per group (benchmarks/mutation_groups.py)


def equivalent_reasons() -> dict[str, str]:
    """Each listed name or pattern with its reason (the comment on its line, else the comment block above it)."""
    if not EQUIVALENT.exists():
        return {}
    listed: dict[str, str] = {}
    block: list[str] = []
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        name, _, comment = line.partition("#")
        name, comment = name.strip(), comment.strip()
        if not name:
            block = (block + [comment]) if comment and line.lstrip().startswith("#") else []
            continue
        listed[name] = comment or " ".join(block)
    return listed


def equivalent_names() -> set[str]:
    return set(equivalent_reasons())


def main(groups: list[str]) -> int:
    groups = groups or sorted(p.name for p in WORK.glob("*") if (p / "mutants").is_dir())
    out = "".join(
        subprocess.run(
            [sys.executable, "-m", "mutmut", "results", "--all", "true"],
            cwd=WORK / group,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for group in groups
        if (WORK / group / "mutants").is_dir()
    )
    equivalent = equivalent_names()
    by_module: dict[str, Counter] = defaultdict(Counter)
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if "__mutmut_" not in name:
            continue
        module = name.split(".x_")[0].split(".xǁ")[0]
        excluded = status in ("survived", "no tests", "skipped") and any(
            fnmatch.fnmatchcase(name, pattern) for pattern in equivalent
        )
        by_module[module]["equivalent" if excluded else status] += 1
    print(f"{'module':40} {'mutants':>7} {'killed':>7} {'survived':>8} {'equiv.':>6} {'other':>5} {'score':>6}")
    for module, counts in sorted(by_module.items()):
        total = sum(counts.values())
        # a timeout is caught; a mutant that no test of the group reaches ("no tests") is not
        killed = counts["killed"] + counts["timeout"]
        survived = counts["survived"] + counts["no tests"]
        equiv = counts["equivalent"]
        other = total - killed - survived - equiv
        judged = killed + survived
        score = f"{100 * killed / judged:5.1f}%" if judged else "  —"
        print(f"{module:40} {total:7} {killed:7} {survived:8} {equiv:6} {other:5} {score:>6}")
        if other:
            print(
                "    "
                + ", ".join(
                    f"{k} {v}"
                    for k, v in sorted(counts.items())
                    if k not in ("killed", "timeout", "survived", "no tests", "equivalent")
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
