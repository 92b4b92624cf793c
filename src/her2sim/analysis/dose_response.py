"""Dose-response experiments and curve fitting: IC50/EC50, Emax, Hill slope, AUC and GR metrics.

Three entry points:

* :func:`simulate_dose_response` — a dose series of one drug or a fixed-ratio mixture on one or
  more tumour contexts (genotypes or cell-line presets), all in one ensemble call;
* :func:`fit_dose_response` — 4-parameter log-logistic fits of a response variable per context;
* :func:`gr_metrics` — growth-rate inhibition metrics (Hafner et al. 2016) from cell numbers;
* :func:`fit_measured` / :func:`read_measured_csv` — the same fits on measured data, with seeded
  bootstrap confidence intervals.

Definitions
-----------
Response curve (4-parameter log-logistic; Ritz et al. 2015 PLoS One 10:e0146021 for the
``drc`` LL.4 form)::

    y(c) = bottom + (top - bottom) / (1 + (c / EC50)^hill)

* ``ec50``: the fitted midpoint (relative EC50); ``ic50``: the concentration at which the
  fitted curve crosses 0.5 of the untreated response (absolute IC50; ``inf`` if never reached);
* ``einf``: the fitted asymptote ``bottom``; ``emax``: the mean response at the highest tested
  concentration (observed); ``auc``: the area under the fitted curve over log10 concentration
  across the tested (non-zero) range, divided by that range (1 = no effect; Fallahi-Sichani et
  al. 2013 Nat Chem Biol 9:708 use the same normalised AUC);
* diagnostics: ``rse`` (residual standard error, ``sqrt(SSR/(n − p))``), ``r2``
  (``1 − SSR/SST``) and ``converged`` (optimiser success and no parameter on a bound).

GR metrics (Hafner M, Niepel M, Chung M, Sorger PK 2016, Nat Methods 13:521-7)::

    GR(c) = 2^(log2(x(c)/x0) / log2(x_ctrl/x0)) - 1
    GR(c) = GRinf + (1 - GRinf) / (1 + (c / GEC50)^h_GR)

``GR50`` is the concentration at which the fitted GR curve equals 0.5 (``+inf`` if the curve
stays above 0.5, ``-inf`` if it stays below); ``GRmax`` is, by default, the smallest GR value at
the two highest tested concentrations (GRmetrics' definition, a robust minimum; ``grmax_doses=1``
gives the value at the highest dose); ``GR_AOC`` is the area over the GR curve, ``∫(1 − GR)
dlog10 c`` by the trapezoid rule on the observed values over the tested range, divided by that
range.

**Flat fits** (GRmetrics, Clark NA, Hafner M et al. 2017, BMC Cancer 17:698; the ``GRmetrics``
Bioconductor package and the ``gr50_tools`` Python code): the sigmoid is kept only if an F-test
finds it significantly better than a flat line at the mean GR (``F = ((RSS_flat − RSS_sigmoid)/2)
/ (RSS_sigmoid/(n − 2))``, the degrees of freedom GRmetrics uses, ``n`` the GR values at
non-zero concentrations). Otherwise ``GEC50 = 0``, ``h_GR = 0.01``, ``GRinf`` = mean GR and
``GR50 = ±inf`` by whether that mean is above or below 0.5. The threshold is
``flat_fit_pvalue`` (default 0.05, the ``pcutoff``/``alpha`` default of both GRmetrics codes;
``None`` forces the sigmoid).

**Censoring.** A potency (IC50, EC50, IC at another level) outside the tested concentration
range is not a measurement: the Datasets report it as the tested bound with a qualifier
``<name>_censored`` = ``"<"`` (below the lowest tested concentration) or ``">"`` (above the
highest, or never reached), ``""`` within the range, and keep the curve's value in
``<name>_extrapolated``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, final

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import least_squares

from ..errors import UnknownNameError, ValidationError
from ._runs import default_model, default_readouts, growth_species, provenance, resolve_contexts, run_members

__all__ = [
    "HAFNER2016",
    "CurveFit",
    "log_logistic",
    "fit_log_logistic",
    "gr_values",
    "gr_curve",
    "simulate_dose_response",
    "fit_dose_response",
    "gr_metrics",
    "flat_fit_pvalue",
    "censor",
    "read_measured_csv",
    "fit_measured",
    "plot_dose_response",
    "plot_gr",
]

HAFNER2016 = "Hafner M et al. 2016, Nat Methods 13:521-7 (GR metrics)"
LL4 = "4-parameter log-logistic (Ritz C et al. 2015, PLoS One 10:e0146021, drc LL.4)"


def log_logistic(concentration, top: float, bottom: float, ec50: float, hill: float) -> np.ndarray:
    """4-parameter log-logistic curve ``bottom + (top − bottom)/(1 + (c/ec50)^hill)``.

    Examples
    --------
    >>> float(log_logistic(10.0, 1.0, 0.0, 10.0, 1.0))
    0.5
    """
    c = np.asarray(concentration, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        u = np.power(np.clip(c, 0.0, None) / ec50, hill)
    return bottom + (top - bottom) / (1.0 + u)


def gr_curve(concentration, gr_inf: float, gec50: float, hill: float) -> np.ndarray:
    """Hafner 2016 GR curve ``GRinf + (1 − GRinf)/(1 + (c/GEC50)^h)`` (top fixed at 1)."""
    return log_logistic(concentration, 1.0, gr_inf, gec50, hill)


@final
@dataclass(frozen=True)
class CurveFit:
    """One 4-parameter log-logistic fit with its diagnostics (see the module docstring)."""

    top: float
    bottom: float
    ec50: float
    hill: float
    ic50: float
    emax: float
    auc: float
    rse: float
    r2: float
    converged: bool
    n_points: int
    message: str = ""

    def predict(self, concentration) -> np.ndarray:
        """The fitted curve at ``concentration``."""
        return log_logistic(concentration, self.top, self.bottom, self.ec50, self.hill)

    def as_dict(self) -> dict[str, Any]:
        """Field values as a plain dict."""
        return asdict(self)


def _crossing(top: float, bottom: float, ec50: float, hill: float, level: float) -> float:
    """Concentration at which the curve crosses ``level`` (inf if it never does)."""
    lo, hi = min(top, bottom), max(top, bottom)
    if not (lo < level < hi):
        return float("inf")
    ratio = (top - bottom) / (level - bottom) - 1.0
    if ratio <= 0:
        return float("inf")
    return float(ec50 * ratio ** (1.0 / hill))


def _normalised_auc(fun, c_lo: float, c_hi: float, n: int = 201) -> float:
    if not (c_hi > c_lo > 0):
        return float("nan")
    grid = np.linspace(np.log10(c_lo), np.log10(c_hi), n)
    return float(np.trapezoid(fun(10.0**grid), grid) / (grid[-1] - grid[0]))


def fit_log_logistic(
    concentration,
    response,
    *,
    top: float | None = None,
    bottom: float | None = None,
    level: float = 0.5,
    hill_bounds: tuple[float, float] = (0.05, 20.0),
    nonnegative: bool = False,
) -> CurveFit:
    """Least-squares fit of the 4-parameter log-logistic curve.

    Parameters
    ----------
    concentration, response : array_like
        Same length; zero concentrations are allowed (they pin ``top``). NaNs are dropped.
    top, bottom : float, optional
        Fix the response at zero / infinite concentration instead of fitting it.
    level : float
        Response level that defines ``ic50`` (default 0.5: half of an untreated response of 1).
    hill_bounds : (float, float)
        Bounds of the Hill slope; a fit on a bound is flagged ``converged=False``.
    nonnegative : bool
        Keep ``top`` and ``bottom`` >= 0 (for responses that cannot be negative, such as
        relative viability: a negative ``einf`` would be a fitting artefact).

    Returns
    -------
    CurveFit

    Raises
    ------
    ValidationError
        Fewer points than free parameters, or no positive concentration.

    Examples
    --------
    >>> c = np.geomspace(0.1, 1000, 9)
    >>> fit = fit_log_logistic(c, log_logistic(c, 1.0, 0.1, 20.0, 1.5))
    >>> round(fit.ec50, 6), round(fit.hill, 6), fit.converged
    (20.0, 1.5, True)
    """
    c = np.asarray(concentration, dtype=float).reshape(-1)
    y = np.asarray(response, dtype=float).reshape(-1)
    if c.shape != y.shape:
        raise ValidationError(f"concentration and response differ in length ({c.size} vs {y.size})")
    keep = np.isfinite(c) & np.isfinite(y)
    c, y = c[keep], y[keep]
    if np.any(c < 0):
        raise ValidationError("concentrations must be >= 0")
    positive = c[c > 0]
    if positive.size == 0:
        raise ValidationError("at least one positive concentration is needed to fit a curve")
    free_top, free_bottom = top is None, bottom is None
    n_free = 2 + free_top + free_bottom
    if c.size < n_free + 1:
        raise ValidationError(f"{c.size} points cannot fit {n_free} free parameters (need at least {n_free + 1})")

    c_lo, c_hi = float(positive.min()), float(positive.max())
    order = np.argsort(c)
    y_first = float(np.mean(y[c == c[order[0]]]))
    y_last = float(np.mean(y[c == c_hi]))
    span = max(float(np.ptp(y)), 1e-6)
    t0 = y_first if free_top else float(top)
    b0 = y_last if free_bottom else float(bottom)
    log_lo, log_hi = np.log10(c_lo) - 3.0, np.log10(c_hi) + 3.0

    def unpack(theta):
        k = 0
        t = theta[k] if free_top else float(top)
        k += free_top
        b = theta[k] if free_bottom else float(bottom)
        k += free_bottom
        return t, b, 10.0 ** theta[k], theta[k + 1]

    def residuals(theta):
        t, b, e, h = unpack(theta)
        return log_logistic(c, t, b, e, h) - y

    y_lo, y_hi = float(np.min(y)) - 2 * span, float(np.max(y)) + 2 * span
    if nonnegative:
        y_lo = max(y_lo, 0.0)
        t0, b0 = max(t0, 0.0), max(b0, 0.0)
    lower = ([y_lo] if free_top else []) + ([y_lo] if free_bottom else []) + [log_lo, hill_bounds[0]]
    upper = ([y_hi] if free_top else []) + ([y_hi] if free_bottom else []) + [log_hi, hill_bounds[1]]
    best = None
    mid = 0.5 * (t0 + b0)
    # start the midpoint where the data cross half-way, plus a spread of slopes and midpoints
    above = positive[np.abs(y[c > 0] - mid) == np.min(np.abs(y[c > 0] - mid))]
    starts_e = {float(np.log10(above[0])), float(np.log10(np.sqrt(c_lo * c_hi)))}
    for log_e in starts_e:
        for h in (0.7, 1.5, 4.0):
            x0 = ([t0] if free_top else []) + ([b0] if free_bottom else []) + [log_e, h]
            x0 = np.clip(x0, np.asarray(lower) + 1e-9, np.asarray(upper) - 1e-9)
            res = least_squares(residuals, x0, bounds=(lower, upper), method="trf",
                                x_scale="jac", xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=4000)
            if best is None or res.cost < best.cost:
                best = res
    assert best is not None  # internal: at least one start ran
    t, b, e, h = unpack(best.x)
    ssr = float(np.sum(best.fun**2))
    sst = float(np.sum((y - y.mean()) ** 2))
    dof = c.size - n_free
    on_lower = np.isclose(best.x, lower, rtol=0, atol=1e-6)
    if nonnegative:  # 0 is a physical limit of the response, not an artificial search bound
        n_levels = int(free_top) + int(free_bottom)
        on_lower[:n_levels] &= np.asarray(lower[:n_levels]) != 0.0
    at_bound = bool(np.any(on_lower | np.isclose(best.x, upper, rtol=0, atol=1e-6)))
    converged = bool(best.success and not at_bound)
    message = best.message if not at_bound else best.message + "; a parameter is on its bound"
    fit = CurveFit(
        top=float(t), bottom=float(b), ec50=float(e), hill=float(h),
        ic50=_crossing(t, b, e, h, level),
        emax=y_last,
        auc=_normalised_auc(lambda x: log_logistic(x, t, b, e, h), c_lo, c_hi),
        rse=float(np.sqrt(ssr / dof)) if dof > 0 else float("nan"),
        r2=float(1.0 - ssr / sst) if sst > 0 else float("nan"),
        converged=converged, n_points=int(c.size), message=str(message),
    )
    return fit


def gr_values(x_treated, x_control, x0=1.0) -> np.ndarray:
    """Vectorised GR value (Hafner 2016), the formula of :func:`her2sim.library.protocols.gr_value`.

    ``nan`` where the control did not grow (GR is undefined there).

    Examples
    --------
    >>> float(gr_values(4.0, 4.0, 1.0)), float(gr_values(1.0, 4.0, 1.0)), float(gr_values(0.5, 4.0, 1.0))
    (1.0, 0.0, -0.2928932188134524)
    """
    from ..library.protocols import gr_value

    def one(x, xc, x_0):
        if not (np.isfinite(x) and np.isfinite(xc) and np.isfinite(x_0)) or xc <= x_0 or x <= 0:
            return np.nan
        return gr_value(x, xc, x_0)

    return np.vectorize(one, otypes=[float])(x_treated, x_control, x0)


# ------------------------------------------------------------------------------------------------
# simulation

Treatment = str | Mapping[str, float]


def _treatment(treatment: Treatment) -> dict[str, float]:
    from ..library.drugs import get_drug

    if isinstance(treatment, str):
        parts = [p.strip() for p in treatment.split("+")]
        ratios = {get_drug(p).name: 1.0 for p in parts}
    elif isinstance(treatment, Mapping):
        ratios = {get_drug(k).name: float(v) for k, v in treatment.items()}
    else:
        raise ValidationError(f"treatment must be a drug name or {{drug: ratio}}, got {treatment!r}")
    if not ratios or any(not (v > 0) for v in ratios.values()):
        raise ValidationError(f"fixed-ratio weights must be > 0, got {ratios}")
    return ratios


def simulate_dose_response(
    treatment: Treatment,
    concentrations: Sequence[float] | None = None,
    *,
    unit: str = "nM",
    contexts: Any = ("parental",),
    time: float = 72.0,
    readouts: Sequence[str] | None = None,
    readout_times: Sequence[float] = (24.0,),
    parameters: Mapping[str, float] | None = None,
    model=None,
    n_threads: int | None = None,
    serum_percent: float = 10.0,
) -> xr.Dataset:
    """Simulate a dose series of one drug or a fixed-ratio mixture on one or more contexts.

    Parameters
    ----------
    treatment
        A drug name (``"lapatinib"``), several joined by ``"+"`` (equal ratio) or a mapping
        ``{drug: ratio}``: each drug's concentration is ``ratio × c`` (in ``unit``) at dose ``c``.
    concentrations
        Nominal doses ``c`` in ``unit`` (default: 12 points, 0.01-10 000 nM, log-spaced); the
        model receives the free concentration in a medium with ``serum_percent`` % serum.
    unit
        Any unit of :data:`her2sim.library.drugs.SUPPORTED_UNITS`; converted per drug by its
        molecular weight.
    contexts
        Tumour contexts (see :func:`her2sim.analysis._runs.resolve_context`), e.g.
        ``["parental", "PTEN loss", "JIMT-1"]``.
    time
        End point in hours (cells counted here; 72 h as in most growth assays).
    readouts, readout_times
        Signalling read-outs returned at these times (hours) as well as at 0 and ``time``.

    Other parameters
    ----------------
    parameters
        Further overrides for every member (e.g. ``{"HRG_nM": 1.0}``).
    model, n_threads
        Model variant and threads of the ensemble.

    Returns
    -------
    xarray.Dataset
        Dims ``context × concentration`` (+ ``time`` for read-outs): ``cells`` (relative number),
        ``x0``, ``x_control``, ``relative_viability`` (x/x_ctrl), ``inhibition_percent``,
        ``gr`` (Hafner 2016), read-outs, ``status``. Per-drug concentrations are coordinates
        ``concentration_<drug>`` in nM.

    Examples
    --------
    >>> ds = simulate_dose_response("lapatinib", [0, 100, 1000], contexts=["parental"], readouts=())
    >>> ds["relative_viability"].dims
    ('context', 'concentration')
    """
    from ..library.drugs import get_drug

    model = model or default_model()
    ratios = _treatment(treatment)
    if concentrations is None:
        concentrations = np.geomspace(0.01, 1e4, 12)
    conc = np.asarray(concentrations, dtype=float).reshape(-1)
    if conc.size == 0 or np.any(~np.isfinite(conc)) or np.any(conc < 0):
        raise ValidationError(f"concentrations must be finite and >= 0, got {concentrations!r}")
    if not time > 0:
        raise ValidationError(f"time must be > 0 hours, got {time!r}")
    ctx = resolve_contexts(contexts)
    if readouts is None:
        readouts = default_readouts("dose_response", model)
    known = set(_readout_names(model))
    for r in readouts:
        if r not in known:
            raise UnknownNameError("readouts", r, known)
    if isinstance(serum_percent, bool) or not isinstance(serum_percent, (int, float)) \
            or not 0.0 <= float(serum_percent) <= 100.0:
        raise ValidationError(f"serum_percent={serum_percent!r} must be a number in [0, 100] (% serum in the medium)")
    per_drug_nM = {name: np.asarray([get_drug(name).to_nM(r * c, unit) for c in conc]) for name, r in ratios.items()}
    # doses are nominal; the model takes the free concentration in a medium with serum_percent % serum
    free_nM = {name: per_drug_nM[name] * get_drug(name).free_fraction_in_medium(float(serum_percent))
               for name in ratios}
    params = {name: _param(name, model) for name in ratios}
    members: list[dict[str, float]] = []
    for settings in ctx.values():
        base = {**settings, **(parameters or {})}
        members.append(dict(base))  # untreated control
        for i in range(conc.size):
            members.append({**base, **{params[n]: float(free_nM[n][i]) for n in ratios}})
    times = sorted({0.0, float(time), *[float(t) for t in readout_times if 0 < t <= time]})
    growth = growth_species(model)
    ens = run_members(members, times=times, outputs=[growth, *readouts], model=model, n_threads=n_threads)
    n_ctx, n_c, n_t = len(ctx), conc.size, len(times)
    shape = (n_ctx, n_c + 1, n_t)

    def block(name):
        return ens[name].values.reshape(shape)

    cells = block(growth)  # the Dataset keeps the name "cells" for the relative cell number
    x0 = cells[:, 0, 0]
    x_ctrl = cells[:, 0, -1]
    x_end = cells[:, 1:, -1]
    status = ens["status"].values.reshape(n_ctx, n_c + 1)
    coords = {
        "context": ("context", list(ctx)),
        "concentration": ("concentration", conc, {"units": unit, "long_name": _label(ratios, unit)}),
        "time": ("time", np.asarray(times), {"units": "hour"}),
    }
    for name in ratios:
        coords[f"concentration_{name}"] = ("concentration", per_drug_nM[name],
                                           {"units": "nM", "long_name": f"{name} concentration (nominal)"})
        coords[f"free_concentration_{name}"] = ("concentration", free_nM[name],
                                                {"units": "nM", "long_name": f"{name} free concentration in "
                                                                             f"{serum_percent:g} % serum"})
    data = {
        "cells": (("context", "concentration", "time"), cells[:, 1:, :],
                  {"units": "1", "long_name": "relative cell number x(t)/x(0)"}),
        "x0": ("context", x0, {"units": "1", "long_name": "cell number at treatment start"}),
        "x_control": ("context", x_ctrl, {"units": "1", "long_name": f"untreated cell number at {time:g} h"}),
        "relative_viability": (("context", "concentration"), x_end / x_ctrl[:, None],
                               {"units": "1", "long_name": f"relative viability x(c)/x_ctrl at {time:g} h"}),
        "inhibition_percent": (("context", "concentration"), 100.0 * (1.0 - x_end / x_ctrl[:, None]),
                               {"units": "%", "long_name": f"growth inhibition at {time:g} h"}),
        "gr": (("context", "concentration"), gr_values(x_end, x_ctrl[:, None], x0[:, None]),
               {"units": "1", "long_name": f"GR value at {time:g} h", "reference": HAFNER2016}),
        "status": (("context", "concentration"), status[:, 1:], {"long_name": "solver status (0 = success)"}),
        "control_status": ("context", status[:, 0], {"long_name": "solver status of the untreated control"}),
    }
    for r in readouts:
        values = block(r)
        data[r] = (("context", "concentration", "time"), values[:, 1:, :],
                   {"units": ens[r].attrs.get("units", ""), "long_name": ens[r].attrs.get("long_name", r)})
        data[f"{r}_untreated"] = (("context", "time"), values[:, 0, :],
                                  {"units": ens[r].attrs.get("units", ""), "long_name": f"{r} in the untreated control"})
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(provenance(
        model, experiment="dose_response", treatment=" + ".join(ratios), ratios=repr(ratios),
        unit=unit, end_time_h=float(time), contexts=repr(ctx), parameter_overrides=repr(dict(parameters or {})),
        serum_percent=float(serum_percent),
        n_failed=int(np.count_nonzero(status)), citation=HAFNER2016,
    ))
    from .atlas import attach_notes, identical_context_notes, treatment_notes

    notes = treatment_notes(ratios) + identical_context_notes(ds["relative_viability"], drugs_of={"": list(ratios)})
    return attach_notes(ds, notes)


def _param(drug: str, model=None) -> str:
    from ._runs import drug_parameter

    return drug_parameter(drug, model=model)


def _label(ratios: Mapping[str, float], unit: str) -> str:
    if len(ratios) == 1:
        return f"{next(iter(ratios))} concentration"
    parts = ":".join(f"{v:g}" for v in ratios.values())
    return f"dose of {' + '.join(ratios)} (fixed ratio {parts}, {unit} of each per unit dose)"


def _readout_names(model) -> list[str]:
    """Outputs a read-out may name: the family's read-outs first, then every species and rule variable."""
    from ..family import family_of

    family = family_of(model)
    ids = [s.id for s in model.species] + [r.variable for r in model.assignment_rules]
    first = [r for r in (family.readouts if family is not None else ()) if r in set(ids)]
    return list(dict.fromkeys([*first, *ids]))


