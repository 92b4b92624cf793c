"""The SBML Test Suite's semantic time-course cases, scored by the suite's own criterion.

Oracle: the suite's expected results (analytic solutions or reference simulators, per case),
with the case's own tolerances: |simulated - expected| <= absolute + relative * |expected| at every
reported point (``tests/sbml_suite.py``). her2sim runs at rtol 1e-10 / atol 1e-14.

Every TimeCourse case runs. A case

* that runs and fails the criterion ("wrong") fails the test, always: a silent wrong answer;
* that raises anything but a her2sim error ("crash") fails the test;
* listed in ``tests/data/sbml_suite_pass.txt`` fails the test unless it passes (no regression);
* that her2sim refuses with its own error is an expected failure, recorded with its reason --
  unless it is a *core* case, which must pass.

"Core", operationally (``sbml_suite.Case.is_core``): a case whose ``componentTags`` and
``testTags`` name no SBML package (no ``comp:``/``fbc:`` tag) and none of ``FastReaction``,
``AlgebraicRule``, ``CSymbolDelay`` -- the models that are ordinary differential equations with
events (rules, initial assignments, events with delays and priorities, rateOf, conversion
factors, variable stoichiometry, Avogadro, any id). Fast reactions (rapid equilibrium),
algebraic rules (DAEs) and ``delay()`` (DDEs) go beyond that and are solved where the specification
allows a general method, refused with a reason otherwise. In the suite of 2022-04-24 that is
1464 of the 1787 TimeCourse cases (1397 of them written for SBML L3; 67 for L1/L2 only).

The suite is read from ``$HER2SIM_SBML_TEST_SUITE`` or ``../shared/sbml-test-suite``; models are
compiled at ``-O0`` (compile time dominates these tiny models; ``HER2SIM_OPT_LEVEL``), which
brings the whole suite to about 3 minutes on 2 cores, so it runs in the fast job (measured with
``scripts/sbml_suite.py --workers 1``, cold compile cache: 331 s in one process on the shared
2-core machine, 804 s under a load of 6).
Update the pass list with ``python scripts/sbml_suite.py --write-pass-list``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sbml_suite

PASS_LIST = Path(__file__).resolve().parent / "data" / "sbml_suite_pass.txt"


def _pass_list() -> set[str]:
    return {
        line.strip() for line in PASS_LIST.read_text().splitlines() if line.strip() and not line.startswith("#")
    }


def _case_ids() -> list[str]:
    root = sbml_suite.suite_path()
    if not root.is_dir():
        # CI always has the folder; a missing one is an error, not a skip.
        return ["suite-missing"]
    return [c.id for c in sbml_suite.all_cases(root) if c.test_type == "TimeCourse"]


@pytest.fixture(autouse=True)
def _cheap_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HER2SIM_OPT_LEVEL", "-O0")


def test_core_cases_are_counted() -> None:
    """The core set is what the docstring says (guards the tag parsing that defines it)."""
    root = sbml_suite.suite_path()
    if not root.is_dir():
        raise FileNotFoundError(f"SBML Test Suite not found at {root}")
    cases = [c for c in sbml_suite.all_cases(root) if c.test_type == "TimeCourse"]
    assert len(cases) == 1787
    assert sum(c.is_core for c in cases) == 1464


def test_pass_list_is_sorted_and_known() -> None:
    listed = [ln.strip() for ln in PASS_LIST.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert listed == sorted(set(listed))
    root = sbml_suite.suite_path()
    if root.is_dir():
        assert set(listed) <= set(_case_ids()), "pass list names cases that are not TimeCourse cases"


# ~0.1 s per case (1787 cases: about 3 min on 2 cores with a cold compile cache, models at -O0)
@pytest.mark.parametrize("case_id", _case_ids())
def test_sbml_test_suite_case(case_id: str) -> None:
    root = sbml_suite.suite_path()
    if not root.is_dir():
        raise FileNotFoundError(
            f"SBML Test Suite not found at {root}; set HER2SIM_SBML_TEST_SUITE to the semantic cases folder"
        )
    case = sbml_suite.load_case(root / case_id)
    outcome = sbml_suite.run_case(case)
    if outcome.status == "wrong":
        pytest.fail(f"case {case_id} ran and returned a wrong result: {outcome.reason}")
    if outcome.status == "crash":
        pytest.fail(f"case {case_id} crashed instead of a her2sim error: {outcome.reason}")
    if case.is_core:
        assert outcome.status == "pass", f"core case {case_id} is {outcome.status}: {outcome.reason}"
    if case_id in _pass_list():
        assert outcome.status == "pass", f"case {case_id} passed before and now is {outcome.status}: {outcome.reason}"
    elif outcome.status == "refused":
        pytest.xfail(f"refused: {outcome.reason.splitlines()[0][:300]}")
