"""``calibrate-model run``: multistart → waterfall → plausible-population ensemble, resumable.

:func:`run_calibration` takes a problem folder written by
:meth:`her2sim.calibration.flagship_problem.CalibrationProblem.write` (or any PEtab problem on a
family's model) and writes into ``out_dir``:

``multistart/``
    the resumable multistart store (:func:`her2sim.calibration.fit.multistart`): a killed run
    keeps every finished start and the same call runs only the rest;
``waterfall.png``, ``waterfall.tsv``
    the sorted final objectives and the fraction of starts within ``tolerance`` of the best;
``best_parameters.tsv``
    the problem's parameter table with ``nominalValue`` the best fit (model and observation
    parameters; ``her2sim validate --parameters`` takes it);
``ensemble/``
    the plausible population (:func:`her2sim.calibration.ensemble.plausible_population`), with
    the training findings (measured in the problem, or applied as constraints) in its header.
    An existing ensemble made from the same best fit, size, seed and constraints is reused.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .ensemble import Ensemble, load_ensemble, plausible_population, posterior_ensemble

__all__ = ["CalibrationRun", "run_calibration"]


@dataclass(frozen=True)
class CalibrationRun:
    """What :func:`run_calibration` produced: the multistart result, the waterfall numbers, the ensemble."""

    multistart: Any
    fraction_at_optimum: float
    ensemble: Ensemble
    out_dir: Path


def _training_from_problem(problem_dir: Path) -> list[str]:
    """Finding ids with measurements in a problem written by ``CalibrationProblem.write``."""
    path = problem_dir / "constraints.tsv"
    if not path.is_file():
        return []
    df = pd.read_csv(path, sep="\t")
    return sorted(set(df.loc[df["status"] == "fitted (size)", "finding"].astype(str)))


def run_calibration(
    problem: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    family: Any = None,
    n_starts: int = 20,
    n_members: int = 200,
    seed: int = 0,
    method: str = "fides",
    options: Mapping[str, Any] | None = None,
    constraints: Mapping[str, Callable[[Mapping[str, float]], bool]] | None = None,
    constraint_findings: Sequence[str] = (),
    tolerance: float = 0.1,
    max_candidates: int | None = None,
    sampler: str = "plausible",
    n_steps: int = 1000,
    inflation: float = 1.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> CalibrationRun:
    """Multistart fit, waterfall and plausible-population ensemble of a problem (see the module docstring).

    Parameters
    ----------
    problem : path
        The problem's yaml, or the folder holding ``problem.yaml``.
    family : ModelFamily or name, optional
        The family whose model the ensemble belongs to (default: the flagship).
    constraints : mapping, optional
        Acceptance constraints (e.g. :func:`her2sim.calibration.flagship_problem.literature_constraints`);
        ``constraint_findings`` names the findings they stand for (added to the training set).
    inflation : float
        Scale of the plausible population's proposal relative to ``FIM⁻¹``
        (:func:`~her2sim.calibration.ensemble.plausible_population`). On the flagship problem
        (162 estimated parameters) 1 gave no acceptance in 30 candidates, 0.1 accepted 50 of 58.
    sampler : {"plausible", "emcee"}
        The plausible population (Allen et al. 2016; constraints apply) or emcee posterior
        samples (``n_steps`` per walker; constraints do not apply there).
    progress : callable, optional
        ``progress(stage, n_done, n_total)`` with stage ``"multistart"`` or ``"ensemble"``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..family import default_family, get_family
    from .fit import load_multistart, multistart, plot_waterfall, write_parameter_table
    from .objective import PetabObjective

    if sampler not in ("plausible", "emcee"):
        raise ValidationError(f"sampler={sampler!r}; allowed: 'plausible', 'emcee'")
    if not (isinstance(inflation, (int, float)) and math.isfinite(inflation) and inflation > 0):
        raise ValidationError(f"inflation={inflation!r}; allowed: a finite number > 0")
    if sampler == "emcee" and constraints:
        raise ValidationError("constraints apply to sampler='plausible' only (acceptance); emcee samples the likelihood")
    fam = default_family() if family is None else get_family(family) if isinstance(family, str) else family
    model = fam.model()
    path = Path(problem)
    yaml_path = path / "problem.yaml" if path.is_dir() else path
    if not yaml_path.is_file():
        raise ValidationError(f"problem={str(problem)!r}: no problem.yaml there")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    objective = PetabObjective(yaml_path)
    unknown = [pid for pid in objective.x_ids if pid not in model.parameter_ids and not pid.startswith(("scale_",
                                                                                                         "sigma_"))]
    if unknown:
        raise ValidationError(f"the problem estimates {unknown[:3]}, not parameters of family {fam.name!r}'s model")

    def ms_progress(n_done: int, n_total: int, _item: Any) -> None:
        if progress is not None:
            progress("multistart", n_done, n_total)

    result = multistart(objective, n_starts, seed=seed, method=method, options=options, store=out / "multistart",
                        progress=ms_progress)
    result = load_multistart(out / "multistart")
    fvals = np.sort(result.fvals[np.isfinite(result.fvals)])
    frac = result.fraction_reaching(result.fval_best, tolerance)
    pd.DataFrame({"rank": np.arange(1, fvals.size + 1), "objective": fvals}).to_csv(
        out / "waterfall.tsv", sep="\t", index=False, lineterminator="\n")
    ax = plot_waterfall(result, tolerance=tolerance)
    ax.figure.savefig(out / "waterfall.png", dpi=120, bbox_inches="tight")
    plt.close(ax.figure)
    write_parameter_table(objective.problem, result.x_best, out / "best_parameters.tsv")

    key = {"x_best": [float(v) for v in result.x_best], "n_members": int(n_members), "seed": int(seed),
           "sampler": sampler, "n_steps": int(n_steps) if sampler == "emcee" else None,
           "inflation": float(inflation) if sampler == "plausible" else None,
           "constraints": sorted(constraints or {}), "model_fingerprint": model.fingerprint()}
    folder = out / "ensemble"
    if (folder / "header.json").is_file():
        try:
            old = load_ensemble(folder, model)
            if old.header.get("details", {}).get("run_key") == key:
                return CalibrationRun(result, frac, old, out)
        except ValidationError:
            pass
    tick = None if progress is None else (lambda k, n: progress("ensemble", k, n))
    if sampler == "emcee":
        ens = posterior_ensemble(objective, result.x_best, n_members, seed=seed, model=model, n_steps=n_steps,
                                 progress=tick)
    else:
        ens = plausible_population(objective, result.x_best, n_members, seed=seed, model=model,
                                   constraints=constraints, max_candidates=max_candidates, inflation=inflation,
                                   progress=tick)
    training = sorted(set(_training_from_problem(yaml_path.parent)) | set(constraint_findings))
    header = dict(ens.header)
    header["details"] = {**header["details"], "run_key": key, "problem": yaml_path.parent.name,
                         "training_findings": training, "multistart": {
                             "n_starts": result.n_starts, "method": method, "best": result.fval_best,
                             "fraction_at_optimum": frac, "tolerance": tolerance}}
    ens = Ensemble(ens.parameters, header, ens.objective)
    ens.save(folder)
    (out / "summary.json").write_text(json.dumps({
        "best_objective": result.fval_best, "fraction_at_optimum": frac, "n_starts": result.n_starts,
        "n_members": ens.n_members, "procedure": ens.header["procedure"],
        "acceptance": header["details"].get("acceptance_rate", header["details"].get("acceptance_fraction")),
        "training_findings": training}, indent=2) + "\n", encoding="utf-8")
    return CalibrationRun(result, frac, ens, out)
