#!/usr/bin/env bash
# Mutation testing (mutmut 3) for one package, in a scratch copy of the repository so that
# the per-package configuration never touches pyproject.toml. docs/quality.md records runs.
#
#   scripts/mutation.sh expr     # or patents, events, plans
#   MUTMUT_SAMPLE=200 scripts/mutation.sh patents   # a deterministic sample of mutants
#   MUTMUT_NAMES=file scripts/mutation.sh plans     # only the mutants named in the file
#   MUTMUT_EXAMPLES=10 (default): the most examples a Hypothesis test runs per mutant
#   (tests/conftest.py: derandomized, no deadline, no example database)
#
# The tests each package is scored against are the fast ones that exercise it (listed
# below); mutmut runs only the tests that reach a mutated function.
set -euo pipefail
package=${1:?usage: scripts/mutation.sh expr|patents|events|plans}
children=${MUTMUT_CHILDREN:-2}
export IPSCORE_MUTATION_EXAMPLES=${MUTMUT_EXAMPLES:-10}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${MUTMUT_WORK:-/tmp/ipscore-mutation-$package}
case $package in
  expr) tests='"tests/test_expr.py", "tests/test_properties.py", "tests/test_typecheck.py", "tests/test_expr_roundtrip.py", "tests/test_differential_rules.py", "tests/test_backends.py", "tests/test_mutants_expr.py"' ;;
  patents) tests='"tests/test_high_value_rule.py", "tests/test_ipc.py", "tests/test_sei.py", "tests/test_validation.py", "tests/test_registers.py", "tests/test_population.py", "tests/test_differential_rules.py", "tests/test_typecheck.py", "tests/test_mutants_patents.py"' ;;
  events) tests='"tests/test_events.py", "tests/test_watch_stateful.py", "tests/hostile/test_events_input.py"' ;;
  plans) tests='"tests/test_plans.py", "tests/test_plan_properties.py", "tests/test_mutants_plans.py"' ;;
  *) echo "unknown package $package" >&2; exit 2 ;;
esac
# Test files not (yet) in this checkout are left out.
tests=$(for t in $(echo "$tests" | tr -d '",'); do if [[ -e $repo/$t ]]; then printf '"%s", ' "$t"; fi; done)
rm -rf "$work" && mkdir -p "$work"
cp -r "$repo"/ipscore "$repo"/tests "$repo"/rules "$repo"/scenarios "$repo"/pyproject.toml "$work"/
cat >> "$work/pyproject.toml" <<CONF

[tool.mutmut]
source_paths = ["ipscore/$package/"]
also_copy = ["rules/", "scenarios/", "ipscore/"]
pytest_add_cli_args_test_selection = [$tests]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]
# Workers forked from a process that has run the tests inherit Polars' thread pool (started
# at import) and hang: most mutants then "time out". A fork server that imports nothing
# gives each worker a clean interpreter, at ~4 s of imports per mutant.
process_isolation = "forkserver"
forkserver_warmup = "none"
# mutmut's wall-clock limit is (test time + timeout_constant) x 15: with the default 1 s a
# loaded shared machine turned surviving mutants into "timeouts".
timeout_constant = 10.0
CONF
cd "$work"
unset PYTHONPATH  # mutmut puts mutants/ first on sys.path itself
names=()
if [[ -n ${MUTMUT_SAMPLE:-} || -n ${MUTMUT_NAMES:-} ]]; then
  mutmut run --max-children "$children" does-not-exist >/dev/null 2>&1 || true
fi
if [[ -n ${MUTMUT_NAMES:-} ]]; then
  # Only the mutants named in this file, e.g. the survivors of a sample, run again after
  # tests were added (a killed mutant stays killed when tests are only added).
  mapfile -t names < <(grep -v '^ *$' "$MUTMUT_NAMES")
elif [[ -n ${MUTMUT_SAMPLE:-} ]]; then
  # Deterministic sample: every k-th mutant name in sorted order.
  mapfile -t all < <(mutmut results --all true 2>/dev/null | sed -n 's/^ *\([^ :]*\):.*/\1/p' | sort)
  step=$(( (${#all[@]} + MUTMUT_SAMPLE - 1) / MUTMUT_SAMPLE ))
  for ((i = 0; i < ${#all[@]}; i += step)); do names+=("${all[i]}"); done
fi
time mutmut run --max-children "$children" "${names[@]}"
mutmut results --all true > "$work/results.txt" || true
# Only the mutants that ran (a sample leaves the others "not checked").
checked=$(grep -v ': not checked' "$work/results.txt" | grep -c ': ' || true)
echo "killed: $(grep -c ': killed' "$work/results.txt" || true) of $checked checked"
grep -v ': not checked' "$work/results.txt" | sed 's/.*: //' | sort | uniq -c
# Killed share of the mutants run, with its 95 % Wilson score interval.
python3 - "$work/results.txt" <<'WILSON'
import math, sys
statuses = [line.rsplit(": ", 1)[1].strip() for line in open(sys.argv[1]) if ": " in line]
run = [s for s in statuses if s != "not checked"]
n, k, z = len(run), run.count("killed"), 1.959964
if n:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    print(f"killed/run {k}/{n} = {p:.1%}, 95 % Wilson interval {centre - half:.1%}-{centre + half:.1%}")
WILSON
