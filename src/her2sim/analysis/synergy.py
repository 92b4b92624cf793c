"""Drug combinations: dose matrices and synergy by Bliss, HSA, Loewe and ZIP.

All four reference models compare the observed effect ``E`` (fractional growth inhibition,
``1 − x(a, b)/x_ctrl``; 0 = no effect) of a dose pair with the effect expected if the drugs did
not interact. Every score is ``observed − expected`` in percentage points (positive = synergy,
negative = antagonism), the scale SynergyFinder reports (Ianevski et al. 2017, Bioinformatics
33:2413). Each variable's attrs name its reference model and source:

* **Bliss independence** (Bliss 1939, Ann Appl Biol 26:585): ``E_A + E_B − E_A·E_B``.
* **Highest single agent, HSA** (Berenbaum 1989, Pharmacol Rev 41:93): ``max(E_A, E_B)``.
* **Loewe additivity** (Loewe 1953, Arzneimittelforschung 3:285): the ``E`` that solves
  ``a/A(E) + b/B(E) = 1`` with ``A, B`` the inverse single-agent Hill curves (fitted). Where
  no ``E`` below the weaker drug's maximal effect solves it, the stronger drug's single-agent
  effect is used and ``loewe_defined`` is False there.
* **Zero interaction potency, ZIP** (Yadav B, Wennerberg K, Aittokallio T, Tang J 2015, Comput
  Struct Biotechnol J 13:504): delta score = mean of the row- and column-wise Hill fits of the
  combination (each anchored at the other drug's fitted single-agent effect) minus the Bliss
  product of the fitted single-agent curves. Dose pairs with a zero dose score 0.

**Combination index** (Chou TC, Talalay P 1984, Adv Enzyme Regul 22:27-55; Chou 2006, Pharmacol
Rev 58:621): each single agent's median-effect line ``log(fa/fu) = m·log(D) − m·log(Dm)`` is
fitted by least squares on its doses with ``0 < fa < 1``; at a dose pair with observed effect
``fa`` the Loewe combination index is ``CI = a/Dx_A(fa) + b/Dx_B(fa)`` with
``Dx = Dm·(fa/(1 − fa))^(1/m)``. ``CI < 1``: synergy, ``= 1``: Loewe additivity, ``> 1``:
antagonism; NaN where ``fa`` is outside (0, 1).

Units: effects in the Dataset are fractions (attrs ``units = "1"``) and scores percentage points;
:func:`synergy_table` exports one unit per quantity with the unit in every column name.

Single-agent curves are fitted with :func:`her2sim.analysis.dose_response.fit_log_logistic`
(effect 0 fixed at zero dose; maximal effect, EC50 and Hill slope free).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import brentq

from ..errors import UnknownNameError, ValidationError
from ._runs import default_model, default_readouts, growth_species, provenance, resolve_contexts, run_members
from .dose_response import CurveFit, fit_log_logistic, gr_values

__all__ = [
    "REFERENCES",
    "MODELS",
    "default_grid",
    "simulate_combination",
    "combination_from_frame",
    "read_combination_csv",
    "bliss",
    "hsa",
    "loewe",
    "zip_delta",
    "median_effect_fit",
    "combination_index",
    "synergy",
    "synergy_table",
    "bliss_excess_point",
    "plot_synergy_map",
    "plot_isobologram",
]

REFERENCES: dict[str, str] = {
    "bliss": "Bliss independence (Bliss CI 1939, Ann Appl Biol 26:585-615)",
    "hsa": "highest single agent (Berenbaum MC 1989, Pharmacol Rev 41:93-141)",
    "loewe": "Loewe additivity (Loewe S 1953, Arzneimittelforschung 3:285-90)",
    "zip": "zero interaction potency (Yadav B et al. 2015, Comput Struct Biotechnol J 13:504-13)",
}
MODELS: tuple[str, ...] = ("bliss", "hsa", "loewe", "zip")
CHOU_TALALAY = "Chou TC, Talalay P 1984, Adv Enzyme Regul 22:27-55 (median-effect combination index)"


def default_grid(drug: str, n: int = 8) -> np.ndarray:
    """Default dose axis (nM): 0 then ``n − 1`` log-spaced doses, by modality.

    Antibodies 0.01-100 nM (their Kd are 0.1-1 nM); small molecules 1-10 000 nM.
    """
    from ..library.drugs import get_drug

    if n < 3:
        raise ValidationError(f"a dose axis needs at least 3 points (0 and two doses), got n={n}")
    lo, hi = (0.01, 100.0) if get_drug(drug).modality != "small_molecule" else (1.0, 1e4)
    return np.concatenate([[0.0], np.geomspace(lo, hi, n - 1)])


def _matrix_dataset(effect: np.ndarray, dose_a: np.ndarray, dose_b: np.ndarray, drug_a: str, drug_b: str,
                    unit: str, attrs: Mapping[str, Any]) -> xr.Dataset:
    ds = xr.Dataset(
        {"inhibition": (("dose_a", "dose_b"), effect,
                        {"units": "1", "long_name": "fractional growth inhibition 1 - x/x_ctrl"})},
        coords={"dose_a": ("dose_a", dose_a, {"units": unit, "long_name": f"{drug_a} concentration", "drug": drug_a}),
                "dose_b": ("dose_b", dose_b, {"units": unit, "long_name": f"{drug_b} concentration", "drug": drug_b})},
    )
    ds.attrs.update(attrs)
    ds.attrs.update({"drug_a": drug_a, "drug_b": drug_b})
    return ds


def simulate_combination(
    drug_a: str,
    drug_b: str,
    doses_a: Sequence[float] | None = None,
    doses_b: Sequence[float] | None = None,
    *,
    unit: str = "nM",
    context: Any = "parental",
    time: float = 72.0,
    readouts: Sequence[str] | None = None,
    parameters: Mapping[str, float] | None = None,
    model=None,
    n_threads: int | None = None,
) -> xr.Dataset:
    """Simulate a dose matrix of two drugs (every pair, in one ensemble call).

    Parameters
    ----------
    drug_a, drug_b
        Catalogue names.
    doses_a, doses_b
        Dose axes in ``unit``; must contain 0 (single agents). Default :func:`default_grid` (8).
    context
        One tumour context (genotype, ``" + "``-joined genotypes or cell line).
    time
        End point in hours.
    readouts
        Signalling read-outs returned at ``time`` over the matrix.

    Returns
    -------
    xarray.Dataset
        Dims ``dose_a × dose_b``: ``inhibition`` (fraction), ``relative_viability``, ``gr``,
        read-outs, ``status``; ready for :func:`synergy`.
    """
    from ..library.drugs import get_drug
    from ._runs import drug_parameter

    model = model or default_model()
    if readouts is None:
        readouts = default_readouts("synergy", model)
    a_name, b_name = get_drug(drug_a).name, get_drug(drug_b).name
    da = np.asarray(doses_a if doses_a is not None else default_grid(a_name), dtype=float)
    db = np.asarray(doses_b if doses_b is not None else default_grid(b_name), dtype=float)
    for label, axis in (("doses_a", da), ("doses_b", db)):
        if axis.ndim != 1 or axis.size < 2 or np.any(axis < 0) or not np.any(axis == 0):
            raise ValidationError(f"{label} must be >= 0 and include 0 (the single-agent edge), got {axis.tolist()}")
    (ctx_label, settings), = resolve_contexts([context]).items()
    pa, pb = drug_parameter(a_name, model=model), drug_parameter(b_name, model=model)
    a_nM = np.asarray([get_drug(a_name).to_nM(x, unit) for x in da])
    b_nM = np.asarray([get_drug(b_name).to_nM(x, unit) for x in db])
    base = {**settings, **(parameters or {})}
    members = [dict(base)]
    if pa == pb:  # a sham combination of a drug with itself: concentrations add
        members += [{**base, pa: x + y} for x in a_nM for y in b_nM]
    else:
        members += [{**base, pa: x, pb: y} for x in a_nM for y in b_nM]
    growth = growth_species(model)
    ens = run_members(members, times=[0.0, float(time)], outputs=[growth, *readouts], model=model, n_threads=n_threads)
    cells = ens[growth].values
    x0, x_ctrl = cells[0, 0], cells[0, -1]
    x = cells[1:, -1].reshape(da.size, db.size)
    viability = x / x_ctrl
    ds = _matrix_dataset(1.0 - viability, da, db, a_name, b_name, unit, provenance(
        model, experiment="combination", context=ctx_label, context_settings=repr(settings), end_time_h=float(time),
        unit=unit, n_failed=int(np.count_nonzero(ens["status"].values))))
    ds["relative_viability"] = (("dose_a", "dose_b"), viability, {"units": "1", "long_name": f"x/x_ctrl at {time:g} h"})
    ds["gr"] = (("dose_a", "dose_b"), gr_values(x, x_ctrl, x0), {"units": "1", "long_name": "GR value (Hafner 2016)"})
    ds["status"] = (("dose_a", "dose_b"), ens["status"].values[1:].reshape(da.size, db.size))
    for r in readouts:
        ds[r] = (("dose_a", "dose_b"), ens[r].values[1:, -1].reshape(da.size, db.size),
                 {"units": ens[r].attrs.get("units", ""), "long_name": f"{r} at {time:g} h"})
        ds[f"{r}_untreated"] = ((), float(ens[r].values[0, -1]), {"units": ens[r].attrs.get("units", "")})
    from .atlas import attach_notes, identical_context_notes, treatment_notes

    single = xr.DataArray([0.0], dims="context", coords={"context": [ctx_label]})
    return attach_notes(ds, treatment_notes([a_name, b_name]) + identical_context_notes(single))


def combination_from_frame(frame: pd.DataFrame, *, response: str = "inhibition", drug_a: str = "drug A",
                           drug_b: str = "drug B", unit: str = "nM") -> xr.Dataset:
    """Build a matrix Dataset from a long table with columns ``dose_a, dose_b, response``.

    Replicates (repeated dose pairs) are averaged. ``response`` says what the column holds:
    ``"inhibition"`` (fraction, 0 = none), ``"inhibition_percent"`` or ``"viability"``
    (fraction of untreated, 1 = none).
    """
    for col in ("dose_a", "dose_b", "response"):
        if col not in frame.columns:
            raise ValidationError(f"combination table needs columns dose_a, dose_b, response; missing {col!r}")
    kinds = {"inhibition": lambda v: v, "inhibition_percent": lambda v: v / 100.0, "viability": lambda v: 1.0 - v}
    if response not in kinds:
        raise UnknownNameError("response", response, kinds)
    table = frame.groupby(["dose_a", "dose_b"])["response"].mean().unstack("dose_b")
    if table.isna().any().any():
        raise ValidationError("the combination table must contain every (dose_a, dose_b) pair of its axes")
    da, db = table.index.to_numpy(float), table.columns.to_numpy(float)
    if da[0] != 0 or db[0] != 0:
        raise ValidationError("both dose axes must include 0 (single-agent responses)")
    return _matrix_dataset(kinds[response](table.to_numpy(float)), da, db, drug_a, drug_b, unit,
                           {"source": "user-supplied matrix", "response_input": response})


def read_combination_csv(path: str | Path, **kwargs: Any) -> xr.Dataset:
    """Read a long-format CSV (``dose_a, dose_b, response``) into a matrix Dataset.

    Keyword arguments go to :func:`combination_from_frame`.
    """
    from .dose_response import _read_csv

    return combination_from_frame(_read_csv(path), **kwargs)


# ------------------------------------------------------------------------------------------------
# reference models

def _effect(ds: xr.Dataset, response: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if response not in ds:
        raise UnknownNameError("response", response, list(ds.data_vars))
    e = np.asarray(ds[response].transpose("dose_a", "dose_b").values, dtype=float)
    da, db = ds["dose_a"].values.astype(float), ds["dose_b"].values.astype(float)
    if da[0] != 0 or db[0] != 0:
        raise ValidationError("dose axes must start at 0 (single agents on the first row and column)")
    return e, da, db


def _single_fits(e: np.ndarray, da: np.ndarray, db: np.ndarray) -> tuple[CurveFit, CurveFit]:
    return (fit_log_logistic(da, e[:, 0], top=0.0), fit_log_logistic(db, e[0, :], top=0.0))


def bliss(e: np.ndarray) -> np.ndarray:
    """Bliss-expected effect from the single-agent edges of an effect matrix (doses 0 first)."""
    return e[:, :1] + e[:1, :] - e[:, :1] * e[:1, :]


def hsa(e: np.ndarray) -> np.ndarray:
    """HSA-expected effect: the larger single-agent effect at each dose pair."""
    return np.maximum(e[:, :1], e[:1, :])


def _inverse(fit: CurveFit, effect: float) -> float:
    """Dose at which a single-agent effect curve (top 0) reaches ``effect`` (inf if never)."""
    emax = fit.bottom
    if not (0.0 < effect < emax):
        return float("inf") if effect >= emax else 0.0
    return float(fit.ec50 * (effect / (emax - effect)) ** (1.0 / fit.hill))


def loewe(e: np.ndarray, da: np.ndarray, db: np.ndarray, fits: tuple[CurveFit, CurveFit] | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """Loewe-expected effect and a mask of where the additivity equation has a solution."""
    fa, fb = fits or _single_fits(e, da, db)
    expected = np.full(e.shape, np.nan)
    defined = np.ones(e.shape, dtype=bool)
    expected[:, 0] = e[:, 0]
    expected[0, :] = e[0, :]
    cap = min(fa.bottom, fb.bottom)
    for i, a in enumerate(da):
        for j, b in enumerate(db):
            if a == 0 or b == 0:
                continue

            def g(effect: float) -> float:
                return a / _inverse(fa, effect) + b / _inverse(fb, effect) - 1.0

            hi = cap * (1.0 - 1e-12)
            if cap > 0 and g(hi) < 0:
                expected[i, j] = brentq(g, cap * 1e-12, hi, xtol=1e-14, rtol=1e-12)
            else:
                # no solution below the weaker drug's ceiling: the stronger drug acts alone
                stronger = (fa, a) if fa.bottom >= fb.bottom else (fb, b)
                expected[i, j] = float(stronger[0].predict(stronger[1]))
                defined[i, j] = False
    return expected, defined


def median_effect_fit(dose, effect) -> tuple[float, float]:
    """Chou's median-effect fit of one agent: ``(Dm, m)`` from doses with ``0 < effect < 1``.

    Examples
    --------
    >>> d = np.array([1.0, 10.0, 100.0])
    >>> fa = d**1.5 / (d**1.5 + 20.0**1.5)
    >>> [round(v, 9) for v in median_effect_fit(d, fa)]
    [20.0, 1.5]
    """
    d, fa = np.asarray(dose, dtype=float), np.asarray(effect, dtype=float)
    keep = (d > 0) & (fa > 0) & (fa < 1) & np.isfinite(fa)
    if np.count_nonzero(keep) < 2:
        return float("nan"), float("nan")
    x, y = np.log(d[keep]), np.log(fa[keep] / (1.0 - fa[keep]))
    slope, intercept = np.polyfit(x, y, 1)
    if not slope > 0:
        return float("nan"), float("nan")
    return float(np.exp(-intercept / slope)), float(slope)


def combination_index(e: np.ndarray, da: np.ndarray, db: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
    """Chou-Talalay (Loewe) combination index over a dose matrix (module docstring).

    Returns
    -------
    (numpy.ndarray, dict)
        CI per dose pair (NaN on the single-agent edges and where the effect is outside (0, 1)),
        and the median-effect parameters ``Dm_a, m_a, Dm_b, m_b``.
    """
    dm_a, m_a = median_effect_fit(da, e[:, 0])
    dm_b, m_b = median_effect_fit(db, e[0, :])
    ci = np.full(e.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = e / (1.0 - e)
        dx_a = dm_a * ratio ** (1.0 / m_a)
        dx_b = dm_b * ratio ** (1.0 / m_b)
        value = da[:, None] / dx_a + db[None, :] / dx_b
    inner = (da[:, None] > 0) & (db[None, :] > 0) & (e > 0) & (e < 1)
    ci[inner] = value[inner]
    return ci, {"Dm_a": dm_a, "m_a": m_a, "Dm_b": dm_b, "m_b": m_b}


def zip_delta(e: np.ndarray, da: np.ndarray, db: np.ndarray, fits: tuple[CurveFit, CurveFit] | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """ZIP (Yadav 2015): the fitted-combination surface and the ZIP reference surface."""
    fa, fb = fits or _single_fits(e, da, db)
    ya, yb = fa.predict(da), fb.predict(db)
    reference = ya[:, None] + yb[None, :] - ya[:, None] * yb[None, :]
    along_a = np.full(e.shape, np.nan)  # drug A varies, B fixed (column-wise fits)
    along_b = np.full(e.shape, np.nan)
    for j in range(1, db.size):
        y = e[:, j].copy()
        y[0] = yb[j]
        along_a[:, j] = fit_log_logistic(da, y, top=float(yb[j])).predict(da)
    for i in range(1, da.size):
        y = e[i, :].copy()
        y[0] = ya[i]
        along_b[i, :] = fit_log_logistic(db, y, top=float(ya[i])).predict(db)
    fitted = 0.5 * (along_a + along_b)
    fitted[0, :] = reference[0, :]
    fitted[:, 0] = reference[:, 0]
    return fitted, reference


def synergy(ds: xr.Dataset, *, response: str = "inhibition", models: Sequence[str] = MODELS) -> xr.Dataset:
    """Synergy scores of a dose matrix under each reference model.

    Parameters
    ----------
    ds
        Dims ``dose_a × dose_b`` with both axes starting at 0 (e.g. :func:`simulate_combination`
        or :func:`read_combination_csv`).
    response
        Variable holding the fractional effect (0 = none).
    models
        Any of ``"bliss", "hsa", "loewe", "zip"``.

    Returns
    -------
    xarray.Dataset
        ``<model>_expected`` (fraction) and ``<model>_excess`` (percentage points) over the
        matrix; scalars ``<model>_mean_excess`` and ``<model>_max_excess`` over the dose pairs
        with both doses > 0; every variable names ``reference_model`` and ``reference`` in
        attrs. Loewe adds ``loewe_defined``; fitted single-agent parameters are in attrs.

    Examples
    --------
    >>> d = np.array([0.0, 1.0, 10.0])
    >>> ea, eb = d / (d + 3.0), d / (d + 5.0)
    >>> e = ea[:, None] + eb[None, :] - ea[:, None] * eb[None, :]
    >>> m = xr.Dataset({"inhibition": (("dose_a", "dose_b"), e)}, coords={"dose_a": d, "dose_b": d})
    >>> abs(float(synergy(m, models=["bliss"])["bliss_mean_excess"])) < 1e-12
    True
    """
    e, da, db = _effect(ds, response)
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise UnknownNameError("models", unknown[0], MODELS)
    fits = _single_fits(e, da, db) if any(m in ("loewe", "zip") for m in models) else None
    out = xr.Dataset(coords={k: ds[k] for k in ("dose_a", "dose_b")})
    inner = (da[:, None] > 0) & (db[None, :] > 0)
    for name in models:
        if name == "bliss":
            expected, observed = bliss(e), e
        elif name == "hsa":
            expected, observed = hsa(e), e
        elif name == "loewe":
            expected, defined = loewe(e, da, db, fits)
            observed = e
            out["loewe_defined"] = (("dose_a", "dose_b"), defined,
                                    {"long_name": "Loewe additivity equation solvable at this dose pair",
                                     "reference_model": "loewe", "reference": REFERENCES["loewe"]})
            ci, median_effect = combination_index(e, da, db)
            out["loewe_ci"] = (("dose_a", "dose_b"), ci,
                               {"units": "1", "long_name": "Chou-Talalay combination index (< 1 synergy, 1 additive, "
                                "> 1 antagonism)", "reference_model": "loewe", "reference": CHOU_TALALAY})
            finite = ci[np.isfinite(ci)]
            out["loewe_ci_median"] = ((), float(np.median(finite)) if finite.size else float("nan"),
                                      {"units": "1", "long_name": "median combination index over the dose pairs "
                                       "where it is defined", "reference": CHOU_TALALAY})
            out.attrs["median_effect_fits"] = ", ".join(f"{k} {v:.4g}" for k, v in median_effect.items())
        else:
            observed, expected = zip_delta(e, da, db, fits)
        excess = 100.0 * (observed - expected)
        excess = np.where(inner, excess, 0.0) if name == "zip" else excess
        meta = {"reference_model": name, "reference": REFERENCES[name]}
        out[f"{name}_expected"] = (("dose_a", "dose_b"), expected,
                                   {"units": "1", "long_name": f"{name.upper()}-expected inhibition", **meta})
        out[f"{name}_excess"] = (("dose_a", "dose_b"), excess,
                                 {"units": "percentage points", "long_name": f"{name.upper()} synergy score "
                                  "(observed - expected; > 0 synergy)", **meta})
        out[f"{name}_mean_excess"] = ((), float(np.nanmean(excess[inner])) if inner.any() else float("nan"),
                                      {"units": "percentage points", "long_name": f"mean {name.upper()} score over "
                                       "dose pairs with both drugs present", **meta})
        out[f"{name}_max_excess"] = ((), float(np.nanmax(excess[inner])) if inner.any() else float("nan"),
                                     {"units": "percentage points", "long_name": f"largest {name.upper()} score", **meta})
    out["observed"] = (("dose_a", "dose_b"), e, {"units": "1", "long_name": "observed inhibition"})
    out.attrs.update({k: v for k, v in ds.attrs.items() if isinstance(v, (str, int, float))})
    out.attrs["response"] = response
    out.attrs["score_units"] = "percentage points of inhibition (SynergyFinder convention)"
    if fits is not None:
        for label, f in zip(("a", "b"), fits):
            out.attrs[f"single_agent_{label}_fit"] = (f"Emax {f.bottom:.4g}, EC50 {f.ec50:.4g}, hill {f.hill:.4g}, "
                                                      f"R2 {f.r2:.4g}")
    return out


def synergy_table(scores: xr.Dataset) -> pd.DataFrame:
    """The dose-matrix scores as a tidy table with one unit per quantity, named in every column.

    Effects (observed and expected inhibition) are in percent, excess scores in percentage
    points, the combination index dimensionless, doses in the matrix's unit.
    """
    grid = scores.drop_vars([v for v in scores.data_vars if scores[v].ndim == 0])
    frame = grid.to_dataframe().reset_index()
    unit = scores["dose_a"].attrs.get("units", "nM")
    columns: dict[str, pd.Series] = {
        f"{scores.attrs.get('drug_a', 'drug A')} dose [{unit}]": frame["dose_a"],
        f"{scores.attrs.get('drug_b', 'drug B')} dose [{unit}]": frame["dose_b"],
    }
    for name in frame.columns:
        if name in ("dose_a", "dose_b"):
            continue
        if name == "observed" or name.endswith("_expected"):
            columns[f"{name}_inhibition [%]"] = 100.0 * frame[name]
        elif name.endswith("_excess"):
            columns[f"{name} [percentage points]"] = frame[name]
        elif name == "loewe_ci":
            columns["loewe_ci [1]"] = frame[name]
        else:
            columns[name] = frame[name]
    return pd.DataFrame(columns)


def bliss_excess_point(effect_a: np.ndarray, effect_b: np.ndarray, effect_ab: np.ndarray) -> np.ndarray:
    """Bliss excess (percentage points) at single dose pairs: ``100·(E_AB − (E_A + E_B − E_A·E_B))``."""
    ea, eb, eab = (np.asarray(v, dtype=float) for v in (effect_a, effect_b, effect_ab))
    return 100.0 * (eab - (ea + eb - ea * eb))


# ------------------------------------------------------------------------------------------------
# plotting

def _pyplot():
    from .dose_response import _pyplot as get

    return get()


def plot_synergy_map(scores: xr.Dataset, *, model: str = "bliss", ax=None):
    """Heat map of one model's synergy score over the dose matrix (red = synergy, blue = antagonism)."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 3.8))
    key = f"{model}_excess"
    if key not in scores:
        raise UnknownNameError("model", model, [k[:-7] for k in scores.data_vars if k.endswith("_excess")])
    z = scores[key].transpose("dose_a", "dose_b").values
    lim = max(float(np.nanmax(np.abs(z))), 1.0)
    image = ax.imshow(z, origin="lower", cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    for (i, j), v in np.ndenumerate(z):
        ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=6)
    fmt = [f"{v:.3g}" for v in scores["dose_b"].values]
    ax.set_xticks(range(len(fmt)), fmt, rotation=60, fontsize=6)
    ax.set_yticks(range(scores["dose_a"].size), [f"{v:.3g}" for v in scores["dose_a"].values], fontsize=6)
    unit = scores["dose_a"].attrs.get("units", "nM")
    ax.set_xlabel(f"{scores.attrs.get('drug_b', 'drug B')} [{unit}]")
    ax.set_ylabel(f"{scores.attrs.get('drug_a', 'drug A')} [{unit}]")
    ax.set_title(f"{model.upper()} score [pp]", fontsize=9)
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    return ax


