#!/bin/sh
# Mutation testing of the rule, row-check, settings, access and audit modules with mutmut
# (configured in pyproject.toml [tool.mutmut]; not part of bin/test). Writes mutants/ (ignored by git).
#
#   benchmarks/mutation.sh                                   every module in [tool.mutmut] only_mutate
#   benchmarks/mutation.sh 'tracker.ingest.validate.*'       one module (mutant names are module.function__mutmut_N)
#   benchmarks/mutation.sh --fresh ...                       forget earlier results (after changing tests)
#
# Results: `.venv/bin/mutmut results` lists the survivors, `.venv/bin/mutmut show NAME` shows one;
# benchmarks/mutation_scores.py prints the score per module. Runs at low priority on 2 workers.
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--fresh" ]; then
    shift
    rm -rf mutants
fi
if ! .venv/bin/python -c "import mutmut" 2>/dev/null; then
    .venv/bin/python -m pip install -r requirements-dev.txt
fi
status=0
nice -n 15 .venv/bin/mutmut run --max-children "${MUTATION_WORKERS:-2}" "$@" || status=$?
.venv/bin/python benchmarks/mutation_scores.py
exit $status
