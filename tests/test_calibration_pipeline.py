"""``calibrate-model run`` end to end on the toy family, and the ensemble scorecard (issue #14).

Oracles: synthetic dose-responses simulated at known parameters (the true ``k_off = 1`` must lie
in the plausible population, whose members must all satisfy the acceptance threshold they were
drawn with); resuming a finished run reproduces it without new starts; the scorecard's fraction
equals the fraction of members whose dose-response, computed by the independent ensemble
dose-response path, passes the same threshold.
"""

from __future__ import annotations

import dataclasses
import json
import warnings

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from her2sim.analysis.atlas import ModelLimitationWarning
from her2sim.calibration.ensemble import Ensemble, ensemble_dose_response
from her2sim.calibration.ensemble_scorecard import ensemble_scorecard, thresholds_version
from her2sim.calibration.flagship_problem import family_problem
from her2sim.calibration.pipeline import run_calibration
from her2sim.library.literature import GI, Arm, LiteratureCheck
from her2sim.testing import TOY_FAMILY
from her2sim.testing.toy import build_toy_model

CONC = (1.0, 10.0, 100.0, 1000.0)


def _synthetic(seed: int = 5) -> pd.DataFrame:
    truth = Ensemble.create(build_toy_model(), pd.DataFrame({"k_off": [1.0]}), procedure="truth")
    dr = ensemble_dose_response(TOY_FAMILY, truth, "lapatinib", CONC, context="nominal")
    rng = np.random.default_rng(seed)
    rows = [dict(cell_line="A", drug="none", concentration_nM=0.0, relative_viability=1.0)]
    rows += [dict(cell_line="A", drug="Lapatinib", concentration_nM=c, relative_viability=float(v))
             for c, v in zip(CONC, dr["relative_growth_median"].to_numpy())]
    df = pd.DataFrame(rows)
    df["relative_viability"] += rng.normal(0.0, 0.02, len(df))
    return df


def _problem(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelLimitationWarning)
        prob = family_problem(TOY_FAMILY, dose_response=_synthetic(), contexts={"A": "nominal"}, checks=(),
                              only=("k_off",))
    return prob.write(tmp_path / "problem")


def test_run_end_to_end_and_resume(tmp_path):
    yaml_path = _problem(tmp_path)
    seen = []
    run = run_calibration(yaml_path.parent, tmp_path / "run", family=TOY_FAMILY, n_starts=3, n_members=25, seed=2,
                          progress=lambda stage, k, n: seen.append(stage))
    assert {"multistart", "ensemble"} <= set(seen)
    assert 0 < run.fraction_at_optimum <= 1
    assert (tmp_path / "run" / "waterfall.png").is_file()
    ens = TOY_FAMILY.ensemble(tmp_path / "run" / "ensemble")
    assert ens.n_members == 25 and list(ens.parameters.columns) == ["k_off"]
    d = ens.header["details"]
    assert np.all(ens.objective <= d["best_objective"] + d["delta"] + 1e-9)  # every member is plausible
    k = ens.parameters["k_off"].to_numpy()
    assert k.min() <= 1.0 <= k.max()  # the truth (k_off = 1) lies inside the plausible population
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["n_members"] == 25
    # the best fit as a parameter table: its k_off is the best start's (log10 scale; rounding only)
    table = pd.read_csv(tmp_path / "run" / "best_parameters.tsv", sep="\t").set_index("parameterId")
    k_best = 10 ** run.multistart.x_best[list(run.multistart.x_ids).index("k_off")]
    np.testing.assert_allclose(float(table.loc["k_off", "nominalValue"]), k_best, rtol=1e-14, atol=0)
    # resume: the same call finds every start and the ensemble done
    again = run_calibration(yaml_path.parent, tmp_path / "run", family=TOY_FAMILY, n_starts=3, n_members=25, seed=2,
                            progress=lambda stage, k, n: seen.append(("again", stage, k)))
    pd.testing.assert_frame_equal(again.ensemble.parameters, ens.parameters)
    assert ("again", "ensemble", 1) not in seen  # no new member drawn


