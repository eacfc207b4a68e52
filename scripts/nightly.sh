#!/usr/bin/env bash
# The nightly benchmark, runnable anywhere (a CI runner, cron, a laptop): sweep a preset, rebuild
# its report, compare it with a baseline, optionally commit (and push) the new report.
# .github/workflows/nightly.yml is a thin wrapper around this; test/nightly.test.ts runs it on the
# smoke preset.
#
#   scripts/nightly.sh [--preset NAME] [--store DIR] [--baseline FILE|DIR]
#                      [--commit] [--push] [--step-summary FILE]
#
#   --preset        sweep preset (default: nightly)
#   --store         the cell store and report directory (default: results/<preset>)
#   --baseline      what to compare with: a summary.csv, or a results directory (its cells/ or its
#                   summary.csv). Default: the store's own summary.csv as it is before this run
#                   (the committed leaderboard), copied aside first; if there is none, this is a
#                   first run and nothing is compared.
#   --commit        git-commit the store's report files (everything but cells/ and failures/),
#                   also when a regression was found: they are what the code now does
#   --push          git push after committing
#   --step-summary  append the comparison, as Markdown, to FILE (e.g. "$GITHUB_STEP_SUMMARY")
#
# The sweep resumes (finished cells are skipped) and never deletes cells. A sweep that completes
# with failed cells (exit 3) goes on: the report lists them.
# Exit: 0 no regression; 4 `harness compare` found a regression (after committing); 2 bad
# arguments; otherwise the exit code of the step that failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
harness() { node "$ROOT/dist/harness/cli.js" "$@"; }
die() { echo "nightly: $*" >&2; exit 2; }
say() { echo "nightly: $*"; }

preset=nightly store='' baseline='' commit=0 push=0 step_summary=''
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) [ $# -ge 2 ] || die "--preset needs a value"; preset=$2; shift 2 ;;
    --store) [ $# -ge 2 ] || die "--store needs a value"; store=$2; shift 2 ;;
    --baseline) [ $# -ge 2 ] || die "--baseline needs a value"; baseline=$2; shift 2 ;;
    --commit) commit=1; shift ;;
    --push) push=1; commit=1; shift ;;
    --step-summary) [ $# -ge 2 ] || die "--step-summary needs a value"; step_summary=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
store=${store:-results/$preset}
if [ -n "$baseline" ] && [ ! -e "$baseline" ]; then die "--baseline '$baseline': no such file or directory"; fi
if [ "$commit" = 1 ] && ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then die "--commit: not inside a git work tree"; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The baseline, kept aside before the sweep rewrites the store's report.
if [ -z "$baseline" ] && [ -f "$store/summary.csv" ]; then
  cp "$store/summary.csv" "$work/baseline-summary.csv"
  baseline="$work/baseline-summary.csv"
  say "baseline: the store's summary.csv before this run"
elif [ -n "$baseline" ]; then
  say "baseline: $baseline"
else
  say "no baseline (no $store/summary.csv): a first run, nothing to compare"
fi

# 2. Sweep. Exit 3 = finished with some failed cells: the report lists them; go on.
say "sweep --preset $preset --out $store"
set +e
harness sweep --preset "$preset" --out "$store"
code=$?
set -e
if [ "$code" != 0 ] && [ "$code" != 3 ]; then echo "nightly: the sweep failed (exit $code)" >&2; exit "$code"; fi

# 3. Report (the sweep wrote one too; this makes the step explicit and fails loudly if it cannot).
harness report "$store"

# 4. Compare.
verdict=0
if [ -n "$baseline" ]; then
  set +e
  harness compare "$baseline" "$store/summary.csv" > "$work/compare.txt"
  verdict=$?
  set -e
  cat "$work/compare.txt"
  if [ "$verdict" != 0 ] && [ "$verdict" != 4 ]; then echo "nightly: harness compare failed (exit $verdict)" >&2; exit "$verdict"; fi
else
  echo "no baseline: first run of preset $preset into $store" > "$work/compare.txt"
fi
if [ -n "$step_summary" ]; then
  { echo "### harness compare ($preset)"; echo '```'; cat "$work/compare.txt"; echo '```'; } >> "$step_summary"
fi

# 5. Commit the report (never the cell store), also on a regression.
if [ "$commit" = 1 ]; then
  git add -A -- "$store" ":(exclude)$store/cells" ":(exclude)$store/failures"
  mapfile -t changed < <(git diff --cached --name-only -- "$store" ":(exclude)$store/cells" ":(exclude)$store/failures")
  if [ ${#changed[@]} -eq 0 ]; then
    say "report unchanged: nothing to commit"
  else
    # --only: commit these paths and nothing else that happens to be staged.
    git -c user.name="$(git config user.name || echo 'mi-harness nightly')" \
        -c user.email="$(git config user.email || echo 'mi-harness-nightly@localhost')" \
        commit -q --only -m "nightly: $preset leaderboard at $(git rev-parse --short HEAD)" -- "${changed[@]}"
    say "committed ${#changed[@]} report file(s): $(git rev-parse --short HEAD)"
    if [ "$push" = 1 ]; then git push -q; say "pushed"; fi
  fi
fi

if [ "$verdict" = 4 ]; then
  echo "nightly: REGRESSION: harness compare found MSE regressions against the baseline (see above)" >&2
  if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::error::harness compare found MSE regressions against the previous nightly (see the step summary)"; fi
  exit 4
fi
say "no regression"
