#!/usr/bin/env bash
# Install her2sim with its test and lint extras in a fresh virtual environment, lint and type-check
# the package (ruff, mypy: settings in pyproject.toml), run the docstring examples, then the test
# suite: the fast job (everything not marked slow) and then the slow job. Used by the README and CI.
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
echo "== lint and types"
ruff check src
mypy
echo "== docstring examples"
python -m pytest --doctest-modules src/her2sim -p no:cacheprovider -q
echo "== fast job"
python -m pytest -n 2 -m "not slow" -p no:cacheprovider
echo "== slow job"
set +e
python -m pytest -n 2 -m "slow" -p no:cacheprovider
status=$?
set -e
# exit 5 means no test carried the marker: nothing failed
if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then exit "$status"; fi
