"""The plausible population from the provenance priors, its verdict matrix and the cross-validated scorecard.

Oracles:

* a hand-made verdict matrix whose training and leave-one-mechanism-out fractions are counted
  by hand in the test (including a candidate rejected only by a left-out finding, which must
  count in that fold, a failed run, a contradictory finding and a ``by_construction`` check);
* on the toy family, an independent re-evaluation of every member's checks through
  :func:`~her2sim.calibration.ensemble_scorecard.ensemble_scorecard` (which simulates the
  members afresh): each member satisfies every constraint, and its stored verdicts are what the
  re-evaluation finds;
* determinism: a run killed after its first chunk and resumed equals an uninterrupted run.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from her2sim.calibration.ensemble import Ensemble, ensemble_dose_response
from her2sim.calibration.ensemble_population import (
    build_population,
    cross_validated_scorecard,
    load_scorecard,
    summary,
)
from her2sim.calibration.ensemble_scorecard import ensemble_scorecard
from her2sim.errors import ValidationError
from her2sim.library.literature import GI, Arm, LiteratureCheck
from her2sim.testing import TOY_FAMILY
from her2sim.testing.toy import build_toy_model


def _fake(cid, finding, mechanism, by_construction=False):
    return SimpleNamespace(id=cid, finding=finding, mechanism=mechanism, tolerance="-",
                           by_construction=by_construction)


def test_cross_validated_scorecard_counts_by_hand():
    checks = [_fake("A1", "A", "1"), _fake("B1", "B", "2"), _fake("C1", "C", "2, 3"), _fake("L17", "L17", "4"),
              _fake("D1", "D", "3", by_construction=True)]
    nan = math.nan
    rows = [  # data_objective, A1, B1, C1, L17, D1
        (0.0, 1, 1, 1, 0, 1),    # 0 accepted
        (0.0, 1, 1, 1, 1, 1),    # 1 accepted
        (0.0, 1, 0, 1, 0, 1),    # 2 rejected by B only
        (0.0, 0, 1, 1, 0, 1),    # 3 rejected by A only
        (20.0, 1, 1, 1, 1, 1),   # 4 rejected by the data
        (0.0, 1, 0, 0, 0, 1),    # 5 rejected by B and C
        (0.0, nan, 1, 1, 0, 1),  # 6 A's run failed
    ]
    verdicts = pd.DataFrame(rows, columns=["data_objective", "A1", "B1", "C1", "L17", "D1"])
    card = cross_validated_scorecard(verdicts, checks, constraints=["A1", "B1", "C1", "D1"], threshold=10.0)
    card = card.set_index("finding")
    # training: members 0 and 1
    assert card.loc["A", "training_fraction"] == 1.0 and card.loc["L17", "training_fraction"] == 0.5
    # leave mechanism 1 out (A): accepted 0, 1, 3, 6; A evaluable in 0, 1, 3 -> 2/3
    assert card.loc["A", "cv_fraction"] == pytest.approx(2 / 3, abs=1e-12)
    assert card.loc["A", "n_cv_population"] == 3
    # leave mechanism 2 out (B and C with all their checks): accepted 0, 1, 2, 5 (2 rejected only by B counts)
    assert card.loc["B", "cv_fraction"] == 0.5
    # C is in mechanisms 2 and 3: fold 2 gives 3/4, fold 3 (A, B, D kept) 2/2; the worst is reported
    assert card.loc["C", "cv_fraction"] == 0.75
    assert card.loc["C", "cv_folds"].startswith("2: 0.75 of 4")
    # contradictory: shown with its fraction, never cross-validated or counted; by_construction: not counted
    assert card.loc["L17", "role"] == "contradictory" and math.isnan(card.loc["L17", "cv_fraction"])
    assert not card.loc["L17", "counted"] and not card.loc["D", "counted"] and card.loc["A", "counted"]
    # each check's failures over the whole candidate pool (shown able to fail)
    assert card.loc["A", "fails_in_pool"] == "A1: 1/7" and card.loc["D", "fails_in_pool"] == "D1: 0/7"
    s = summary(card.reset_index())
    assert (s["counted"], s["training"], s["cross_validated"]) == (3, 3, 3)
    # A fails in candidate 3, B in 2 and 5, C in 5: all three challenged
    assert card.loc["B", "pool_failures"] == 2 and (s["challenged"], s["cv_challenged"]) == (3, 3)
    # the first n_members accepted are the members
    one = cross_validated_scorecard(verdicts, checks, constraints=["A1", "B1", "C1"], threshold=10.0, n_members=1)
    assert one.set_index("finding").loc["L17", "training_fraction"] == 0.0


# ---------------------------------------------------------------------------- toy family end to end


class _ToyLab:
    """The kinetic lab interface (``gi``) for a toy model, through the ensemble dose-response path."""

    ESTIMABLE = ("k_on", "k_off", "mu_max", "K_half", "death")

    def __init__(self, model):
        values = {p.id: p.value for p in model.parameters}
        self.values = {k: values[k] for k in self.ESTIMABLE}

    def gi(self, drugs, *, genotype=(), parameters=None, time=72.0):
        from her2sim.library.drugs import get_drug

        (drug, (value, unit)), = drugs.items()
        one = Ensemble.create(build_toy_model(), pd.DataFrame({k: [v] for k, v in self.values.items()}),
                              procedure="one")
        dr = ensemble_dose_response(TOY_FAMILY, one, drug, [get_drug(drug).to_nM(value, unit)], time=time)
        return 100.0 * (1.0 - float(dr["relative_growth_median"][0]))


# declarations that name no ablation must say why (where literature.LiteratureCheck asks for it)
_NO_ABLATION = ({"no_ablation": "toy check: no mechanism to ablate"}
                if "no_ablation" in {f.name for f in dataclasses.fields(LiteratureCheck)} else {})


def _toy_check(cid, finding, mechanism, drug, threshold):
    return LiteratureCheck(
        cid, finding, mechanism, "toy", f"{drug} 1 uM", "growth inhibition", "GI ≥ threshold", "-", f"≥ {threshold:g}",
        measures=(GI("GI", arm=Arm((drug,))),), criterion=lambda v, f: v["GI"] >= threshold,
        logical_text="", logical_scope="", **_NO_ABLATION)


def _toy_checks():
    lab = _ToyLab(build_toy_model())
    gi_lap = lab.gi({"lapatinib": (1.0, "uM")})
    # thresholds just below the nominal GI: the nominal passes, a share of the candidates does not
    return (_toy_check("T1", "T", "1", "lapatinib", gi_lap - 1.0), _toy_check("U1", "U", "2", "lapatinib", gi_lap - 3.0))


def test_build_population_toy_members_satisfy_constraints_and_resume(tmp_path):
    checks = _toy_checks()
    kw = dict(family=TOY_FAMILY, n_members=6, seed=3, inflation=0.4, checks=checks, lab=_ToyLab, chunk=4)
    run = build_population(tmp_path / "ens", work_dir=tmp_path / "work", **kw)
    ens = run.ensemble
    assert ens.n_members == 6 and ens.header["procedure"] == "plausible-population-priors"
    d = ens.header["details"]
    assert d["constraints"] == ["T1", "U1"] and d["training_findings"] == ["T", "U"]
    assert d["candidates"] > d["accepted"] >= 6  # some candidates were rejected: the constraints bite
    # member 0 is the adopted model (candidate 0)
    nominal = {p.id: p.value for p in build_toy_model().parameters}
    for k, v in ens.parameters.iloc[0].items():
        assert v == pytest.approx(nominal[k], rel=1e-15)
    # oracle: an independent re-simulation of the members passes every constraint
    card = ensemble_scorecard(TOY_FAMILY, ens, checks=checks, lab=_ToyLab)
    assert np.all(card["passed"].to_numpy() == 1.0)
    members = run.verdicts[run.verdicts["member"] >= 0].sort_values("member")
    np.testing.assert_array_equal(members[["T1", "U1"]].to_numpy(float), card["passed"].to_numpy().T)
    # stored and re-loaded: the family's loader and the scorecard reader agree with the run
    stored, header = load_scorecard(tmp_path / "ens", family=TOY_FAMILY)
    assert header["model_fingerprint"] == build_toy_model().fingerprint()
    assert list(stored["finding"]) == ["T", "U"] and stored["training_fraction"].tolist() == [1.0, 1.0]
    assert TOY_FAMILY.ensemble(tmp_path / "ens").n_members == 6
    # killed after the first chunk, then resumed: identical to the uninterrupted run
    build_population(tmp_path / "ens2", work_dir=tmp_path / "work2", max_candidates=4, **kw)
    resumed = build_population(tmp_path / "ens2", work_dir=tmp_path / "work2", **kw)
    pd.testing.assert_frame_equal(resumed.ensemble.parameters, ens.parameters, check_exact=True)
    # two worker processes: the same members and the same scorecard (house rule 9)
    two = build_population(tmp_path / "ens4", work_dir=tmp_path / "work4", workers=2, **kw)
    pd.testing.assert_frame_equal(two.ensemble.parameters, ens.parameters, check_exact=True)
    pd.testing.assert_frame_equal(two.scorecard, run.scorecard, check_exact=True)
    # other settings on the same work folder are refused, not mixed in
    with pytest.raises(ValidationError, match="inflation"):
        build_population(tmp_path / "ens3", work_dir=tmp_path / "work", **{**kw, "inflation": 0.2})


def test_build_population_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValidationError, match="inflation"):
        build_population(tmp_path, family=TOY_FAMILY, inflation=-1.0, checks=_toy_checks(), lab=_ToyLab)
    with pytest.raises(ValidationError, match="n_members"):
        build_population(tmp_path, family=TOY_FAMILY, n_members=0, checks=_toy_checks(), lab=_ToyLab)


def test_cli_ensemble_needs_outdir_or_ship():
    from her2sim.cli import app

    res = CliRunner().invoke(app, ["calibrate-model", "ensemble"])
    assert res.exit_code == 2 and "OUTDIR or --ship" in res.output


def test_cli_ensemble_on_the_flagship_two_candidates(tmp_path):
    """The command's wiring on the real family: two candidates, the adopted model is member 0."""
    from her2sim.cli import app
    from her2sim.family import default_family

    res = CliRunner().invoke(app, ["calibrate-model", "ensemble", str(tmp_path / "ens"), "--ccle", "-", "--members",
                                   "1", "--max-candidates", "2", "--work-dir", str(tmp_path / "work")])
    assert res.exit_code == 0, res.output
    assert "1 members of 2 candidates" in res.output
    ens = default_family().ensemble(tmp_path / "ens")
    model = default_family().model()
    nominal = {p.id: p.value for p in model.parameters}
    assert all(v == nominal[k] for k, v in ens.parameters.iloc[0].items())  # candidate 0: the adopted model
    card, _ = load_scorecard(tmp_path / "ens")
    assert {"L03d", "L17", "L50", "L32b"} <= set(card["finding"])
