#!/bin/sh
# Mutation testing of the rule, row-check, settings, access, matching, meter and audit modules with mutmut
# (pyproject.toml [tool.mutmut]; not part of bin/test), one group of modules at a time, each run against
# the tests aimed at it (benchmarks/mutation_groups.py) in benchmarks/work/mutation/<group>/ (ignored by git).
#
#   benchmarks/mutation.sh                                   every group, most important first
#   benchmarks/mutation.sh access                            one group: access rules validation reallocation meters audit
#   benchmarks/mutation.sh access 'tracker.access.tokens.*'  some of its mutants (names are module.x_function__mutmut_N)
#   benchmarks/mutation.sh --fresh access                    forget the group's earlier results
#   benchmarks/mutation.sh --sample 40 access                a random sample of 40 mutants per module among those
#                                                            not judged yet (benchmarks/mutation_sample.py), drawn once
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
sample=""
while [ $# -gt 0 ]; do
    case "$1" in
        --fresh) fresh=1; shift ;;
        --sample) sample="$2"; shift 2 ;;
        *) break ;;
    esac
done
if [ $# -eq 0 ]; then
    status=0
    for group in $("$python" "$root/benchmarks/mutation_groups.py"); do
        "$0" ${fresh:+--fresh} ${sample:+--sample "$sample"} "$group" || status=$?
    done
    exit $status
fi
group="$1"
shift
work="$("$python" "$root/benchmarks/mutation_groups.py" "$group")"
cd "$work"
if [ -n "$fresh" ]; then
    rm -rf mutants sample.json
fi
if [ -n "$sample" ] && [ ! -f sample.json ]; then
    # before a draw, mutmut makes the group's mutants (a function changed since the last run gets new ones, not
    # judged yet) and finds the tests of each function, then stops on a name that matches no mutant (expected)
    nice -n 15 "$python" -m mutmut run --max-children "${MUTATION_WORKERS:-2}" "none.of.these" >/dev/null 2>&1 || true
fi
if [ -d mutants ]; then  # a resumed group: its listed equivalent mutants are not run again
    "$python" "$root/benchmarks/mutation_skip.py" "$group"
fi
if [ -n "$sample" ]; then
    names="$("$python" "$root/benchmarks/mutation_sample.py" "$group" "$sample")"
    if [ -z "$names" ]; then
        echo "$group: every mutant of the sample is judged"
        "$python" "$root/benchmarks/mutation_scores.py" "$group"
        exit 0
    fi
    # shellcheck disable=SC2086  # one argument per mutant name
    set -- "$@" $names
fi
status=0
nice -n 15 "$python" -m mutmut run --max-children "${MUTATION_WORKERS:-2}" "$@" || status=$?
"$python" "$root/benchmarks/mutation_scores.py" "$group"
exit $status
