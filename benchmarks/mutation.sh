#!/bin/sh
# Mutation testing of the rule, row-check, settings, access, matching, meter and audit modules with mutmut
# (pyproject.toml [tool.mutmut]; not part of bin/test), one group of modules at a time, each run against
# the tests aimed at it (benchmarks/mutation_groups.py) in benchmarks/work/mutation/<group>/ (ignored by git).
#
#   benchmarks/mutation.sh                                   every group, most important first
#   benchmarks/mutation.sh access                            one group: access rules validation reallocation meters audit
#   benchmarks/mutation.sh access 'tracker.access.tokens.*'  some of its mutants (names are module.x_function__mutmut_N)
#   benchmarks/mutation.sh --fresh access                    forget the group's earlier results
#
# A group whose mutants exist already resumes: mutmut keeps every result and runs the rest, except the mutants
# listed in benchmarks/mutation_equivalent.txt, which are marked skipped first (benchmarks/mutation_skip.py).
#
# Results: benchmarks/mutation_scores.py [group ...] prints the score per module; in a group's directory
# `mutmut results` lists its survivors and `mutmut show NAME` shows one. Runs at low priority on 2 workers.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
python="$root/.venv/bin/python"
if ! "$python" -c "import mutmut" 2>/dev/null; then
    "$python" -m pip install -r "$root/requirements-dev.txt"
fi
fresh=""
if [ "${1:-}" = "--fresh" ]; then
    fresh=1
    shift
fi
if [ $# -eq 0 ]; then
    status=0
    for group in $("$python" "$root/benchmarks/mutation_groups.py"); do
        "$0" ${fresh:+--fresh} "$group" || status=$?
    done
    exit $status
fi
group="$1"
shift
work="$("$python" "$root/benchmarks/mutation_groups.py" "$group")"
cd "$work"
if [ -n "$fresh" ]; then
    rm -rf mutants
fi
if [ -d mutants ]; then  # a resumed group: its listed equivalent mutants are not run again
    "$python" "$root/benchmarks/mutation_skip.py" "$group"
fi
status=0
nice -n 15 "$python" -m mutmut run --max-children "${MUTATION_WORKERS:-2}" "$@" || status=$?
"$python" "$root/benchmarks/mutation_scores.py" "$group"
exit $status
