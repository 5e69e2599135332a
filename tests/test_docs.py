"""The README documents every input column, setting, rule parameter and environment variable the code declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.engine.rules.catalogue import RULES
from tracker.ingest.contracts import CONTRACTS
from tracker.store.config import ENVIRONMENT, SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted({f.name for c in CONTRACTS for f in c.fields}))
def test_readme_mentions_every_canonical_column(name):
    assert f"`{name}`" in README


SETTINGS_SECTION = README[README.index("\n## Settings\n") : README.index("\n## Demo data\n")]


def _table_row(name: str) -> list[str]:
    """The cells of the row of `name` in the README's settings tables."""
    line = next((line for line in SETTINGS_SECTION.splitlines() if line.startswith(f"| `{name}` |")), None)
    assert line is not None, f"no README table row for {name}"
    return [cell.strip() for cell in line.strip("|").split("|")]


def _bounds(low, high) -> str:
    text = [f"{v:,}" if isinstance(v, int) and v < 10**15 else "10¹⁵" if v == 10**15 else f"{v:g}" for v in (low, high)]
    return "–".join(text)


@pytest.mark.parametrize("spec", SETTINGS, ids=lambda s: s.name)
def test_readme_lists_every_setting_with_its_default_and_bounds(spec):
    cells = _table_row(spec.name)
    assert cells[1] == spec.default_text
    if spec.minimum is not None:
        assert cells[2] == _bounds(spec.minimum, spec.maximum)


@pytest.mark.parametrize(
    "rule, parameter", [(r, p) for r in RULES for p in r.parameters], ids=lambda x: getattr(x, "name", None) or x.code
)
def test_readme_lists_every_rule_parameter_with_its_default_and_bounds(rule, parameter):
    cells = _table_row(f"rule.{rule.code}.{parameter.name}")
    assert cells[1] == f"{parameter.default:g}"
    assert cells[2] == _bounds(parameter.minimum, parameter.maximum)
    assert cells[3] == parameter.unit


@pytest.mark.parametrize("variable", ENVIRONMENT, ids=lambda v: v.name)
def test_readme_lists_every_environment_variable(variable):
    cells = _table_row(variable.name)
    assert cells[1] == variable.default and cells[2] == variable.meaning


def test_readme_has_the_two_setup_commands():
    assert "bin/dashboard" in README and "bin/test" in README