def test_cli_write_problem_for_the_toy(tmp_path):
    from her2sim.cli import app

    res = CliRunner().invoke(app, ["calibrate-model", "write-problem", str(tmp_path / "p"), "--family",
                                   "toy_receptor_kinase", "--ccle", "-"])
    # the toy has no literature sizes and no data: a clear error, not a crash
    assert res.exit_code != 0
    assert "no measurements" in str(res.exception) + res.output


class _ToyLab:
    """The kinetic lab interface (``gi``) on a toy model, through the ensemble dose-response path."""

    def __init__(self, model):
        self.k_off = {p.id: p.value for p in model.parameters}["k_off"]

    def gi(self, drugs, *, genotype=(), parameters=None, time=72.0):
        from her2sim.library.drugs import get_drug

        (drug, (value, unit)), = drugs.items()
        one = Ensemble.create(build_toy_model(), pd.DataFrame({"k_off": [self.k_off]}), procedure="one")
        dr = ensemble_dose_response(TOY_FAMILY, one, drug, [get_drug(drug).to_nM(value, unit)], time=time)
        return 100.0 * (1.0 - float(dr["relative_growth_median"][0]))


# declarations that name no ablation must say why (where literature.LiteratureCheck asks for it)
_NO_ABLATION = ({"no_ablation": "toy check: no mechanism to ablate"}
                if "no_ablation" in {f.name for f in dataclasses.fields(LiteratureCheck)} else {})


def _check(threshold: float) -> LiteratureCheck:
    return LiteratureCheck(
        "T1", "T", "toy", "toy", "lapatinib 1 uM", "growth inhibition", "GI ≥ threshold", "-", f"≥ {threshold:g}",
        measures=(GI("GI_L", arm=Arm(("lapatinib",))),), criterion=lambda v, f: v["GI_L"] >= threshold,
        logical_text="", logical_scope="", **_NO_ABLATION)


def test_scorecard_fraction_matches_members():
    rng = np.random.default_rng(0)
    model = build_toy_model()
    ens = Ensemble.create(model, pd.DataFrame({"k_off": np.exp(rng.normal(0, 1.0, 12))}), procedure="test",
                          details={"training_findings": []})
    per_member = ensemble_dose_response(TOY_FAMILY, ens, "lapatinib", [1000.0], keep_members=True)
    gi = 100 * (1 - per_member["relative_growth"].sel(concentration=1000.0).to_numpy())
    g = np.sort(gi)
    threshold = float(0.5 * (g[5] + g[6]))  # between two members: exactly half pass
    card = ensemble_scorecard(TOY_FAMILY, ens, checks=[_check(threshold)], lab=_ToyLab)
    assert float(card["fraction"].sel(finding="T")) == 0.5
    np.testing.assert_array_equal(card["passed"].sel(check="T1").to_numpy(), (gi >= threshold).astype(float))
    assert card["role"].sel(finding="T").item() == "held-out"
    assert card.attrs["thresholds_version"] == thresholds_version([_check(threshold)])
    # a changed threshold is a different, recorded version
    assert thresholds_version([_check(threshold + 1)]) != thresholds_version([_check(threshold)])


