"""The flag catalogue: each rule is metadata (data) plus one Ibis expression.

- `model`: what a rule, a parameter and a flag are (columns, severities, subjects);
- `expressions`: the Ibis expression of each rule, reading the shared per-asset tables;
- `catalogue`: the rules as data (titles, rationale, parameters, evidence templates) and parameter resolution;
- `sentences`: evidence sentences in English and Chinese from a rule row's numbers;
- `run`: running the catalogue on any Ibis backend, stable flag ids, ranking.

See docs/rules.md for the catalogue in prose.
"""
