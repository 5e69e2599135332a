"""Draw a random sample of a group's mutants not judged yet, so that a score for the whole module can be estimated.

A complete run of the slowest mutants takes hours on 2 cores: mutmut runs the mutants it expects to be fast
first, so those left are the ones whose tests take longest. A uniform random sample of them, judged like any
other mutant, gives an estimate of the score over the whole module with a known margin (random mutant
sampling, a long-established way to cut the cost of mutation testing).

The draw is made once per group and kept in benchmarks/work/mutation/<group>/sample.json (per module, the
mutants not judged at the time, the names drawn; the seed), so a stopped run resumes with the same
sample and benchmarks/mutation_scores.py can scale it up. Mutants listed as equivalent are never drawn.

    python benchmarks/mutation_sample.py GROUP N [--seed S]   draw N (once) and print the names still to run
    python benchmarks/mutation_sample.py --forget GROUP       drop the group's sample (the results stay)
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import random
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutation_scores import WORK, equivalent_names, module_of  # noqa: E402


def exit_codes(group: str) -> dict[str, int | None]:
    """Every mutant of the group with mutmut's stored exit code (None: not run yet)."""
    codes: dict[str, int | None] = {}
    for meta in sorted((WORK / group / "mutants").rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return codes


def sample_path(group: str) -> Path:
    return WORK / group / "sample.json"


def load_sample(group: str) -> dict | None:
    path = sample_path(group)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def draw(group: str, size: int, seed: int) -> dict:
    """Up to `size` mutants of each module of the group, drawn uniformly among those not judged and not listed."""
    equivalent = equivalent_names()
    population: dict[str, list[str]] = defaultdict(list)
    for name, code in sorted(exit_codes(group).items()):
        if code is None and not any(fnmatch.fnmatchcase(name, p) for p in equivalent):
            population[module_of(name)].append(name)
    rng = random.Random(seed)
    return {
        "seed": seed,
        "drawn_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "modules": {
            module: {"population": names, "names": sorted(rng.sample(names, min(size, len(names))))}
            for module, names in sorted(population.items())
        },
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forget", action="store_true", help="drop the group's sample")
    parser.add_argument("group")
    parser.add_argument("size", nargs="?", type=int, help="mutants drawn per module")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)
    if args.forget:
        sample_path(args.group).unlink(missing_ok=True)
        return 0
    if args.size is None or args.size < 1:
        parser.error("give the number of mutants to draw per module (at least 1)")
    sample = load_sample(args.group)
    if sample is None:
        sample = draw(args.group, args.size, args.seed)
        sample_path(args.group).write_text(json.dumps(sample, indent=2), encoding="utf-8")
    codes = exit_codes(args.group)
    for entry in sample["modules"].values():
        for name in entry["names"]:
            if codes.get(name) is None:
                print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