def test_flagship_smoke_scorecard_and_bands_agree_with_the_single_model():
    """On the flagship, an ensemble member at the nominal values gives the single-model results."""
    from her2sim.calibration.ensemble import ensemble_time_course
    from her2sim.family import default_family
    from her2sim.library.findings import Lab
    from her2sim.library.literature import KINETIC, evaluate, literature_check
    from her2sim.library.protocols import treat

    fam = default_family()
    model = fam.model()
    k = {p.id: p.value for p in model.parameters}["k_T308"]
    ens = Ensemble.create(model, pd.DataFrame({"k_T308": [k, 1.3 * k, k / 1.3]}), procedure="smoke",
                          details={"training_findings": ["L01"]})
    checks = [literature_check(c) for c in ("L01", "L03a", "L03d")]
    card = ensemble_scorecard(fam, ens, checks=checks)
    # oracle: member 0 (nominal values) passes exactly the checks the single-model scorecard passes
    lab = Lab(model)
    for c in checks:
        assert card["passed"].sel(check=c.id, member=0).item() == float(evaluate(c, lab, KINETIC)[0]), c.id
    assert card["role"].sel(finding="L03d").item() == "contradictory"  # shown on its own row
    assert card["role"].sel(finding="L01").item() == "training"
    assert card["role"].sel(finding="L03").item() == "held-out"
    times = [0.0, 1.0, 24.0, 72.0]
    tc = ensemble_time_course(fam, ens, times, drugs={"lapatinib": 1000.0}, readouts=["pAKT_S473"],
                              keep_members=True)
    ref = treat({"lapatinib": 1000.0}, times=times, outputs=["pAKT_S473"], model=model)
    np.testing.assert_allclose(tc["pAKT_S473"].sel(member=0).to_numpy(), ref["pAKT_S473"].to_numpy(),
                               rtol=1e-6, atol=1e-9)  # same executor and protocol: solver round-off only
    assert np.all(tc["pAKT_S473_p05"] <= tc["pAKT_S473_median"]) and np.all(tc["pAKT_S473_median"] <= tc["pAKT_S473_p95"])
    # a synergy dose matrix over the ensemble: member 0 is the single-model analysis
    from her2sim.analysis import simulate_combination
    from her2sim.calibration.ensemble import over_ensemble

    doses = dict(doses_a=[0.0, 100.0, 1000.0], doses_b=[0.0, 100.0, 1000.0], readouts=())
    comb = over_ensemble(simulate_combination, ens, family=fam, drug_a="lapatinib", drug_b="alpelisib", **doses)
    single = simulate_combination("lapatinib", "alpelisib", model=model, **doses)
    np.testing.assert_allclose(comb["inhibition"].sel(member=0).to_numpy(), single["inhibition"].to_numpy(),
                               rtol=1e-9, atol=1e-9)
    assert np.all(comb["inhibition_p05"] <= comb["inhibition_p95"])


def test_run_with_emcee_sampler(tmp_path):
    yaml_path = _problem(tmp_path)
    run = run_calibration(yaml_path.parent, tmp_path / "run", family=TOY_FAMILY, n_starts=2, n_members=20, seed=1,
                          sampler="emcee", n_steps=60)
    assert run.ensemble.header["procedure"] == "posterior-emcee" and run.ensemble.n_members == 20
    assert run.ensemble.header["details"]["multistart"]["n_starts"] == 2


def test_cli_write_problem_for_the_flagship(tmp_path):
    from pathlib import Path

    from her2sim.cli import app

    ccle = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ccle-dose-response.csv"
    if not ccle.is_file():
        import pytest

        pytest.skip("shared CCLE data not present")
    res = CliRunner().invoke(app, ["calibrate-model", "write-problem", str(tmp_path / "p"), "--ccle", str(ccle)])
    assert res.exit_code == 0, res.output
    assert "measurements" in res.output and (tmp_path / "p" / "constraints.tsv").is_file()
    assert (tmp_path / "p" / "parameter_plan.tsv").is_file()


def test_cli_run_on_a_toy_problem(tmp_path):
    from her2sim.cli import app

    yaml_path = _problem(tmp_path)
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["calibrate-model", "run", str(yaml_path.parent), str(out), "--family",
                                   "toy_receptor_kinase", "-n", "2", "-m", "10", "--seed", "3"])
    assert res.exit_code == 0, res.output
    assert "ensemble of 10 members" in res.output
    assert TOY_FAMILY.ensemble(out / "ensemble").n_members == 10


