"""Rescue search: which single agents, pairs and triplets restore growth inhibition in a resistant tumour.

For one tumour context and a failing therapy, every candidate combination (one drug per
mechanism class by default) is simulated at the exposures of
:func:`her2sim.analysis.atlas.exposure_table` — all in one ensemble call — and ranked

* by **effect**: % growth inhibition at 72 h (GI), and
* by **synergy**: Bliss excess over the drugs' single-agent effects in the same context
  (``GI_combo − 100·(1 − Π(1 − GI_i/100))``; Bliss 1939), in percentage points.

Only comparable exposures are ranked by default: with a clinical basis, drugs without a curated
clinical exposure (which would be dosed at an in-vitro reference dose such as 1 µM) are left
out and listed in ``attrs["excluded_unexposed"]``; ``include_unexposed=True`` keeps them, and
every combination containing one is flagged (``exposure`` column, and the explanation).

Each hit is explained mechanistically against the failing therapy: the read-outs (pHER2,
pHER3, HER3 protein, pAKT, pS6, pERK) it switches off, i.e. those whose level under the hit is at
most ``off_ratio`` times their level under the failing therapy (levels at ``signal_time``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import ValidationError
from ._runs import default_model, provenance, resolve_context
from .atlas import exposure_table, simulate_therapies

__all__ = ["explain_readouts", "candidate_drugs", "rescue_search", "rescue_table"]


def explain_readouts(model=None) -> dict[str, str]:
    """Read-out -> display name, in pathway order: the model family's ``"rescue"`` read-outs and labels."""
    from ..family import default_family, family_of

    family = family_of(model) or default_family()
    return {r: family.label(r) for r in family.readouts_for("rescue")}


def candidate_drugs(exclude: Sequence[str] = ("T-DM1",)) -> list[str]:
    """Modelled catalogue drugs, without ``exclude`` (T-DM1: its payload is not modelled)."""
    from ..library.drugs import get_drug
    from ._runs import drug_names

    skip = {get_drug(d).name for d in exclude}
    return [d for d in drug_names() if d not in skip]


def _combinations(drugs: Sequence[str], max_size: int, one_per_action: bool, backbone: Sequence[str]) -> list[tuple[str, ...]]:
    from ..library.drugs import get_drug

    action = {d: get_drug(d).action for d in drugs}
    combos: list[tuple[str, ...]] = []
    for size in range(1, max_size + 1):
        for combo in itertools.combinations(drugs, size):
            if one_per_action and len({action[d] for d in combo}) < size:
                continue
            if backbone and not set(backbone) <= set(combo):
                continue
            combos.append(combo)
    return combos