# ------------------------------------------------------------------------------------------------
# fitting Datasets

_FIT_FIELDS = {
    "ic50": ("absolute IC50: concentration where the fitted curve crosses 0.5 (inf: not reached)", None),
    "ec50": ("fitted midpoint (relative EC50)", None),
    "top": ("fitted response at zero concentration", "1"),
    "einf": ("fitted response at infinite concentration (>= 0 for viability)", "1"),
    "emax": ("observed response at the highest tested concentration", "1"),
    "hill": ("Hill slope", "1"),
    "auc": ("area under the fitted curve over log10 concentration, normalised by the range (1 = no effect)", "1"),
    "rse": ("residual standard error sqrt(SSR/(n - p))", "1"),
    "r2": ("coefficient of determination 1 - SSR/SST", "1"),
    "converged": ("optimiser converged with no parameter on a bound", None),
}


def censor(value: float, c_lo: float, c_hi: float) -> tuple[float, str]:
    """A potency against the tested range: ``(reported value, qualifier)``.

    Below the lowest tested concentration → ``(c_lo, "<")``; above the highest or never reached
    (``inf``) → ``(c_hi, ">")``; within → ``(value, "")``; NaN stays NaN.

    Examples
    --------
    >>> censor(0.001, 0.03, 300.0), censor(float("inf"), 0.03, 300.0), censor(5.0, 0.03, 300.0)
    ((0.03, '<'), (300.0, '>'), (5.0, ''))
    """
    if not np.isfinite(value) and not value == np.inf:
        return float("nan"), ""
    if value < c_lo:
        return float(c_lo), "<"
    if value > c_hi:
        return float(c_hi), ">"
    return float(value), ""


