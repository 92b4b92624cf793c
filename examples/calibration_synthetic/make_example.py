"""Generate the synthetic calibration example: a PEtab problem on the flagship model.

Six parameters of ``her2sim.library.her2_model`` (five kinetic, one read-out scale) are to be
recovered from synthetic western-blot-like data: pAKT (S473), pERK, pS6 and total HER3 in
parental and PTEN-null cells, untreated, with lapatinib 1 µM or with alpelisib 1 µM, at
0.25–48 h after treatment. The data are simulated at known "true" values (nominal × a stated
factor) and given 10 % log-normal noise with a fixed seed.

Run ``python make_example.py`` to rewrite the files next to this script (or
``python make_example.py OUT_DIR``). ``tests/test_calibration_model.py`` regenerates them in a
temporary folder and compares with the committed files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from her2sim.calibration.model_problem import (
    Estimate,
    ObservableSpec,
    PetabTables,
    measurement_design,
    petab_tables_for_model,
    synthetic_measurements,
)
from her2sim.library.her2_model import build

#: Seed of the measurement noise (numpy default_rng); chosen once, before any fit was run.
SEED = 5

#: Noise: standard deviation on the natural-log scale (≈ 10 % multiplicative, a typical
#: quantitative western-blot replicate CV; assumed).
SIGMA_LOG = 0.1

#: Hours after treatment start (pre-equilibrated untreated before t = 0).
TIMES = (0.25, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0)

#: Conditions: context (genotype) × treatment. 1 µM lapatinib blocks HER2/EGFR kinase
#: (IC50 9 nM × cellular shift 10); 1 µM alpelisib blocks p110α (IC50 5 nM × 10).
CONDITIONS = {
    "wt_control": {"context": "parental"},
    "wt_lapatinib": {"context": "parental", "drugs": {"lapatinib": 1000.0}},
    "wt_alpelisib": {"context": "parental", "drugs": {"alpelisib": 1000.0}},
    "ptenNull_control": {"context": "PTEN loss"},
    "ptenNull_lapatinib": {"context": "PTEN loss", "drugs": {"lapatinib": 1000.0}},
    "ptenNull_alpelisib": {"context": "PTEN loss", "drugs": {"alpelisib": 1000.0}},
}

#: Read-outs: phospho-fractions directly (a calibrated phospho-assay), total HER3 in
#: arbitrary units through an unknown scale ``s_HER3`` (a western blot without a standard).
OBSERVABLES = {
    "obs_pAKT": ObservableSpec("pAKT_S473", SIGMA_LOG, "log", name="pAKT S473 (fraction of AKT)"),
    "obs_pERK": ObservableSpec("pERK", SIGMA_LOG, "log", name="pERK1/2 (fraction of ERK)"),
    "obs_pS6": ObservableSpec("pS6", SIGMA_LOG, "log", name="pS6 (fraction of S6)"),
    "obs_HER3": ObservableSpec("s_HER3 * HER3_total", SIGMA_LOG, "log", name="total HER3 (a.u.)"),
}

#: Estimated parameters: bounds ×/÷ 10 around the model value on log10 (kdeg_HER3 rounded to
#: 0.017–1.7 /h; s_HER3: 1e-3–10 a.u./nM
#: with a starting guess 0.1). Why these: each has a read-out and a contrast that informs it —
#: k_T308 (PDK1 → AKT T308, PI3K/AKT activation) sets pAKT; kcat_PTEN (PTEN activity) sets the
#: parental vs PTEN-null pAKT difference; HER3_FOXO_fold (AKT ⊣ FOXO → HER3 feedback strength)
#: sets the size of the HER3 rebound under lapatinib/alpelisib and kdeg_HER3 its time course;
#: k_ERK_p (MEK → ERK) sets pERK and its drop under lapatinib.
ESTIMATE = {
    "k_T308": Estimate(6.0, 600.0, "log10"),
    "kcat_PTEN": Estimate(5400.0, 540000.0, "log10"),
    "HER3_FOXO_fold": Estimate(0.4, 40.0, "log10"),
    "kdeg_HER3": Estimate(0.017, 1.7, "log10"),
    "k_ERK_p": Estimate(4.0, 400.0, "log10"),
    "s_HER3": Estimate(1e-3, 10.0, "log10", nominal=0.1),
}

#: True values = nominal × factor. The factors are chosen (not biological claims) to put the
#: truth away from the starting point, inside the bounds, in both directions. s_HER3 is set
#: directly: 1/32 a.u. per nM makes untreated parental HER3 (≈ 32 nM) read ≈ 1 a.u.
TRUE_FACTORS = {"k_T308": 0.5, "kcat_PTEN": 2.0, "HER3_FOXO_fold": 1.5, "kdeg_HER3": 1.4, "k_ERK_p": 0.7}
TRUE_S_HER3 = 1.0 / 32.0


def true_values() -> dict[str, float]:
    """The generating parameter values (linear scale)."""
    model = build()
    values = {pid: model.get_parameter(pid).value * f for pid, f in TRUE_FACTORS.items()}
    values["s_HER3"] = TRUE_S_HER3
    return {pid: float(values[pid]) for pid in ESTIMATE}


def example_tables() -> PetabTables:
    """The problem's tables with the synthetic measurements."""
    design = measurement_design(list(CONDITIONS), list(OBSERVABLES), TIMES)
    tables = petab_tables_for_model(
        build(), estimate=ESTIMATE, conditions=CONDITIONS, observables=OBSERVABLES, measurements=design,
    )
    return tables.with_measurements(synthetic_measurements(tables, true_values(), seed=SEED))


def write_example(out_dir: str | Path) -> Path:
    """Write the PEtab files and ``example.json`` (truth, seed, model fingerprint) to ``out_dir``."""
    out = Path(out_dir)
    tables = example_tables()
    yaml_path = tables.write(out)
    model = tables.model
    record = {
        "description": "synthetic calibration example on the flagship model (see README.md)",
        "model_id": model.id,
        "model_sha256": model.fingerprint(),
        "seed": SEED,
        "noise": f"log-normal, sigma {SIGMA_LOG} on the natural-log scale",
        "true_values": true_values(),
        "true_value_provenance": {
            **{k: f"model nominal x {f}" for k, f in TRUE_FACTORS.items()},
            "s_HER3": "chosen: 1/32 a.u. per nM (untreated parental HER3 reads ~1 a.u.)",
        },
    }
    (out / "example.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return yaml_path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    print(write_example(target))
