"""Mutation score per module from mutmut's stored results (after benchmarks/mutation.sh).

    python benchmarks/mutation_scores.py                  every group that has been run
    python benchmarks/mutation_scores.py access rules     those groups

"score" is the share of judged mutants killed (equivalent ones left out); "whole" is the score of the whole
module: the same once every mutant is judged, else estimated from the group's random sample of the mutants
left (benchmarks/mutation_sample.py), marked "~", with its 95 % interval on the line below.

Mutants listed in benchmarks/mutation_equivalent.txt (one name or glob pattern a line, `# reason` after
it) are left out of the score and counted apart: mutants that cannot change behaviour, and mutants of
functions that run only while a module is imported, before mutmut switches a mutant on. Listed mutants that
a resumed run passed over (benchmarks/mutation_skip.py) count there too.
"""

from __future__ import annotations

import fnmatch
import json
import math
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


def module_of(name: str) -> str:
    return name.split(".x_")[0].split(".xǁ")[0]


def _outcome(name: str, status: str, equivalent: set[str]) -> str:
    """killed, survived, equivalent or the status mutmut gave (not checked, …)."""
    if status in ("survived", "no tests", "skipped") and any(fnmatch.fnmatchcase(name, p) for p in equivalent):
        return "equivalent"
    if status in ("killed", "timeout"):  # a timeout is caught
        return "killed"
    if status in ("survived", "no tests"):  # a mutant that no test of the group reaches is not caught
        return "survived"
    return status


def statuses(group: str) -> dict[str, str]:
    """Every mutant of a group with mutmut's status for it."""
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=WORK / group,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if "__mutmut_" in name:
            found[name] = status
    return found


def wilson(successes: int, n: int, population: int | None = None, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson interval of a proportion seen in a sample of n, narrowed by the finite population correction
    when the sample is drawn without replacement from `population` (a sample of all of it is exact)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    if population is not None and n >= population:  # every mutant of the population judged: nothing estimated
        return p, p
    correction = math.sqrt(max(population - n, 0) / (population - 1)) if population and population > 1 else 1.0
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = correction * z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def estimate(outcome: dict[str, str], drawn: dict) -> tuple[str, str] | None:
    """The score of a whole module from its mutants judged outside the draw and its random sample.

    The mutants not judged when the sample was drawn (its population) are represented by the sample alone:
    the sample's share of killed, survived and equivalent mutants is scaled up to the population. Returns the
    estimate and its 95 % interval (Wilson's, on the sample's share killed), as text, or None before any of
    the sample has run."""
    population = set(drawn["population"])
    counts = Counter(outcome.get(name, "not checked") for name in drawn["names"])
    run = counts["killed"] + counts["survived"] + counts["equivalent"]
    if not run:
        return None
    outside = Counter(status for name, status in outcome.items() if name not in population)
    scale = len(population) / run
    judged = counts["killed"] + counts["survived"]
    base_killed, base_judged = outside["killed"], outside["killed"] + outside["survived"]
    unknown = judged * scale  # the population's mutants that are not equivalent, estimated

    def score(killed_share: float) -> float:
        return 100 * (base_killed + unknown * killed_share) / (base_judged + unknown) if base_judged + unknown else 100.0

    share = counts["killed"] / judged if judged else 1.0
    low, high = wilson(counts["killed"], judged, round(unknown))
    return (
        f"{score(share):5.1f}%",
        f"sample {run} of {len(population)} not judged before it ({counts['killed']} killed, {counts['survived']} "
        f"survived, {counts['equivalent']} equivalent); estimate {score(share):.1f}%, 95% interval "
        f"{score(low):.1f}–{score(high):.1f}%",
    )


def main(groups: list[str]) -> int:
    groups = groups or sorted(p.name for p in WORK.glob("*") if (p / "mutants").is_dir())
    equivalent = equivalent_names()
    outcome: dict[str, str] = {}
    samples: dict[str, dict] = {}
    for group in groups:
        if not (WORK / group / "mutants").is_dir():
            continue
        outcome.update({name: _outcome(name, status, equivalent) for name, status in statuses(group).items()})
        sample = WORK / group / "sample.json"
        if sample.exists():
            samples.update(json.loads(sample.read_text(encoding="utf-8"))["modules"])
    by_module: dict[str, Counter] = defaultdict(Counter)
    for name, status in outcome.items():
        by_module[module_of(name)][status] += 1
    print(f"{'module':40} {'mutants':>7} {'killed':>7} {'survived':>8} {'equiv.':>6} {'other':>5} {'score':>6} {'whole':>6}")
    for module, counts in sorted(by_module.items()):
        total = sum(counts.values())
        killed, survived, equiv = counts["killed"], counts["survived"], counts["equivalent"]
        other = total - killed - survived - equiv
        judged = killed + survived
        score = f"{100 * killed / judged:5.1f}%" if judged else "  —"
        whole = score if not other else "  —"
        sampled = None
        if module in samples:
            sampled = estimate({n: s for n, s in outcome.items() if module_of(n) == module}, samples[module])
            if sampled is not None and other:
                whole = "~" + sampled[0].strip()
        print(f"{module:40} {total:7} {killed:7} {survived:8} {equiv:6} {other:5} {score:>6} {whole:>6}")
        if other:
            rest = (k for k in sorted(counts) if k not in ("killed", "survived", "equivalent"))
            print("    " + ", ".join(f"{k} {counts[k]}" for k in rest))
        if sampled is not None:
            print("    " + sampled[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