def _add_censored(ds: xr.Dataset, name: str, raw: Sequence[float], ranges: Sequence[tuple[float, float]],
                  dim: str, long_name: str, unit: str) -> None:
    pairs = [censor(v, lo, hi) for v, (lo, hi) in zip(raw, ranges)]
    ds[name] = (dim, np.asarray([p[0] for p in pairs], dtype=float),
                {"long_name": f"{long_name}; outside the tested range: the tested bound, see {name}_censored",
                 "units": unit})
    ds[f"{name}_censored"] = (dim, np.asarray([p[1] for p in pairs], dtype=str),
                              {"long_name": f"'<': {name} below the lowest tested concentration; '>': above the "
                                            "highest (or never reached); '': within the tested range"})
    ds[f"{name}_extrapolated"] = (dim, np.asarray(raw, dtype=float),
                                  {"long_name": f"{name} of the fitted curve, even outside the tested range "
                                                "(not a measurement there)", "units": unit})


def _fit_dataset(fits: Mapping[str, CurveFit], dim: str, unit: str, response: str, extra: Mapping[str, Any],
                 ranges: Mapping[str, tuple[float, float]] | None = None,
                 levels: Mapping[str, float] | None = None) -> xr.Dataset:
    labels = list(fits)
    data = {}
    for field, (long_name, units) in _FIT_FIELDS.items():
        attr = "bottom" if field == "einf" else field
        values = [getattr(fits[k], attr) for k in labels]
        data[field] = (dim, np.asarray(values, dtype=bool if field == "converged" else float),
                       {"long_name": long_name, "units": units if units is not None else ("" if field == "converged" else unit),
                        "model": LL4, "response": response})
    data["n_points"] = (dim, np.asarray([fits[k].n_points for k in labels]), {"long_name": "points fitted"})
    ds = xr.Dataset(data, coords={dim: labels})
    if ranges is not None:
        rng = [ranges[k] for k in labels]
        for field in ("ic50", "ec50"):
            _add_censored(ds, field, [getattr(fits[k], field) for k in labels], rng, dim,
                          _FIT_FIELDS[field][0], unit)
        for name, level in (levels or {}).items():
            raw = [_crossing(f.top, f.bottom, f.ec50, f.hill, level) for f in (fits[k] for k in labels)]
            _add_censored(ds, name, raw, rng, dim,
                          f"concentration where the fitted curve crosses {level:g} (absolute, untreated = 1)", unit)
    ds.attrs.update({k: (v if isinstance(v, (str, int, float)) else repr(v)) for k, v in extra.items()})
    ds.attrs["fit_model"] = LL4
    ds.attrs["response"] = response
    return ds


