"""Trial results: per-arm read-outs beside the published values, subgroups, CONSORT, hazard ratios."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from .engine import query, read_tumours
from .spec import Published, TrialSpec
from .stats import cox_hr, km_median, odds_ratio, wilson
from .tumour import TumourModel

__all__ = ["SUBGROUP_FEATURES", "TrialResult"]

#: Subgroup analyses: label -> (column, value that defines the "carrier" group).
SUBGROUP_FEATURES: dict[str, tuple[str, object]] = {
    "HR+": ("hr_positive", True),
    "PIK3CA mutant": ("pik3ca_mutant", True),
    "PTEN loss": ("pten_loss", True),
    "p95-HER2": ("p95her2", True),
    "HER3 high": ("her3_high", True),
    "IGF1R high": ("igf1r_high", True),
}

_SUBGROUP_FILTER = {
    "all": None, "hr_positive": ("hr_positive", True), "hr_negative": ("hr_positive", False),
    "pik3ca_mutant": ("pik3ca_mutant", True), "pik3ca_wild_type": ("pik3ca_mutant", False),
}


@dataclass(frozen=True, eq=False)
class TrialResult:
    """A finished (or resumed) virtual trial: its spec, output folder and tumour model.

    The tumours live in ``out/chunks/*.parquet`` (query them with :meth:`query`); the tables
    below are computed from them on first use.
    """

    spec: TrialSpec
    out: Path
    model: TumourModel

    # ------------------------------------------------------------------------------- data
    @cached_property
    def tumours(self) -> pd.DataFrame:
        """Every tumour (one row each) with a ``pik3ca_mutant`` column added."""
        df = read_tumours(self.out)
        df["pik3ca_mutant"] = df["pik3ca"] != "wild type"
        return df

    def query(self, sql: str) -> pd.DataFrame:
        """DuckDB SQL over the tumours (table ``tumours``)."""
        return query(self.out, sql)

    def _arm(self, name: str) -> pd.DataFrame:
        t = self.tumours
        return t[t["arm"] == name]

    @staticmethod
    def _subset(df: pd.DataFrame, subgroup: str) -> pd.DataFrame:
        f = _SUBGROUP_FILTER[subgroup]
        return df if f is None else df[df[f[0]] == f[1]]

    # ----------------------------------------------------------------------------- tables
    def simulated(self, arm: str, endpoint: str, subgroup: str = "all") -> tuple[float, float, float, int]:
        """Simulated ``(value, ci_low, ci_high, n)`` of an endpoint in an arm/subgroup."""
        df = self._subset(self._arm(arm), subgroup)
        ok = df[df["status"] == 0]
        if endpoint in ("pcr", "orr"):
            if endpoint not in ok or ok[endpoint].isna().all():
                return (math.nan, math.nan, math.nan, len(ok))
            k = float(ok[endpoint].sum())
            p, lo, hi = wilson(k, len(ok))
            return (p, lo, hi, len(ok))
        if endpoint == "median_pfs_months":
            m, lo, hi = km_median(ok["pfs_months"].to_numpy(), ok["pfs_event"].to_numpy() > 0)
            return (m, lo, hi, len(ok))
        if endpoint == "pfs_hr":
            ref = self.spec.reference_arm or self.spec.arms[0].name
            both = self._subset(self.tumours, subgroup)
            both = both[(both["status"] == 0) & both["arm"].isin([ref, arm])]
            hr, lo, hi = cox_hr(both["pfs_months"].to_numpy(), both["pfs_event"].to_numpy() > 0,
                                (both["arm"] == arm).to_numpy())
            return (hr, lo, hi, len(both))
        raise KeyError(endpoint)

    @staticmethod
    def _published_ci(pub: Published) -> tuple[float, float]:
        if pub.ci_low is not None and pub.ci_high is not None:
            return (pub.ci_low, pub.ci_high)
        if pub.endpoint in ("pcr", "orr") and pub.n:
            _, lo, hi = wilson(round(pub.value * pub.n), pub.n)
            return (lo, hi)
        return (math.nan, math.nan)

    def comparison(self) -> pd.DataFrame:
        """Every published value of the spec beside the simulated one.

        Columns: arm, subgroup, endpoint, role (``training``/``predicted``), simulated value and
        95 % CI, n simulated, published value and 95 % CI (given, or Wilson from the published
        arm size), source, ``within`` (simulated value inside the published CI; NaN without one).
        """
        rows = []
        for arm in self.spec.arms:
            for pub in arm.published:
                v, lo, hi, n = self.simulated(arm.name, pub.endpoint, pub.subgroup)
                plo, phi = self._published_ci(pub)
                within = (plo <= v <= phi) if not (math.isnan(plo) or math.isnan(v)) else math.nan
                rows.append({"trial": self.spec.name, "arm": arm.name, "subgroup": pub.subgroup,
                             "endpoint": pub.endpoint, "role": "training" if arm.training else "predicted",
                             "simulated": v, "sim_ci_low": lo, "sim_ci_high": hi, "n_simulated": n,
                             "published": pub.value, "pub_ci_low": plo, "pub_ci_high": phi,
                             "within_published_ci": within, "source": pub.source, "note": pub.note})
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        """One row per arm: n, failed, pCR / ORR / median PFS with 95 % CIs and the published overall values."""
        rows = []
        for arm in self.spec.arms:
            df = self._arm(arm.name)
            row: dict[str, object] = {"trial": self.spec.name, "arm": arm.name,
                                      "role": "training" if arm.training else "predicted",
                                      "n": len(df), "failed": int((df["status"] != 0).sum())}
            for ep in ("pcr", "orr"):  # always present (NaN when not a read-out of the trial)
                v, lo, hi = self.simulated(arm.name, ep)[:3] if ep in self.spec.readouts else (math.nan,) * 3
                row.update({ep: v, f"{ep}_ci_low": lo, f"{ep}_ci_high": hi})
            row.update({"published_pcr": math.nan, "published_pcr_ci_low": math.nan,
                        "published_pcr_ci_high": math.nan, "published_pcr_source": ""})
            if "pfs" in self.spec.readouts:
                v, lo, hi, _ = self.simulated(arm.name, "median_pfs_months")
                row.update({"median_pfs_months": v, "median_pfs_ci_low": lo, "median_pfs_ci_high": hi})
            for pub in arm.published:
                if pub.subgroup == "all":
                    plo, phi = self._published_ci(pub)
                    row.update({f"published_{pub.endpoint}": pub.value, f"published_{pub.endpoint}_ci_low": plo,
                                f"published_{pub.endpoint}_ci_high": phi, f"published_{pub.endpoint}_source": pub.source})
            rows.append(row)
        return pd.DataFrame(rows)

    def subgroups(self) -> pd.DataFrame:
        """Odds ratios (carrier vs not) of the trial's binary read-out per arm and subgroup (forest-plot data)."""
        endpoint = "pcr" if "pcr" in self.spec.readouts else "orr"
        rows = []
        for arm in self.spec.arms:
            df = self._arm(arm.name)
            df = df[df["status"] == 0]
            for label, (col, val) in SUBGROUP_FEATURES.items():
                yes = df[df[col] == val][endpoint]
                no = df[df[col] != val][endpoint]
                if len(yes) == 0 or len(no) == 0:
                    continue
                a, b = float(yes.sum()), float(len(yes) - yes.sum())
                c, d = float(no.sum()), float(len(no) - no.sum())
                o, lo, hi = odds_ratio(a, b, c, d)
                rows.append({"arm": arm.name, "subgroup": label, "endpoint": endpoint, "n_carriers": len(yes),
                             "rate_carriers": yes.mean(), "rate_others": no.mean(), "odds_ratio": o,
                             "or_ci_low": lo, "or_ci_high": hi})
        return pd.DataFrame(rows)

    def hazard_ratios(self) -> pd.DataFrame:
        """Cox PFS hazard ratios of each arm against the reference arm, overall and by HR/PIK3CA status."""
        if "pfs" not in self.spec.readouts:
            return pd.DataFrame()
        ref = self.spec.reference_arm or self.spec.arms[0].name
        rows = []
        for arm in self.spec.arms:
            if arm.name == ref:
                continue
            for sub in _SUBGROUP_FILTER:
                hr, lo, hi, n = self.simulated(arm.name, "pfs_hr", sub)
                rows.append({"arm": arm.name, "reference": ref, "subgroup": sub, "hazard_ratio": hr,
                             "hr_ci_low": lo, "hr_ci_high": hi, "n": n})
        return pd.DataFrame(rows)

    def consort(self) -> pd.DataFrame:
        """CONSORT-style flow: plausible candidates drawn, not selected, randomised, failed, analysed."""
        t = self.tumours
        rows = []
        for arm in self.spec.arms:
            df = t[t["arm"] == arm.name]
            drawn = int(df["candidates"].sum())
            rows.append({"arm": arm.name, "plausible candidates drawn": drawn,
                         "not selected (Allen acceptance / inclusion)": drawn - len(df),
                         "randomised": len(df), "simulation failed": int((df["status"] != 0).sum()),
                         "analysed": int((df["status"] == 0).sum())})
        return pd.DataFrame(rows)

    def to_dataset(self):
        """The per-arm summary as a labelled xarray Dataset (dim ``arm``) with provenance attrs."""
        import xarray as xr

        s = self.summary().set_index("arm")
        ds = xr.Dataset.from_dataframe(s.select_dtypes("number"))
        ds.attrs.update({"trial": self.spec.name, "spec_digest": self.spec.digest(), "seed": self.spec.seed,
                         "tumour_model": repr(self.model), "source": self.spec.source})
        return ds
