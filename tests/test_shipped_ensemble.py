"""The ensemble shipped with her2sim for the current flagship version (issue #14 items 2, 3).

If this fails after a change of the model's equations or values, the shipped ensemble is stale:
regenerate it with ``python scripts/regenerate_ensemble.py`` (``her2sim calibrate-model ensemble
--ship``) and commit the folder.

Oracles: the model fingerprint (the ensemble belongs to this version); an independent re-simulation
of members through :func:`~her2sim.calibration.ensemble_scorecard.ensemble_scorecard` reproduces
the stored verdict matrix exactly (verdicts are threshold comparisons of deterministic, portable
builds); the stored scorecard is recomputed from the stored verdict matrix; the dose-response
band is ordered (p05 ≤ median ≤ p95) and lapatinib lowers the median growth, as in every source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from her2sim.calibration.ensemble import ensemble_dose_response, plot_band
from her2sim.calibration.ensemble_population import (
    TARGETS,
    cross_validated_scorecard,
    load_scorecard,
    shipped_folder,
    summary,
)
from her2sim.calibration.ensemble_scorecard import ensemble_scorecard
from her2sim.family import default_family
from her2sim.library.literature import LITERATURE_CHECKS


@pytest.fixture(scope="module")
def shipped():
    fam = default_family()
    return fam, fam.ensemble()


def test_shipped_ensemble_loads_for_this_model_version(shipped):
    fam, ens = shipped
    model = fam.model()
    assert ens.n_members >= 200
    assert ens.header["model_id"] == model.id and ens.header["model_fingerprint"] == model.fingerprint()
    assert ens.header["procedure"] == "plausible-population-priors"
    # the members differ (a population, not copies of the adopted model) and stay inside the plan's bounds
    assert (ens.parameters.std() > 0).sum() >= 0.9 * ens.parameters.shape[1]
    folder = shipped_folder(fam)
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size < 2_000_000, size  # package data kept small (issue #14)


def test_shipped_scorecard_is_the_verdict_matrix_of_this_version(shipped):
    fam, ens = shipped
    card, header = load_scorecard(family=fam)
    assert header["thresholds_current"], "thresholds changed after the ensemble was made: regenerate it"
    d = header["details"]
    verdicts = pd.read_parquet(shipped_folder(fam) / "verdicts.parquet")
    # the stored scorecard is what the stored verdict matrix gives
    again = cross_validated_scorecard(verdicts, LITERATURE_CHECKS, constraints=d["constraints"],
                                      threshold=d["reference_data_objective"] + d["delta"], n_members=ens.n_members)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), card, check_dtype=False, rtol=1e-12)
    # contradicting findings are shown, not counted
    for fid in ("L03d", "L17", "L50", "L32b"):
        row = card[card["finding"] == fid]
        assert len(row) == 1 and row["role"].item() == "contradictory" and not row["counted"].item()
    s = summary(card)
    assert s["counted"] == int(card["counted"].sum()) and set(TARGETS) == {"training", "cross_validated"}
    # every member satisfies every constraint, and the members are the accepted candidates in order
    members = verdicts[verdicts["member"] >= 0].sort_values("member")
    assert len(members) == ens.n_members and members["accepted"].all()
    assert np.all(members[d["constraints"]].to_numpy(float) == 1.0)


def test_shipped_verdicts_reproduced_by_an_independent_simulation(shipped):
    fam, ens = shipped
    verdicts = pd.read_parquet(shipped_folder(fam) / "verdicts.parquet")
    picks = [0, ens.n_members // 2, ens.n_members - 1]
    card = ensemble_scorecard(fam, ens, members=picks)
    for m in picks:
        stored = verdicts[verdicts["member"] == m].iloc[0]
        fresh = card["passed"].sel(member=m)
        for cid in card["check"].to_numpy():
            assert fresh.sel(check=cid).item() == stored[cid], (m, cid)


def test_shipped_ensemble_dose_response_band(shipped):
    fam, ens = shipped
    conc = [10.0, 100.0, 1000.0, 10000.0]
    ds = ensemble_dose_response(fam, ens, "lapatinib", conc)
    assert int(ds["n_failed"]) == 0
    med, lo, hi = (ds[f"relative_growth_{s}"].to_numpy() for s in ("median", "p05", "p95"))
    assert np.all(lo <= med) and np.all(med <= hi)
    assert np.all(np.diff(med) < 0)  # lapatinib lowers growth with dose (direction of every source)
    assert hi[-2] - lo[-2] > 1e-3  # a band: the members disagree at 1 uM
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    ax = plot_band(ds, "relative_growth")
    assert any(isinstance(c, PolyCollection) for c in ax.collections)  # the figure shows the 90 % band
    plt.close(ax.figure)