def fit_dose_response(ds: xr.Dataset, *, response: str = "relative_viability",
                      ic_levels: Sequence[float] = (0.5,)) -> xr.Dataset:
    """Fit the 4-parameter log-logistic curve per context of a dose-response Dataset.

    Parameters
    ----------
    ds
        From :func:`simulate_dose_response` (dims ``context × concentration``).
    response
        ``"relative_viability"`` (top fixed at 1, the untreated control) or any other variable
        with dims ``(context, concentration)``; read-outs with a ``time`` dim are taken at the
        last time, normalised to the untreated control.
    ic_levels
        Response levels (untreated = 1) at which absolute inhibitory concentrations are read;
        0.3 adds ``ic70`` (70 % inhibition) with its ``ic70_censored`` qualifier.

    Returns
    -------
    xarray.Dataset
        Dim ``context``: ``ic50, ec50, top, einf, emax, hill, auc, rse, r2, converged, n_points``;
        ``ic50``/``ec50`` with ``*_censored`` and ``*_extrapolated`` (module docstring);
        concentrations in the units of ``ds.concentration``.
    """
    for level in ic_levels:
        if not 0 < level < 1:
            raise ValidationError(f"ic_levels must be in (0, 1) (response relative to untreated), got {level!r}")
    nonnegative = response in ("relative_viability", "cells")
    if response not in ds:
        raise UnknownNameError("response", response, [v for v in ds.data_vars if "concentration" in ds[v].dims])
    values = ds[response]
    fixed_top: float | None = None
    if "time" in values.dims:
        values = values.isel(time=-1) / ds[f"{response}_untreated"].isel(time=-1)
        fixed_top = 1.0
    if response == "relative_viability":
        fixed_top = 1.0
    conc = ds["concentration"].values
    fits = {}
    for label in ds["context"].values:
        y = values.sel(context=label).values
        c_all = np.concatenate([[0.0], conc]) if fixed_top is not None and conc.min() > 0 else conc
        y_all = np.concatenate([[fixed_top], y]) if fixed_top is not None and conc.min() > 0 else y
        fits[str(label)] = fit_log_logistic(c_all, y_all, top=fixed_top, nonnegative=nonnegative)
    unit = ds["concentration"].attrs.get("units", "nM")
    positive = conc[conc > 0]
    tested = (float(positive.min()), float(positive.max())) if positive.size else (np.nan, np.nan)
    levels = {f"ic{100 * (1 - level):g}": level for level in ic_levels if level != 0.5}
    out = _fit_dataset(fits, "context", unit, response,
                       {**ds.attrs, "fitted": f"{response} vs concentration per context"},
                       ranges={k: tested for k in fits}, levels=levels)
    return out


