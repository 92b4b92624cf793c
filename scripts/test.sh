#!/usr/bin/env bash
# Install her2sim with its test extras in a fresh virtual environment, lint and type-check the package
# (ruff, mypy: settings in pyproject.toml), run the docstring examples, then the test suite: the fast job
# (everything not marked slow) and then the slow job. Used by the README and CI.
# Every step always runs; the script exits non-zero if any failed, and says which.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test,lint]"
# a fresh compile cache, so that a test run never depends on libraries built earlier
HER2SIM_CACHE_DIR="$(mktemp -d)"
export HER2SIM_CACHE_DIR
trap 'rm -rf "$HER2SIM_CACHE_DIR"' EXIT
set +e
start=$SECONDS
echo "== lint and types"
ruff check src && mypy
lint=$?
echo "== docstring examples"
python -m pytest --doctest-modules src/her2sim -p no:cacheprovider -q
doc=$?
echo "== fast job"
python -m pytest -n 2 -m "not slow" -p no:cacheprovider
fast=$?
echo "== slow job"
python -m pytest -n 2 -m "slow" -p no:cacheprovider
slow=$?
set -e
# exit 5 means no test carried the marker: nothing failed
[ "$slow" -eq 5 ] && slow=0
echo "== lint exit $lint, doctests exit $doc, fast job exit $fast, slow job exit $slow, $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s"
failed=0
for step in lint doc fast slow; do
  if [ "${!step}" -ne 0 ]; then echo "FAILED: $step" >&2; failed=1; fi
done
exit "$failed"
