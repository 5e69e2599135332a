"""The README and the design notes in docs/ document every input column, setting, rule and parameter the code declares.

The tables of docs/rules.md and docs/contracts.md between `<!-- generated: NAME -->` and `<!-- end: NAME -->` are
rendered from the code; `.venv/bin/python tests/test_docs.py` rewrites them after a change to the catalogue or
the contracts.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from tracker.engine.rules.catalogue import RULES  # noqa: E402
from tracker.ingest.contracts import CONTRACTS  # noqa: E402
from tracker.store.config import SETTINGS  # noqa: E402

DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
FORMER_MODULES = (  # every module of the flat package before it was split into layers
    "admin audit auth bootstrap browse calendar categories cli config contracts dashboard db demo demo_catalogue "
    "demo_files demo_plant demo_world errors evidence export formatting i18n ingest lake metrics ocds profiles "
    "progress readers reports review rules settings templates upload_report uploads validate writes"
).split()


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def rules_tables() -> str:
    lines = [
        "| rule | severity | subject | title (English · 中文) | parameters (default) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in RULES:
        params = ", ".join(f"`{p.name}` = {p.default:g} {p.unit}" for p in r.parameters) or "none"
        lines.append(f"| `{r.code}` | {r.severity} | {r.subject} | {_cell(r.title_en)} · {_cell(r.title_zh)} | {params} |")
    lines += ["", "| setting | default | unit | meaning |", "| --- | ---: | --- | --- |"]
    for r in RULES:
        for p in r.parameters:
            lines.append(f"| `rule.{r.code}.{p.name}` | {p.default:g} | {p.unit} | {_cell(p.description_en)} |")
    return "\n".join(lines)


def contracts_tables() -> str:
    blocks = []
    for c in CONTRACTS:
        lines = [
            f"#### {c.kind}, {c.shape} (natural key: {', '.join(c.key)})",
            "",
            "| field | type | required | also accepted as | what it holds |",
            "| --- | --- | --- | --- | --- |",
        ]
        for f in c.fields:
            aliases = ", ".join(_cell(a) for a in f.aliases) or "—"
            lines.append(
                f"| `{f.name}` | {f.type} | {'yes' if f.required else ''} | {aliases} | "
                f"{_cell(f.description)} · {_cell(f.description_zh)} |"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


GENERATED = {"rules.md": ("rules", rules_tables), "contracts.md": ("contracts", contracts_tables)}


def _block(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- generated: {name} -->\n)(.*?)(\n<!-- end: {name} -->)", re.S)


def rewrite() -> None:
    for file, (name, render) in GENERATED.items():
        body = render()
        new, count = _block(name).subn(lambda m, body=body: m.group(1) + body + m.group(3), _doc(file))
        assert count == 1, f"docs/{file} has no generated block {name}"
        (DOCS / file).write_text(new, encoding="utf-8")


# -- README ----------------------------------------------------------------------------------------


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


def test_readme_points_to_every_design_note():
    layout = README[README.index("## Layout") :]
    for note in ("architecture.md", "data-path.md", "rules.md", "contracts.md"):
        assert f"docs/{note}" in layout and (DOCS / note).is_file()


# -- docs/rules.md and docs/contracts.md -----------------------------------------------------------


@pytest.mark.parametrize("file", sorted(GENERATED))
def test_generated_tables_match_the_code(file):
    name, render = GENERATED[file]
    found = _block(name).search(_doc(file))
    assert found, f"docs/{file} has no generated block {name}"
    assert found.group(2) == render(), f"docs/{file} is out of date: run .venv/bin/python tests/test_docs.py"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rules_doc_explains_every_rule_and_parameter(rule):
    text = _doc("rules.md")
    section = re.search(rf"^### `{rule.code}`\n(.*?)(?=^### |\Z)", text, re.S | re.M)
    assert section, f"docs/rules.md has no section for {rule.code}"
    prose = section.group(1)
    assert "Value at stake" in prose and "Fires when" in prose
    for p in rule.parameters:
        assert f"`{p.name}`" in prose


@pytest.mark.parametrize(
    "kind, shape, field", [(c.kind, c.shape, f.name) for c in CONTRACTS for f in c.fields], ids=lambda v: str(v)
)
def test_contracts_doc_lists_every_field(kind, shape, field):
    text = _doc("contracts.md")
    section = text[text.index(f"#### {kind}, {shape} ") :]
    section = section[: section.find("\n#### ", 1) if "\n#### " in section[1:] else len(section)]
    assert f"| `{field}` |" in section


def test_contracts_doc_gives_the_formats():
    text = _doc("contracts.md")
    for needle in ("YYYY-MM-DD", "YYYY年MM月DD日", "--date-order", "thousands", "¥"):
        assert needle in text


# -- docs/architecture.md --------------------------------------------------------------------------


@pytest.mark.parametrize("module", FORMER_MODULES)
def test_architecture_maps_every_former_module_to_its_home(module):
    rows = [line for line in _doc("architecture.md").splitlines() if line.startswith(f"| `tracker/{module}.py` |")]
    assert len(rows) == 1, f"no row for tracker/{module}.py"
    homes = re.findall(r"`(tracker/[\w/]+\.py)`", rows[0].split("|")[2])
    assert homes and all((ROOT / home).is_file() for home in homes), rows[0]


def test_architecture_names_every_package_and_contract():
    text = _doc("architecture.md")
    packages = sorted(p.name for p in (ROOT / "tracker").iterdir() if (p / "__init__.py").is_file())
    for package in packages:
        assert f"`tracker/{package}/`" in text
    contracts = re.findall(r"^name = (.+)$", (ROOT / ".importlinter").read_text(encoding="utf-8"), re.M)
    assert contracts and all(c.strip() in text for c in contracts)


def test_no_design_section_is_cited():
    """Comments cite the notes in docs/, not a document outside the repository."""
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("tracker", "tests", "benchmarks")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".sql") and "DESIGN" + " §" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


if __name__ == "__main__":
    rewrite()