def test_cli_run_passes_the_fides_hessian_and_time_limit(tmp_path):
    from her2sim.cli import app

    yaml_path = _problem(tmp_path)
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["calibrate-model", "run", str(yaml_path.parent), str(out), "--family",
                                   "toy_receptor_kinase", "-n", "2", "-m", "5", "--hessian", "bfgs",
                                   "--max-time", "60", "--inflation", "0.5"])
    assert res.exit_code == 0, res.output
    assert TOY_FAMILY.ensemble(out / "ensemble").header["details"]["inflation"] == 0.5
    manifest = json.loads((out / "multistart" / "manifest.json").read_text())
    assert manifest["settings"]["options"] == {"maxiter": 1000, "hessian": "bfgs", "maxtime": 60.0}
    # the same optimum as the default (Fisher-information) run of test_cli_run_on_a_toy_problem's
    # settings: 0.01 NLL units, far below the 1.92 of a likelihood-ratio interval
    default = run_calibration(yaml_path.parent, tmp_path / "default", family=TOY_FAMILY, n_starts=2, n_members=5)
    summary = json.loads((out / "summary.json").read_text())
    assert abs(summary["best_objective"] - default.multistart.fval_best) <= 1e-2
    import pytest

    from her2sim.errors import ValidationError

    with pytest.raises(ValidationError, match="inflation"):
        run_calibration(yaml_path.parent, tmp_path / "default", family=TOY_FAMILY, n_starts=2, n_members=5,
                        inflation=0.0)
    # fides options with another optimiser: a clear error naming the option, not a crash
    res = CliRunner().invoke(app, ["calibrate-model", "run", str(yaml_path.parent), str(tmp_path / "x"), "--family",
                                   "toy_receptor_kinase", "--method", "L-BFGS-B", "--hessian", "bfgs"])
    assert res.exit_code != 0 and "--hessian" in res.output


def test_parameter_table_round_trip_and_validate_with_parameters(tmp_path, monkeypatch):
    import pytest

    from her2sim.calibration.fit import read_parameter_values, write_parameter_table
    from her2sim.cli import app
    from her2sim.errors import ValidationError
    from her2sim.io.petab import load_petab
    from her2sim.library import scorecard
    from her2sim.library.her2_model import build

    # oracle 1: write_parameter_table -> read_parameter_values is the identity (repr round trip)
    yaml_path = _problem(tmp_path)
    problem = load_petab(yaml_path)
    written = {"k_off": 0.123456789012345}
    write_parameter_table(problem, written, tmp_path / "best.tsv")
    back = read_parameter_values(tmp_path / "best.tsv")
    assert back["k_off"] == written["k_off"]
    assert list(back) == [p.id for p in problem.parameters if p.estimate]  # the estimated rows, in table order

    # oracle 2: validate --parameters hands the scorecard the model with exactly the estimated model
    # parameters of the table (observation parameters and fixed rows are not applied)
    model = build()
    rows = ["parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate",
            "kdeg_HER2\tlog10\t1e-4\t10\t0.0123\t1",
            "scale_BT474\tlog10\t1e-3\t1e3\t0.7\t1",
            "mu_max\tlog10\t1e-4\t10\t99.0\t0"]
    (tmp_path / "p.tsv").write_text("\n".join(rows) + "\n")
    seen = {}

    def fake_write_scorecard(out, *, model=None):
        seen["model"] = model
        return pd.DataFrame({"verdict": ["reproduced", "not reproduced", "not applicable"]})

    monkeypatch.setattr(scorecard, "write_scorecard", fake_write_scorecard)
    res = CliRunner().invoke(app, ["validate", "--out", str(tmp_path / "v"), "--parameters", str(tmp_path / "p.tsv")])
    assert res.exit_code == 0, res.output
    assert "reproduced 1 of 2 applicable" in res.output
    values = {p.id: p.value for p in seen["model"].parameters}
    assert values["kdeg_HER2"] == 0.0123
    assert values["mu_max"] == {p.id: p.value for p in model.parameters}["mu_max"]  # fixed row: untouched

    # a table of typos is an error naming the closest model parameter, not a silent nominal run
    (tmp_path / "typo.tsv").write_text("parameterId\tnominalValue\testimate\nkdg_HER2\t0.01\t1\n")
    res = CliRunner().invoke(app, ["validate", "--out", str(tmp_path / "v"), "--parameters", str(tmp_path / "typo.tsv")],
                             env={"COLUMNS": "1000"})
    assert res.exit_code != 0 and "Did you mean 'kdeg_HER2'" in res.output
    (tmp_path / "bad.tsv").write_text("parameterId\tnominalValue\nkdeg_HER2\tnan\n")
    with pytest.raises(ValidationError, match="finite"):
        read_parameter_values(tmp_path / "bad.tsv")
