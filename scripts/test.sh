#!/usr/bin/env bash
# Install her2sim with its test extras in a fresh virtual environment and run the test suite:
# the fast job (everything not marked slow) and then the slow job. Used by the README and CI.
# Both jobs always run; the script exits non-zero if either failed, and says which.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test]"
# a fresh compile cache, so that a test run never depends on libraries built earlier
HER2SIM_CACHE_DIR="$(mktemp -d)"
export HER2SIM_CACHE_DIR
trap 'rm -rf "$HER2SIM_CACHE_DIR"' EXIT
set +e
start=$SECONDS
echo "== fast job"
python -m pytest -n 2 -m "not slow" -p no:cacheprovider
fast=$?
echo "== slow job"
python -m pytest -n 2 -m "slow" -p no:cacheprovider
slow=$?
set -e
# exit 5 means no test carried the marker: nothing failed
[ "$slow" -eq 5 ] && slow=0
echo "== fast job exit $fast, slow job exit $slow, $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s"
if [ "$fast" -ne 0 ]; then echo "FAILED: fast job" >&2; fi
if [ "$slow" -ne 0 ]; then echo "FAILED: slow job" >&2; fi
if [ "$fast" -ne 0 ]; then exit "$fast"; fi
exit "$slow"
