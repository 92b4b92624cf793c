"""The compiled PEtab plan (her2sim.io.petab_plan): members run to their own last output time,
pre-equilibrations shared by members with the same sources, noise parameters that are terms.

Oracles:

* the plain protocol run member by member (each member pre-equilibrated on its own, then run
  to the problem's last output time, as the plan did before it grouped members by end time),
  on Raimundez 2020 (170 members, pre-equilibration, 8 different last times);
* the same likelihood written two ways: a noise formula ``a + b`` with ``b = 0`` against the
  formula ``a`` (Fujita 2010).
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from her2sim.engine.solver import DEFAULT_SOLVER
from her2sim.errors import ValidationError
from her2sim.io import petab as pt
from her2sim.io.petab_plan import MERGE_END_FRACTION, MemberOutputs, compile_plan

#: solver tolerances of the comparison, and the agreement asked of two ways of running
#: the same members (a shorter end time changes the step sequence: measured differences are
#: of the order of rtol, at most 8.4e-11 relative and 5.9e-11 absolute on Raimundez 2020)
RTOL, ATOL = 1e-10, 1e-14
AGREE_RTOL, AGREE_ATOL = 1e-8, 1e-10


def _opts():
    return pt._options(RTOL, ATOL, DEFAULT_SOLVER.max_steps, DEFAULT_SOLVER.steady_state_rtol,
                       DEFAULT_SOLVER.steady_state_atol, DEFAULT_SOLVER.steady_state_tmax)


@pytest.fixture(scope="module")
def raimundez(peer_models):
    return pt.load_petab(peer_models / "petab" / "Raimundez_PCB2020" / "Raimundez_PCB2020.yaml")


def test_members_end_at_their_last_time_and_match_the_full_run(raimundez):
    cp = compile_plan(raimundez)
    pl = cp.plan
    cm = cp.cm
    v = cp.values(None)
    P, P_pre = cp.inputs(v)
    rows, states, value, size = cp.reset_values(v, P)

    def reset(x):
        x[rows, states] = value * size

    out, status, _ = cp.execute(cm, P, P_pre, cp.sel, _opts(), 1, reset)
    assert not status.any()
    # the problem's members end at several times; each group runs to its longest member's
    # last time, and no member runs past 1 / MERGE_END_FRACTION times its own
    assert isinstance(out, MemberOutputs) and len(out.blocks) > 1
    for members, values in out.blocks:
        end = cp.times[values.shape[1] - 1]
        assert end == cp.times[cp.last_time_index[members]].max()
        assert np.all(cp.times[cp.last_time_index[members]] >= MERGE_END_FRACTION * end)
    # pre-equilibrations are shared: fewer runs than pre-equilibrated members
    assert 0 < cp.pre_unique.size < cp.pre_rows.size

    # oracle: every pre-equilibrated member on its own, then every member to the last time
    pre = cp.pre_rows
    res = cm.run(P_pre[pre], np.zeros(1), np.zeros(1, dtype=np.int32), _opts(), P_pre=P_pre[pre],
                 want_final_state=True)
    assert not res["status"].any()
    x_pre = res["x_final"]
    reset(x_pre)
    X0 = np.full((cp.n_members, cm.n_x), np.nan)
    X0[pre] = x_pre
    full = np.empty((cp.n_members, cp.times.size, cp.sel.size))
    full[pre] = cm.run(P[pre], cp.times, cp.sel, _opts(), X0=X0[pre])["out"]
    if cp.fresh_rows.size:
        full[cp.fresh_rows] = cm.run(P[cp.fresh_rows], cp.times, cp.sel, _opts())["out"]
    timed = ~pl.row_steady
    rm, rt = pl.row_member[timed], pl.row_time_index[timed]
    for column in (pl.row_output[timed], pl.row_sigma[timed]):
        np.testing.assert_allclose(out[rm, rt, column], full[rm, rt, column], rtol=AGREE_RTOL, atol=AGREE_ATOL)
    # after its last output time a member has no values
    late = cp.last_time_index < cp.times.size - 1
    m = np.flatnonzero(late)[0]
    assert np.isnan(out[np.array([m]), np.array([cp.times.size - 1]), np.array([0])]).all()


def test_noise_parameter_that_is_a_term_may_be_zero(peer_models, tmp_path):
    """Bachmann 2011 writes sigma = noiseParameter1 + noiseParameter2 with one term 0: that is
    a valid problem; a noise parameter that is the sigma itself must still be positive."""
    source = peer_models / "petab" / "Fujita_SciSignal2010"
    folder = tmp_path / "fujita"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("test_data", "*.xlsx"))
    yaml = folder / "Fujita_SciSignal2010.yaml"
    reference = pt.negative_log_likelihood(pt.load_petab(yaml), rtol=1e-8, atol=1e-12)

    obs_file = folder / "observables_Fujita_SciSignal2010.tsv"
    meas_file = folder / "measurementData_step_Fujita_SciSignal2010.tsv"
    obs = pd.read_csv(obs_file, sep="\t", dtype=str, keep_default_na=False)
    meas = pd.read_csv(meas_file, sep="\t", dtype=str, keep_default_na=False)
    target = obs.loc[0, "observableId"]
    obs.loc[0, "noiseFormula"] = f"noiseParameter1_{target} + noiseParameter2_{target}"
    obs.to_csv(obs_file, sep="\t", index=False)
    rows = meas["observableId"] == target
    meas.loc[rows, "noiseParameters"] = meas.loc[rows, "noiseParameters"] + ";0"
    meas.to_csv(meas_file, sep="\t", index=False)
    summed = pt.negative_log_likelihood(pt.load_petab(yaml), rtol=1e-8, atol=1e-12)
    # the same sigma either way: the likelihood agrees to round-off
    assert summed == pytest.approx(reference, rel=1e-12)

    # the first term is the other one's partner, not a sigma: a 0 there is allowed too, but a 0
    # where the noise formula is the parameter alone is refused, naming the place
    other = meas["observableId"] != target
    meas.loc[other.idxmax(), "noiseParameters"] = "0"
    meas.to_csv(meas_file, sep="\t", index=False)
    with pytest.raises(ValidationError, match="noiseParameters.*positive"):
        pt.load_petab(yaml)


def test_thread_choice_does_not_change_the_likelihood(raimundez):
    """Oracle: runs are independent of the thread count (the engine's guarantee); the plan
    picks one thread for calls that were cheap the last time, so repeated evaluations with
    two threads must give the single-thread value exactly."""
    one = pt.negative_log_likelihood(raimundez, rtol=1e-8, atol=1e-12, n_threads=1)
    two = [pt.negative_log_likelihood(raimundez, rtol=1e-8, atol=1e-12, n_threads=2) for _ in range(3)]
    assert np.isfinite(one) and all(value == one for value in two)
