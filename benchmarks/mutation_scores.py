"""Mutation score per module from mutmut's stored results (run from the checkout, after benchmarks/mutation.sh).

Mutants listed in benchmarks/mutation_equivalent.txt (one name or glob pattern a line, `# reason` after
it) are left out of the score and counted apart: mutants that cannot change behaviour, and mutants of
functions that run only while a module is imported, before mutmut switches a mutant on.
"""

from __future__ import annotations

import fnmatch
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.txt"


def equivalent_names() -> set[str]:
    if not EQUIVALENT.exists():
        return set()
    names = (line.split("#", 1)[0].strip() for line in EQUIVALENT.read_text(encoding="utf-8").splitlines())
    return {name for name in names if name}


def main() -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run([str(mutmut), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    equivalent = equivalent_names()
    by_module: dict[str, Counter] = defaultdict(Counter)
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if "__mutmut_" not in name:
            continue
        module = name.split(".x_")[0].split(".xǁ")[0]
        excluded = status == "survived" and any(fnmatch.fnmatchcase(name, pattern) for pattern in equivalent)
        by_module[module]["equivalent" if excluded else status] += 1
    print(f"{'module':40} {'mutants':>7} {'killed':>7} {'survived':>8} {'equiv.':>6} {'other':>5} {'score':>6}")
    for module, counts in sorted(by_module.items()):
        total = sum(counts.values())
        killed, survived, equiv = (
            counts["killed"] + counts["timeout"],
            counts["survived"],
            counts["equivalent"],
        )  # a timeout is caught
        other = total - killed - survived - equiv
        judged = killed + survived
        score = f"{100 * killed / judged:5.1f}%" if judged else "  —"
        print(f"{module:40} {total:7} {killed:7} {survived:8} {equiv:6} {other:5} {score:>6}")
        if other:
            print(
                "    "
                + ", ".join(
                    f"{k} {v}" for k, v in sorted(counts.items()) if k not in ("killed", "timeout", "survived", "equivalent")
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
