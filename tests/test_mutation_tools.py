"""The mutation run's bookkeeping (benchmarks/mutation_scores.py, mutation_sample.py): how a sample of the mutants
left is scaled up to a module's score, and how the sample is drawn."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import mutation_sample  # noqa: E402
import mutation_scores  # noqa: E402
from mutation_scores import estimate, wilson  # noqa: E402


def test_a_sample_of_the_whole_population_is_exact():
    assert wilson(27, 27, 27) == (1.0, 1.0)
    assert wilson(20, 25, 25) == (0.8, 0.8)


def test_a_smaller_sample_has_an_interval_around_its_share_narrowed_by_the_population():
    low, high = wilson(46, 50)
    assert low < 46 / 50 < high
    low_finite, high_finite = wilson(46, 50, 100)
    assert low < low_finite < 46 / 50 < high_finite < high  # drawn without replacement from 100: narrower
    assert wilson(0, 0) == (0.0, 1.0)  # nothing judged: nothing known


def _outcomes(module: str, statuses: dict[str, int]) -> dict[str, str]:
    out, n = {}, 0
    for status, count in statuses.items():
        for _ in range(count):
            out[f"{module}.x_f__mutmut_{n}"] = status
            n += 1
    return out


def test_the_estimate_scales_the_sample_to_the_mutants_it_stands_for():
    """90 judged before the draw (all killed); 100 left, of which a sample of 10: 9 killed, 1 survived. The 100 are
    estimated 90 killed, 10 survived: (90 + 90) / (90 + 100) = 94.7 %."""
    judged = _outcomes("m", {"killed": 90})
    left = {f"m.x_g__mutmut_{i}": "not checked" for i in range(100)}
    sample = [f"m.x_g__mutmut_{i}" for i in range(10)]
    for i, name in enumerate(sample):
        left[name] = "survived" if i == 0 else "killed"
    shown, line = estimate({**judged, **left}, {"population": sorted(left), "names": sample})
    assert shown.strip() == "94.7%"
    assert "sample 10 of 100" in line and "9 killed, 1 survived, 0 equivalent" in line
    low, high = (float(x.rstrip("%")) for x in line.rsplit("interval ", 1)[1].split("–"))
    assert low < 94.7 < high and high <= 100


def test_equivalent_mutants_of_the_sample_shrink_the_population_judged():
    """Half the sample is equivalent: half the population is taken as equivalent, and the rest all killed."""
    left = {f"m.x_g__mutmut_{i}": "not checked" for i in range(20)}
    sample = [f"m.x_g__mutmut_{i}" for i in range(4)]
    left.update({sample[0]: "killed", sample[1]: "killed", sample[2]: "equivalent", sample[3]: "equivalent"})
    shown, line = estimate(
        {**_outcomes("m", {"killed": 10, "survived": 0}), **left}, {"population": sorted(left), "names": sample}
    )
    assert shown.strip() == "100.0%" and "2 equivalent" in line


def test_nothing_is_estimated_before_the_sample_has_run():
    left = {f"m.x_g__mutmut_{i}": "not checked" for i in range(5)}
    assert estimate(left, {"population": sorted(left), "names": sorted(left)[:2]}) is None


def test_the_sample_is_drawn_once_per_module_from_mutants_not_judged_and_not_listed(tmp_path, monkeypatch):
    group = tmp_path / "g" / "mutants" / "tracker"
    group.mkdir(parents=True)
    codes = {f"tracker.a.x_f__mutmut_{i}": (1 if i < 5 else None) for i in range(40)}
    codes.update({f"tracker.b.x_h__mutmut_{i}": None for i in range(3)})
    (group / "a.py.meta").write_text(json.dumps({"exit_code_by_key": codes}), encoding="utf-8")
    monkeypatch.setattr(mutation_sample, "WORK", tmp_path)
    monkeypatch.setattr(mutation_sample, "equivalent_names", lambda: {"tracker.a.x_f__mutmut_39"})
    drawn = mutation_sample.draw("g", 10, seed=1)
    a, b = drawn["modules"]["tracker.a"], drawn["modules"]["tracker.b"]
    assert len(a["population"]) == 34 and len(a["names"]) == 10  # 40 less 5 judged less 1 listed
    assert set(a["names"]) <= set(a["population"]) and "tracker.a.x_f__mutmut_39" not in a["population"]
    assert len(b["names"]) == 3  # a module with fewer left than the sample size: all of them
    assert mutation_sample.draw("g", 10, seed=1)["modules"]["tracker.a"]["names"] == a["names"]  # same seed, same draw


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("tracker.access.auth.x_create_user__mutmut_3", "tracker.access.auth"),
        ("tracker.ingest.validate.xǁTypedQueryǁsrc__mutmut_1", "tracker.ingest.validate"),
    ],
)
def test_a_mutant_belongs_to_the_module_of_its_function(name, module):
    assert mutation_scores.module_of(name) == module
