"""The README documents every input column and every setting the code declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.engine.rules.catalogue import RULES
from tracker.ingest.contracts import CONTRACTS
from tracker.store.config import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted({f.name for c in CONTRACTS for f in c.fields}))
def test_readme_mentions_every_canonical_column(name):
    assert f"`{name}`" in README


@pytest.mark.parametrize("name", [s.name for s in SETTINGS])
def test_readme_mentions_every_setting(name):
    assert f"`{name}`" in README


@pytest.mark.parametrize("name", [f"rule.{r.code}.{p.name}" for r in RULES for p in r.parameters])
def test_readme_mentions_every_rule_parameter(name):
    assert f"`{name}`" in README


def test_readme_has_the_two_setup_commands():
    assert "bin/dashboard" in README and "bin/test" in README