def rescue_search(
    context: Any,
    *,
    failing: str = "trastuzumab",
    candidates: Sequence[str] | None = None,
    backbone: Sequence[str] = (),
    max_size: int = 3,
    one_per_action: bool = True,
    basis: str = "free_average",
    include_unexposed: bool = False,
    time: float = 72.0,
    signal_time: float = 24.0,
    off_ratio: float = 0.5,
    top: int = 10,
    model=None,
    n_threads: int | None = None,
) -> xr.Dataset:
    """Rank single agents, pairs and triplets for a resistant context.

    Parameters
    ----------
    context
        The resistant tumour (genotype, ``" + "``-joined genotypes or cell line).
    failing
        The therapy that fails there (``" + "`` for combinations); the explanation compares
        each hit with it.
    candidates
        Drugs to combine (default :func:`candidate_drugs`).
    backbone
        Drugs every combination must contain (e.g. ``["trastuzumab"]`` to ask what to add).
    max_size
        Largest combination (1-3).
    one_per_action
        At most one drug per mechanism class (no two AKT inhibitors together).
    basis
        Exposure basis of :func:`her2sim.analysis.atlas.exposure_table`.
    include_unexposed
        Also rank drugs without a clinical exposure (at their in-vitro reference dose); they are
        flagged. Default: leave them out (module docstring). Backbone drugs are always kept.

    Other parameters
    ----------------
    time, signal_time
        Growth end point and read-out time (hours).
    off_ratio
        A read-out is "switched off" by a hit if its level is at most this ratio of its level
        under the failing therapy.
    top
        Number of hits explained (all combinations are returned, ranked).

    Returns
    -------
    xarray.Dataset
        Dim ``combination`` (sorted by effect): ``size``, ``inhibition_percent``, ``gr``,
        ``bliss_excess`` (pp; 0 for single agents), ``rank_effect``, ``rank_synergy``, read-outs
        as fractions of the untreated level, ``rank_in_size`` (rank among combinations of the
        same size), ``switched_off`` and ``explanation`` (for the ``top`` by effect overall, within
        each size and by synergy); the failing therapy's values and the exposure table
        in attrs and ``drug`` variables.
    """
    from ..library.drugs import get_drug
    from ._runs import drug_parameter

    model = model or default_model()
    if not 1 <= max_size <= 3:
        raise ValidationError(f"max_size must be 1, 2 or 3, got {max_size!r}")
    if not 0 < off_ratio < 1:
        raise ValidationError(f"off_ratio must be in (0, 1), got {off_ratio!r}")
    if int(top) != top or top < 1:
        raise ValidationError(f"top must be an integer >= 1, got {top!r}")
    label, settings = resolve_context(context)
    drugs = [get_drug(d).name for d in (candidates or candidate_drugs())]
    failing_drugs = [get_drug(p.strip()).name for p in failing.split("+")]
    backbone = [get_drug(d).name for d in backbone]
    for d in backbone:
        if d not in drugs:
            drugs.append(d)
    exposures = exposure_table(basis, sorted(set(drugs) | set(failing_drugs)))
    clinical = exposures.set_index("drug")["clinical"].astype(bool)
    excluded: list[str] = []
    if basis != "in_vitro" and not include_unexposed:
        excluded = [d for d in drugs if not clinical[d] and d not in backbone]
        drugs = [d for d in drugs if d not in excluded]
    combos = _combinations(drugs, max_size, one_per_action, backbone)
    singles = [(d,) for d in drugs]
    all_drugs = sorted(set(drugs) | set(failing_drugs))
    exposures = exposures[exposures["drug"].isin(all_drugs)].reset_index(drop=True)
    conc = exposures.set_index("drug")["concentration_nM"]

    def settings_of(combo: Sequence[str]) -> dict[str, float]:
        out: dict[str, float] = {}
        for d in combo:
            key = drug_parameter(d, model=model)
            out[key] = out.get(key, 0.0) + float(conc[d])
        return out

    names = {" + ".join(c): c for c in combos}
    for c in singles:
        names.setdefault(" + ".join(c), c)
    failing_name = " + ".join(failing_drugs)
    names.setdefault(failing_name, tuple(failing_drugs))
    therapies = {n: settings_of(c) for n, c in names.items()}
    labels = explain_readouts(model)  # read-out -> display name
    ds = simulate_therapies({label: settings}, therapies, time=time, signal_time=signal_time,
                            readouts=tuple(labels), model=model, n_threads=n_threads)
    ds = ds.isel(context=0)
    gi = ds["inhibition_percent"].to_pandas()
    single_effect = {d: gi[d] / 100.0 for d in drugs}
    levels = {r: (ds[r] / ds[f"{r}_untreated"]).to_pandas() for r in labels}
    rows = []
    for name, combo in names.items():
        if name not in {" + ".join(c) for c in combos}:
            continue
        expected = 1.0 - np.prod([1.0 - single_effect.get(d, gi[d] / 100.0) for d in combo])
        unexposed = [d for d in combo if basis != "in_vitro" and not clinical[d]]
        exposure = ("clinical" if basis != "in_vitro" else "in-vitro reference doses") if not unexposed else (
            "NOT COMPARABLE: no clinical exposure for " + ", ".join(unexposed) + " (in-vitro reference dose)")
        rows.append({"combination": name, "size": len(combo), "exposure": exposure, "inhibition_percent": gi[name],
                     "gr": float(ds["gr"].sel(therapy=name)),
                     "bliss_excess": 0.0 if len(combo) == 1 else 100.0 * (gi[name] / 100.0 - expected),
                     **{f"{r}_fraction": levels[r][name] for r in labels}})
    if not rows:
        raise ValidationError("no candidate combination: check candidates, backbone and max_size")
    table = pd.DataFrame(rows).sort_values("inhibition_percent", ascending=False, kind="stable").reset_index(drop=True)
    table["rank_effect"] = np.arange(1, len(table) + 1)
    synergy_rank = table["bliss_excess"].where(table["size"] > 1).rank(ascending=False, method="first")
    table["rank_synergy"] = synergy_rank.fillna(0).astype(int)
    fail_levels = {r: float(levels[r][failing_name]) for r in labels}
    fail_gi = float(gi[failing_name])
    table["rank_in_size"] = table.groupby("size")["inhibition_percent"].rank(ascending=False, method="first").astype(int)
    explain = ((table["rank_effect"] <= top) | ((table["rank_synergy"] > 0) & (table["rank_synergy"] <= top))
               | (table["rank_in_size"] <= top))
    switched, text = [], []
    for _, row in table.iterrows():
        if not explain[_]:
            switched.append("")
            text.append("")
            continue
        off = [labels[r] for r in labels
               if row[f"{r}_fraction"] <= off_ratio * fail_levels[r] and fail_levels[r] > 0.05]
        detail = ", ".join(f"{labels[r]} {fail_levels[r]:.2f}→{row[f'{r}_fraction']:.2f}" for r in labels)
        switched.append(", ".join(off) if off else "none")
        lead = (f"GI {row['inhibition_percent']:.0f} % vs {fail_gi:.0f} % with {failing_name}"
                + (f"; Bliss excess {row['bliss_excess']:+.1f} pp" if row["size"] > 1 else ""))
        verdict = (f"switches off {', '.join(off)} relative to {failing_name}" if off
                   else f"switches no read-out off relative to {failing_name} (acts below or beside them)")
        flag = "" if not row["exposure"].startswith("NOT") else f"[{row['exposure']}] "
        text.append(f"{flag}{lead}; {verdict} (fraction of untreated: {detail})")
    table["switched_off"] = switched
    table["explanation"] = text
    out = xr.Dataset.from_dataframe(table.set_index("combination"))
    for r in labels:
        out[f"{r}_fraction"].attrs.update(units="1", long_name=f"{r} at {signal_time:g} h / untreated level")
    out["inhibition_percent"].attrs.update(units="%", long_name=f"growth inhibition at {time:g} h")
    out["gr"].attrs.update(units="1", long_name=f"GR value at {time:g} h (Hafner 2016)")
    out["bliss_excess"].attrs.update(units="percentage points", reference_model="bliss",
                                     reference="Bliss independence (Bliss CI 1939, Ann Appl Biol 26:585-615)",
                                     long_name="GI minus Bliss-expected GI from the single agents in this context")
    out = out.assign_coords(drug=("drug", all_drugs))
    table_exp = exposures.set_index("drug").loc[all_drugs]
    out["concentration_nM"] = ("drug", table_exp["concentration_nM"].to_numpy(float), {"units": "nM"})
    out["exposure_basis"] = ("drug", table_exp["basis"].astype(str).to_numpy())
    out["exposure_clinical"] = ("drug", table_exp["clinical"].to_numpy(bool))
    out.attrs.update(provenance(
        model, experiment="rescue_search", context=label, failing=failing_name, failing_gi_percent=fail_gi,
        failing_levels=repr({labels[k]: round(v, 4) for k, v in fail_levels.items()}),
        exposure_basis=basis, off_ratio=float(off_ratio), one_per_action=str(one_per_action),
        backbone=", ".join(backbone), max_size=int(max_size), end_time_h=float(time), signal_time_h=float(signal_time),
        include_unexposed=str(include_unexposed),
        excluded_unexposed=", ".join(excluded) or "none",
        n_failed=int(ds.attrs.get("n_failed", 0)),
    ))
    from .atlas import attach_notes, identical_context_notes, treatment_notes

    single = xr.DataArray([0.0], dims="context", coords={"context": [label]})
    return attach_notes(out, treatment_notes(all_drugs) + identical_context_notes(single))


def rescue_table(result: xr.Dataset, *, top: int | None = None) -> pd.DataFrame:
    """Ranked rescue hits as a tidy table (optionally the ``top`` by effect)."""
    frame = result.drop_dims("drug").to_dataframe().reset_index()
    frame = frame.sort_values("rank_effect")
    return frame.head(top) if top else frame