def flat_fit_pvalue(observed, predicted, *, n_parameters: int = 3) -> float:
    """p-value of GRmetrics' F-test: is the sigmoid better than a flat line at the mean?

    ``F = ((RSS_flat − RSS_sigmoid)/(p − 1)) / (RSS_sigmoid/(n − p + 1))`` with ``p = 3`` sigmoid
    parameters and ``n`` values (GRmetrics ``.GRlogisticFit``; ``gr50_tools`` ``_calculate_pval``).
    """
    from scipy.stats import f as f_dist

    y, y_fit = np.asarray(observed, dtype=float), np.asarray(predicted, dtype=float)
    keep = np.isfinite(y) & np.isfinite(y_fit)
    y, y_fit = y[keep], y_fit[keep]
    rss_flat = float(np.sum((y - y.mean()) ** 2))
    rss_sig = float(np.sum((y - y_fit) ** 2))
    df1, df2 = n_parameters - 1, y.size - n_parameters + 1
    if df2 <= 0:
        return float("nan")
    if rss_sig <= 0:
        return 0.0 if rss_flat > 0 else 1.0
    value = ((rss_flat - rss_sig) / df1) / (rss_sig / df2)
    return float(f_dist.sf(value, df1, df2))


def gr_metrics(ds: xr.Dataset, *, flat_fit_pvalue_threshold: float | None = 0.05, grmax_doses: int = 2) -> xr.Dataset:
    """GR50, GRmax, GRinf, GEC50, h_GR and GR_AOC per context (Hafner et al. 2016, GRmetrics rules).

    Parameters
    ----------
    ds
        A Dataset with ``gr`` over ``concentration`` (from :func:`simulate_dose_response` or
        :func:`fit_measured` input), dims ``context × concentration``.
    flat_fit_pvalue_threshold
        GRmetrics' flat-fit rule (module docstring): when the F-test p-value is at or above this,
        the flat fit is reported. Default 0.05, GRmetrics' default; ``None`` keeps every sigmoid.
    grmax_doses
        GRmax is the smallest GR over this many highest tested doses (GRmetrics: 2; 1 gives the
        value at the highest dose).

    Returns
    -------
    xarray.Dataset
        Dim ``context``: ``GR50, GRmax, GRinf, GEC50, h_GR, GR_AOC, rse, r2, converged``,
        ``pval`` (F-test) and ``fit`` (``"sigmoid"`` or ``"flat"``); ``GR50`` also with
        ``GR50_censored`` (``"<"``/``">"`` outside the tested range); every variable's attrs
        name the reference (Hafner 2016).

    Examples
    --------
    >>> c = np.geomspace(0.01, 100, 9)
    >>> gr = gr_curve(c, -0.2, 1.0, 1.0)
    >>> demo = xr.Dataset({"gr": (("context", "concentration"), gr[None, :])},
    ...                   coords={"context": ["demo"], "concentration": c})
    >>> round(float(gr_metrics(demo)["GR50"][0]), 6)
    0.714286
    """
    if "gr" not in ds:
        raise UnknownNameError("variable", "gr", list(ds.data_vars))
    if flat_fit_pvalue_threshold is not None and not 0 < flat_fit_pvalue_threshold <= 1:
        raise ValidationError(f"flat_fit_pvalue_threshold must be in (0, 1] or None, got {flat_fit_pvalue_threshold!r}")
    if int(grmax_doses) != grmax_doses or grmax_doses < 1:
        raise ValidationError(f"grmax_doses must be an integer >= 1, got {grmax_doses!r}")
    conc = np.asarray(ds["concentration"].values, dtype=float)
    unit = ds["concentration"].attrs.get("units", "nM")
    rows: dict[str, dict[str, Any]] = {}
    for label in ds["context"].values:
        gr = np.asarray(ds["gr"].sel(context=label).values, dtype=float)
        positive = (conc > 0) & np.isfinite(gr)
        # the untreated point (c = 0, GR = 1) pins the top; its residual is 0 with top fixed at 1
        c_all = np.concatenate([[0.0], conc[positive]])
        g_all = np.concatenate([[1.0], gr[positive]])
        fit = fit_log_logistic(c_all, g_all, top=1.0)
        # the F-test sees the treated points only, as GRmetrics does (n = their number)
        pval = flat_fit_pvalue(gr[positive], fit.predict(conc[positive]))
        flat = (flat_fit_pvalue_threshold is not None
                and (not np.isfinite(pval) or pval >= flat_fit_pvalue_threshold))
        logc = np.log10(conc[positive])
        g_pos = gr[positive]
        aoc = float(np.trapezoid(1.0 - g_pos, logc) / (logc[-1] - logc[0])) if logc.size > 1 else float("nan")
        n_max = min(int(grmax_doses), int(positive.sum()))
        grmax = float(np.min(g_pos[-n_max:])) if n_max else float("nan")
        if flat:
            mean = float(np.mean(g_pos))
            gr50 = float("inf") if mean > 0.5 else float("-inf")
            values = {"GR50": gr50, "GRinf": mean, "GEC50": 0.0, "h_GR": 0.01}
        else:
            gr50 = _crossing(1.0, fit.bottom, fit.ec50, fit.hill, 0.5)
            if not np.isfinite(gr50):
                gr50 = float("inf") if fit.bottom > 0.5 else float("-inf")
            values = {"GR50": gr50, "GRinf": fit.bottom, "GEC50": fit.ec50, "h_GR": fit.hill}
        lo, hi = (float(conc[positive].min()), float(conc[positive].max())) if positive.any() else (np.nan, np.nan)
        qualifier = "" if lo <= abs(values["GR50"]) <= hi else ("<" if values["GR50"] < lo else ">")
        rows[str(label)] = {**values, "GRmax": grmax, "GR_AOC": aoc, "rse": fit.rse, "r2": fit.r2,
                            "converged": fit.converged, "pval": pval, "fit": "flat" if flat else "sigmoid",
                            "GR50_censored": qualifier if np.isfinite(values["GR50"]) else ">"}
    labels = list(rows)
    meta = {
        "GR50": ("concentration at which the fitted GR curve equals 0.5 (+inf: stays above, -inf: stays below)", unit),
        "GR50_censored": ("'<'/'>': GR50 below/above the tested range (not a measurement); '': within", None),
        "GRmax": (f"smallest GR value over the {int(grmax_doses)} highest tested concentrations (observed)", "1"),
        "GRinf": ("fitted GR asymptote at infinite concentration (flat fit: mean GR)", "1"),
        "GEC50": ("fitted GR curve midpoint (flat fit: 0)", unit),
        "h_GR": ("Hill slope of the GR curve (flat fit: 0.01)", "1"),
        "GR_AOC": ("area over the GR curve over log10 concentration, normalised by the tested range", "1"),
        "rse": ("residual standard error of the GR fit", "1"),
        "r2": ("R^2 of the GR fit", "1"),
        "converged": ("GR fit converged with no parameter on a bound", None),
        "pval": ("F-test p-value of the sigmoid against a flat line (GRmetrics)", "1"),
        "fit": ("sigmoid, or flat when the F-test p-value >= the threshold (GRmetrics rule)", None),
    }
    kinds = {"converged": bool, "GR50_censored": str, "fit": str}
    data = {k: ("context", np.asarray([rows[l][k] for l in labels], dtype=kinds.get(k, float)),
                {"long_name": v[0], **({"units": v[1]} if v[1] is not None else {}), "reference": HAFNER2016})
            for k, v in meta.items()}
    out = xr.Dataset(data, coords={"context": labels})
    out.attrs.update({k: v for k, v in ds.attrs.items() if isinstance(v, (str, int, float))})
    out.attrs["citation"] = HAFNER2016
    out.attrs["flat_fit_rule"] = (f"F-test p >= {flat_fit_pvalue_threshold}: flat fit (GRmetrics, Clark et al. 2017)"
                                  if flat_fit_pvalue_threshold is not None else "sigmoid forced")
    out.attrs["grmax_doses"] = int(grmax_doses)
    return out


