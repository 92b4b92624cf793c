"""Synergy reference models on constructed matrices (analytic oracles), then on the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from her2sim.analysis.synergy import (
    REFERENCES,
    bliss_excess_point,
    combination_from_frame,
    plot_isobologram,
    plot_synergy_map,
    read_combination_csv,
    simulate_combination,
    synergy,
)
from her2sim.errors import ValidationError

DOSES = np.concatenate([[0.0], np.geomspace(0.3, 300, 6)])


def hill(d, emax, ec50, h):
    return emax * d**h / (d**h + ec50**h)


def matrix(e, da=DOSES, db=DOSES):
    return xr.Dataset({"inhibition": (("dose_a", "dose_b"), e)},
                      coords={"dose_a": ("dose_a", da, {"units": "nM"}), "dose_b": ("dose_b", db, {"units": "nM"})})


def test_bliss_and_zip_zero_for_independent_drugs():
    # oracle: E_AB = E_A + E_B − E_A·E_B exactly (Bliss independence). Bliss excess is then 0 to round-off;
    # ZIP's row/column Hill fits are exact for this surface (each conditional curve is a Hill curve with the
    # same EC50 and slope, Yadav 2015), so delta is 0 to the optimiser's tolerance (atol 1e-5 pp).
    ea, eb = hill(DOSES, 0.9, 10.0, 1.2), hill(DOSES, 0.7, 3.0, 2.0)
    e = ea[:, None] + eb[None, :] - ea[:, None] * eb[None, :]
    s = synergy(matrix(e))
    np.testing.assert_allclose(s["bliss_excess"].values, 0.0, atol=1e-12)
    np.testing.assert_allclose(s["zip_excess"].values, 0.0, atol=1e-5)
    assert s["bliss_excess"].attrs["reference_model"] == "bliss"
    assert s["zip_mean_excess"].attrs["reference"] == REFERENCES["zip"]


def test_loewe_zero_for_sham_combination():
    # oracle: a drug combined with itself: a/A(E) + b/A(E) = 1 ⇒ E = f(a + b), which is what is observed;
    # Loewe excess 0 (atol 1e-6 pp: single-agent fit recovers the Hill curve to ~1e-9)
    f = lambda d: hill(d, 0.95, 12.0, 1.4)  # noqa: E731
    e = f(DOSES[:, None] + DOSES[None, :])
    s = synergy(matrix(e))
    np.testing.assert_allclose(s["loewe_excess"].values, 0.0, atol=1e-6)
    assert bool(s["loewe_defined"].values[1:, 1:].all())
    # the reference models disagree on a sham combination: Bliss is not 0 here (dose addition is not
    # independence), which is why every score names its reference model
    assert abs(float(s["bliss_mean_excess"])) > 0.1


def test_hsa_constructed_case():
    # oracle: observed = max(E_A, E_B) everywhere except one pair raised by 0.1 → HSA excess 0 except 10 pp there
    ea, eb = hill(DOSES, 0.6, 5.0, 1.0), hill(DOSES, 0.8, 20.0, 1.0)
    e = np.maximum(ea[:, None], eb[None, :])
    e[3, 4] += 0.1
    s = synergy(matrix(e), models=["hsa"])
    expected = np.zeros_like(e)
    expected[3, 4] = 10.0
    np.testing.assert_allclose(s["hsa_excess"].values, expected, atol=1e-12)
    assert float(s["hsa_max_excess"]) == pytest.approx(10.0, abs=1e-12)


def test_zip_positive_for_potency_shift():
    # oracle: drug B halves drug A's EC50 (a potency shift, the interaction ZIP was built to detect):
    # delta > 0 wherever both drugs are present (sign test), Bliss agrees in sign
    ea, eb = hill(DOSES, 0.9, 10.0, 1.0), hill(DOSES, 0.5, 10.0, 1.0)
    shifted = np.stack([hill(DOSES, 0.9, 10.0 / (1 + eb_j / 0.5), 1.0) for eb_j in eb], axis=1)
    e = shifted + eb[None, :] - shifted * eb[None, :]
    s = synergy(matrix(e), models=["zip", "bliss"])
    assert float(s["zip_mean_excess"]) > 1.0
    assert float(s["bliss_mean_excess"]) > 1.0


def test_user_matrix_long_format(tmp_path):
    ea, eb = hill(DOSES[:4], 0.9, 1.0, 1.0), hill(DOSES[:4], 0.5, 1.0, 1.0)
    e = ea[:, None] + eb[None, :] - ea[:, None] * eb[None, :]
    rows = [{"dose_a": a, "dose_b": b, "response": 1 - e[i, j], "replicate": r}
            for i, a in enumerate(DOSES[:4]) for j, b in enumerate(DOSES[:4]) for r in (1, 2)]
    path = tmp_path / "matrix.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    ds = read_combination_csv(path, response="viability", drug_a="X", drug_b="Y")
    np.testing.assert_allclose(ds["inhibition"].values, e, atol=1e-12)  # oracle: 1 − viability, exact
    s = synergy(ds, models=["bliss"])
    np.testing.assert_allclose(s["bliss_excess"].values, 0.0, atol=1e-12)
    with pytest.raises(ValidationError, match="include 0|dose axes"):
        combination_from_frame(pd.DataFrame({"dose_a": [1.0], "dose_b": [1.0], "response": [0.5]}))


def test_bliss_point_formula():
    # oracle: 0.5 and 0.5 independent give 0.75; observed 0.85 → +10 pp (exact)
    assert float(bliss_excess_point(0.5, 0.5, 0.85)) == pytest.approx(10.0, abs=1e-12)


def test_model_trastuzumab_lapatinib_matrix_and_plots():
    # model: dual HER2 blockade beats either agent (MECHANISMS.md §10, L44/L45): positive Bliss excess
    doses = np.array([0.0, 1.0, 10.0, 100.0])
    ds = simulate_combination("trastuzumab", "lapatinib", doses, doses * 10, readouts=("pAKT_S473",))
    assert ds["inhibition"].dims == ("dose_a", "dose_b")
    assert int(ds.attrs["n_failed"]) == 0
    s = synergy(ds)
    assert float(s["bliss_max_excess"]) > 5.0
    for name in ("bliss", "hsa", "loewe", "zip"):
        assert s[f"{name}_excess"].attrs["reference_model"] == name
    ax = plot_synergy_map(s, model="bliss")
    assert ax.get_title().startswith("BLISS")
    ax2 = plot_isobologram(ds, level=0.3)
    assert ax2.get_xlabel().startswith("lapatinib")
    import matplotlib.pyplot as plt

    plt.close("all")