def plot_isobologram(ds: xr.Dataset, *, level: float = 0.5, response: str = "inhibition", ax=None):
    """Isobologram at effect ``level``: observed iso-effect contour and the Loewe additivity line.

    Points below the straight line (drawn between the single-agent doses reaching ``level``)
    mean less drug is needed in combination than additivity predicts: synergy.
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.8))
    e, da, db = _effect(ds, response)
    fa, fb = _single_fits(e, da, db)
    ia, ib = _inverse(fa, level), _inverse(fb, level)
    # log axes: the dose axes are log-spaced, so the zero-dose edge is left out of the contour
    ax.contour(db[1:], da[1:], e[1:, 1:], levels=[level], colors="C3")
    ax.plot([], [], color="C3", label=f"observed {100 * level:g} % inhibition")
    if np.isfinite(ia) and np.isfinite(ib) and ia > 0 and ib > 0:
        a_line = np.geomspace(ia * 1e-4, ia * (1 - 1e-6), 200)
        ax.plot(ib * (1 - a_line / ia), a_line, "k--", lw=1, label="Loewe additivity")
    else:
        ax.text(0.03, 0.03, f"a single agent does not reach {100 * level:g} %: no Loewe isobole",
                transform=ax.transAxes, fontsize=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(db[1], db.max())
    ax.set_ylim(da[1], da.max())
    unit = ds["dose_a"].attrs.get("units", "nM")
    ax.set_xlabel(f"{ds.attrs.get('drug_b', 'drug B')} [{unit}]")
    ax.set_ylabel(f"{ds.attrs.get('drug_a', 'drug A')} [{unit}]")
    ax.legend(fontsize=7, frameon=False)
    return ax