# ------------------------------------------------------------------------------------------------
# measured data

_REQUIRED = ("dose", "response", "replicate")


def _read_csv(path: str | Path) -> pd.DataFrame:
    """``pandas.read_csv`` with malformed files reported as a her2sim error naming the file."""
    try:
        return pd.read_csv(path)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: not a readable CSV table ({type(exc).__name__}: {exc})") from None


def read_measured_csv(path: str | Path) -> pd.DataFrame:
    """Read measured dose-response data: columns ``dose, response, replicate [, drug, cell_line]``.

    Raises
    ------
    ValidationError
        A required column is missing or a value is not numeric.
    """
    frame = _read_csv(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise ValidationError(f"{path}: missing column(s) {missing}; the layout is dose, response, replicate "
                              f"[, drug, cell_line]; found {list(frame.columns)}")
    for col in ("dose", "response"):
        try:
            frame[col] = pd.to_numeric(frame[col])
        except (ValueError, TypeError):
            raise ValidationError(f"{path}: column {col!r} must be numeric") from None
    if frame.empty:
        raise ValidationError(f"{path}: no data rows")
    if (frame["dose"] < 0).any() or not np.isfinite(frame["dose"]).all():
        raise ValidationError(f"{path}: column 'dose' must be finite and >= 0")
    for col in ("drug", "cell_line"):
        if col not in frame.columns:
            frame[col] = "unspecified"
        frame[col] = frame[col].astype(str)
    return frame


def fit_measured(
    data: pd.DataFrame | str | Path,
    *,
    n_boot: int = 200,
    seed: int = 0,
    confidence: float = 0.95,
    top: float | None = None,
    dose_unit: str = "nM",
    ic_levels: Sequence[float] = (0.5,),
    nonnegative: bool = True,
    flat_fit_pvalue_threshold: float | None = 0.05,
) -> xr.Dataset:
    """Fit measured dose-response data per (drug, cell line), with bootstrap confidence intervals.

    The bootstrap resamples replicates *within each dose* (stratified case resampling, so every
    dose stays represented) and refits; the interval is the percentile interval of the refits.

    Parameters
    ----------
    data
        A DataFrame or CSV path in the layout of :func:`read_measured_csv`.
    n_boot
        Bootstrap refits (0: no intervals).
    seed
        Seed of the bootstrap's :class:`numpy.random.Generator`; same seed, same intervals.
    confidence
        Interval coverage (default 0.95).
    top
        Fix the response at zero dose (e.g. 1.0 for data normalised to untreated).
    dose_unit
        Unit of the ``dose`` column (recorded in the result).
    ic_levels
        Response levels (untreated = 1) at which inhibitory concentrations are read: 0.3 adds
        ``ic70`` (with bootstrap bounds and its censoring qualifier).
    nonnegative
        Keep the fitted ``top``/``einf`` >= 0 (responses normalised to untreated viability).
    flat_fit_pvalue_threshold
        GRmetrics' flat-fit rule applied to the measured curve: when the sigmoid is not
        significantly better than a flat line at the mean response (F-test p >= the threshold,
        default 0.05 as in GRmetrics), the group is reported as flat: ``einf`` = ``top`` = the
        mean response, ``ec50`` = 0, ``hill`` = 0.01, ``ic50`` = +inf if the mean is above 0.5
        (else 0), each censored against the tested range, and no bootstrap interval. ``None``
        keeps every sigmoid.

    Returns
    -------
    xarray.Dataset
        Dim ``group`` (``"<drug> | <cell_line>"``) with the fit fields, ``pval`` and ``fit``
        (``"sigmoid"`` or ``"flat"``), and ``<field>_lower`` /
        ``<field>_upper`` for ``ic50, ec50, einf, hill, auc`` (and each extra IC level);
        potencies outside the tested doses are censored (module docstring); attrs record
        ``seed`` and ``n_boot``.
    """
    for level in ic_levels:
        if not 0 < level < 1:
            raise ValidationError(f"ic_levels must be in (0, 1) (response relative to untreated), got {level!r}")
    extra_levels = {f"ic{100 * (1 - level):g}": float(level) for level in ic_levels if level != 0.5}
    frame = read_measured_csv(data) if not isinstance(data, pd.DataFrame) else data.copy()
    for col in ("drug", "cell_line"):
        if col not in frame.columns:
            frame[col] = "unspecified"
    if not 0 < confidence < 1:
        raise ValidationError(f"confidence must be in (0, 1), got {confidence!r}")
    if flat_fit_pvalue_threshold is not None and not 0 < flat_fit_pvalue_threshold <= 1:
        raise ValidationError(
            f"flat_fit_pvalue_threshold must be in (0, 1] or None, got {flat_fit_pvalue_threshold!r}")
    rng = np.random.default_rng(seed)
    fits: dict[str, CurveFit] = {}
    pvals: dict[str, float] = {}
    flat: dict[str, bool] = {}
    intervals: dict[str, dict[str, tuple[float, float]]] = {}
    ranges: dict[str, tuple[float, float]] = {}
    for (drug, line), group in frame.groupby(["drug", "cell_line"], sort=True):
        label = f"{drug} | {line}"
        c = group["dose"].to_numpy(float)
        y = group["response"].to_numpy(float)
        fits[label] = fit_log_logistic(c, y, top=top, nonnegative=nonnegative)
        # GRmetrics' F-test with the sigmoid's free parameters (3 with the top fixed, else 4)
        pvals[label] = flat_fit_pvalue(y, fits[label].predict(c), n_parameters=3 if top is not None else 4)
        flat[label] = flat_fit_pvalue_threshold is not None and not pvals[label] < flat_fit_pvalue_threshold
        if flat[label]:
            mean = float(np.nanmean(y))
            fits[label] = replace(fits[label], top=mean, bottom=mean, ec50=0.0, hill=0.01,
                                  ic50=float("inf") if mean > 0.5 else 0.0, auc=mean,
                                  message=f"flat fit: sigmoid not better than the mean (F-test p = {pvals[label]:.3g})")
        tested = c[(c > 0) & np.isfinite(c)]
        ranges[label] = (float(tested.min()), float(tested.max())) if tested.size else (np.nan, np.nan)
        boots: dict[str, list[float]] = {k: [] for k in ("ic50", "ec50", "bottom", "hill", "auc", *extra_levels)}
        by_dose = [np.flatnonzero(c == d) for d in np.unique(c)]
        for _ in range(0 if flat[label] else int(n_boot)):
            idx = np.concatenate([rng.choice(ix, size=ix.size, replace=True) for ix in by_dose])
            try:
                f = fit_log_logistic(c[idx], y[idx], top=top, nonnegative=nonnegative)
            except ValidationError:
                continue
            for k in boots:
                boots[k].append(_crossing(f.top, f.bottom, f.ec50, f.hill, extra_levels[k]) if k in extra_levels
                                else getattr(f, k))
        alpha = (1.0 - confidence) / 2.0
        intervals[label] = {
            k: ((float(np.quantile(v, alpha)), float(np.quantile(v, 1 - alpha))) if v else (np.nan, np.nan))
            for k, v in boots.items()
        }
    out = _fit_dataset(fits, "group", dose_unit, "measured response",
                       {"n_boot": int(n_boot), "seed": int(seed), "confidence": float(confidence),
                        "bootstrap": "replicates resampled with replacement within each dose; percentile interval"},
                       ranges=ranges, levels=extra_levels)
    labels = list(fits)
    pairs = [("ic50", "ic50"), ("ec50", "ec50"), ("bottom", "einf"), ("hill", "hill"), ("auc", "auc"),
             *[(k, k) for k in extra_levels]]
    for key, name in pairs:
        for side, j in (("lower", 0), ("upper", 1)):
            out[f"{name}_{side}"] = ("group", np.asarray([intervals[l][key][j] for l in labels]),
                                     {"long_name": f"{100 * confidence:g} % bootstrap {side} bound of {name}",
                                      "units": out[name].attrs["units"], "seed": int(seed)})
    out["pval"] = ("group", np.asarray([pvals[l] for l in labels]),
                   {"long_name": "F-test p-value of the sigmoid against a flat line (GRmetrics)", "units": "1"})
    out["fit"] = ("group", np.asarray(["flat" if flat[l] else "sigmoid" for l in labels], dtype=object),
                  {"long_name": "fitted form (flat when p >= flat_fit_pvalue_threshold)",
                   "threshold": "none" if flat_fit_pvalue_threshold is None else float(flat_fit_pvalue_threshold)})
    out = out.assign_coords(drug=("group", [l.split(" | ")[0] for l in labels]),
                            cell_line=("group", [l.split(" | ")[1] for l in labels]))
    return out


# ------------------------------------------------------------------------------------------------
# plotting (matplotlib imported lazily; Agg backend)

def _pyplot():
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_dose_response(ds: xr.Dataset, *, response: str = "relative_viability", fits: xr.Dataset | None = None, ax=None):
    """Response against concentration per context, with fitted curves if ``fits`` is given.

    Returns
    -------
    matplotlib.axes.Axes
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.6))
    conc = ds["concentration"].values
    positive = conc > 0
    grid = np.geomspace(conc[positive].min(), conc[positive].max(), 200) if positive.any() else conc
    for i, label in enumerate(ds["context"].values):
        color = f"C{i % 10}"
        values = ds[response].sel(context=label)
        if "time" in values.dims:
            values = values.isel(time=-1)
        ax.plot(conc[positive], values.values[positive], "o", color=color, label=str(label), ms=4)
        if fits is not None and str(label) in fits["context"].values:
            f = fits.sel(context=str(label))
            ax.plot(grid, log_logistic(grid, float(f["top"]), float(f["einf"]), float(f["ec50"]), float(f["hill"])),
                    "-", color=color, lw=1.2)
    ax.set_xscale("log")
    unit = ds["concentration"].attrs.get("units", "nM")
    ax.set_xlabel(f"{ds['concentration'].attrs.get('long_name', 'concentration')} [{unit}]")
    ax.set_ylabel(ds[response].attrs.get("long_name", response))
    ax.legend(fontsize=7, frameon=False)
    return ax


def plot_gr(ds: xr.Dataset, *, metrics: xr.Dataset | None = None, ax=None):
    """GR values against concentration per context, with the fitted GR curves (Hafner 2016)."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.6))
    conc = ds["concentration"].values
    positive = conc > 0
    grid = np.geomspace(conc[positive].min(), conc[positive].max(), 200)
    for i, label in enumerate(ds["context"].values):
        color = f"C{i % 10}"
        ax.plot(conc[positive], ds["gr"].sel(context=label).values[positive], "o", ms=4, color=color, label=str(label))
        if metrics is not None:
            m = metrics.sel(context=str(label))
            ax.plot(grid, gr_curve(grid, float(m["GRinf"]), float(m["GEC50"]), float(m["h_GR"])), "-", lw=1.2, color=color)
    ax.axhline(0.0, color="0.5", lw=0.6, ls="--")
    ax.axhline(0.5, color="0.8", lw=0.6, ls=":")
    ax.set_xscale("log")
    ax.set_ylim(-1.05, 1.1)
    ax.set_xlabel(f"{ds['concentration'].attrs.get('long_name', 'concentration')} [{ds['concentration'].attrs.get('units', 'nM')}]")
    ax.set_ylabel("GR value (Hafner 2016)")
    ax.legend(fontsize=7, frameon=False)
    return ax
