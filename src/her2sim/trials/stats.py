"""Trial statistics: Wilson intervals, odds ratios, Kaplan-Meier medians and Cox hazard ratios.

Kaplan-Meier and Cox models are lifelines' (``KaplanMeierFitter``, ``CoxPHFitter``); the Wilson
score interval and Woolf's odds-ratio interval are closed forms (scipy's normal quantile).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..errors import ValidationError

__all__ = ["cox_hr", "km_curve", "km_median", "odds_ratio", "wilson"]


def wilson(successes: float, n: float, level: float = 0.95) -> tuple[float, float, float]:
    """Proportion and Wilson score interval ``(p, low, high)``; NaNs for ``n = 0``."""
    if n < 0 or successes < 0 or successes > n:
        raise ValidationError(f"wilson: need 0 <= successes <= n, got {successes!r} of {n!r}")
    if n == 0:
        return (math.nan, math.nan, math.nan)
    z = float(norm.ppf(0.5 + level / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (p, max(0.0, centre - half), min(1.0, centre + half))


def odds_ratio(a: float, b: float, c: float, d: float, level: float = 0.95) -> tuple[float, float, float]:
    """Odds ratio of a 2x2 table (``a`` events / ``b`` non-events in the exposed group, ``c``/``d``
    in the reference) with Woolf's log interval; 0.5 is added to every cell if one is 0 (Haldane)."""
    if min(a, b, c, d) < 0:
        raise ValidationError("odds_ratio: cell counts must be >= 0")
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    orr = (a * d) / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = float(norm.ppf(0.5 + level / 2))
    return (orr, math.exp(math.log(orr) - z * se), math.exp(math.log(orr) + z * se))


def km_median(times: np.ndarray, events: np.ndarray) -> tuple[float, float, float]:
    """Kaplan-Meier median with its 95 % CI (lifelines); ``inf`` when not reached."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    t = np.asarray(times, float)
    e = np.asarray(events, bool)
    keep = np.isfinite(t)
    if keep.sum() == 0:
        return (math.nan, math.nan, math.nan)
    kmf = KaplanMeierFitter().fit(t[keep], e[keep])
    ci = median_survival_times(kmf.confidence_interval_)
    return (float(kmf.median_survival_time_), float(ci.iloc[0, 0]), float(ci.iloc[0, 1]))


def km_curve(times: np.ndarray, events: np.ndarray) -> pd.Series:
    """Kaplan-Meier survival function (index: time)."""
    from lifelines import KaplanMeierFitter

    t = np.asarray(times, float)
    e = np.asarray(events, bool)
    keep = np.isfinite(t)
    return KaplanMeierFitter().fit(t[keep], e[keep]).survival_function_.iloc[:, 0]


def cox_hr(times: np.ndarray, events: np.ndarray, treated: np.ndarray) -> tuple[float, float, float]:
    """Hazard ratio of ``treated`` (1) vs reference (0) from a Cox model (lifelines), with 95 % CI."""
    from lifelines import CoxPHFitter

    df = pd.DataFrame({"t": np.asarray(times, float), "e": np.asarray(events, bool).astype(int),
                       "x": np.asarray(treated, float)})
    df = df[np.isfinite(df["t"])]
    if df["x"].nunique() < 2 or df["e"].sum() == 0:
        return (math.nan, math.nan, math.nan)
    with warnings.catch_warnings():
        # lifelines warns on near-separation in tiny subgroups; the CI then shows it
        warnings.simplefilter("ignore")
        cph = CoxPHFitter().fit(df, duration_col="t", event_col="e")
    s = cph.summary.loc["x"]
    return (float(s["exp(coef)"]), float(s["exp(coef) lower 95%"]), float(s["exp(coef) upper 95%"]))
