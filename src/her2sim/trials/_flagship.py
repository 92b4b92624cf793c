"""The one place where virtual trials touch the flagship signalling model (an adapter).

Everything the trial machinery needs from the signalling model goes through :func:`signalling_rates`
and :func:`tumour_parameters`: which model parameters a virtual tumour sets, and the model's
steady-state growth, proliferation and death rates of each tumour untreated and under its
drug exposure. When the model family / protocol layer lands, only this module changes.

Each call is **one compiled ensemble call** (:func:`her2sim.simulate_ensemble`) of ``2 n``
members: member ``2 i`` is tumour ``i`` without drug and member ``2 i + 1`` the same tumour at
its drug exposure, both pre-equilibrated to the signalling steady state with the cell
population frozen (``cell_growth_switch = 0``), and read at that steady state. Every member is a
tumour in a patient, so the model's ``in_vivo`` context switch is 1: trastuzumab adds its
FcγR-dependent immune kill (ADCC) to the death rate. The steady
state under a constant exposure is the quasi-steady approximation of a treatment course of
weeks: signalling settles in hours to a few days, while tumour burden changes over weeks.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["ATOL", "MODEL_INPUTS", "PIK3CA_COLUMNS", "RTOL", "compiled_model", "drug_parameter", "signalling_rates", "warm"]

#: Virtual-tumour columns -> flagship model parameters (genotype and expression inputs).
MODEL_INPUTS: dict[str, str] = {
    "her2_expression": "HER2_expression",
    "her3_expression": "HER3_expression",
    "pten_level": "PTEN_level",
    "igf1r_expression": "IGF1R_expression",
    "p95her2_expression": "p95HER2_expression",
    "pik3ca_mut_activity": "PIK3CA_mut_activity",
    "pik3ca_mut_gain": "PIK3CA_mut_gain",
    "pik3ca_helical_activity": "PIK3CA_helical_activity",
    "heregulin_nM": "HRG_nM",
}
#: Tumour columns that carry the PIK3CA allele's model settings (kinase-domain and helical mechanisms).
PIK3CA_COLUMNS: tuple[str, ...] = ("pik3ca_mut_activity", "pik3ca_mut_gain", "pik3ca_helical_activity")

#: Solver and steady-state tolerances of the ensemble call. Against rtol 1e-8 / steady-state rtol
#: 1e-10, these move the steady growth rates of 1000 NeoALTTO tumours under T+L by at most 2e-8 1/h
#: (measured), i.e. < 2e-4 natural-log units of tumour burden over an 18-week course even at the
#: calibrated in-vivo scale, at 0.37x the cost (0.70 vs 1.90 ms per member on this machine).
RTOL = 1e-5
ATOL = 1e-10
SS_RTOL = 1e-7
SS_ATOL = 1e-10

_OUTPUTS = ("growth_rate", "proliferation_rate", "death_rate")


@lru_cache(maxsize=1)
def compiled_model() -> Any:
    """The compiled flagship model (loaded from the content-hash cache when present).

    The cache folder is ``$HER2SIM_CACHE_DIR``; Dask worker processes inherit the environment of
    the process that starts them, so they load the library compiled by the client.
    """
    import her2sim as hs

    from ..library import her2_model

    return hs.compile_model(her2_model.build())


def drug_parameter(drug: str) -> str:
    """The model parameter holding a drug's free concentration (nM)."""
    from ..library import her2_model

    return her2_model.drug_parameter(drug)


def genotype_parameters(pik3ca: str) -> dict[str, float]:
    """Flagship parameters of a PIK3CA allele class (``"wild type"``, ``"H1047R"``, ``"E545K"``).

    Every parameter of :data:`PIK3CA_COLUMNS` is present (0 where the allele does not use it).
    """
    from ..library import her2_model

    settings = {MODEL_INPUTS[col]: 0.0 for col in PIK3CA_COLUMNS}
    if pik3ca != "wild type":
        settings.update(her2_model.genotype_settings([f"PIK3CA {pik3ca}"]))
    return settings


def signalling_rates(inputs: dict[str, np.ndarray], exposure_nM: dict[str, np.ndarray], *,
                     n_threads: int = 1) -> dict[str, np.ndarray]:
    """Steady-state growth, proliferation and death rates (1/h) untreated and under drug.

    Parameters
    ----------
    inputs
        Tumour column (a key of :data:`MODEL_INPUTS`) -> array (n,).
    exposure_nM
        Drug name -> free concentration (nM) per tumour, array (n,). Drugs absent are 0.
    n_threads
        Threads of the compiled ensemble (1 inside a Dask worker that owns one core).

    Returns
    -------
    dict
        ``growth_untreated``, ``growth_treated``, ``proliferation_untreated``,
        ``proliferation_treated``, ``death_untreated``, ``death_treated`` (1/h), ``status``
        (int8, 0 = both members solved) and ``message`` (object). A failed tumour has NaN rates.
    """
    import her2sim as hs

    n = len(next(iter(inputs.values())))
    params: dict[str, np.ndarray] = {}
    for column, parameter in MODEL_INPUTS.items():
        if column in inputs:
            params[parameter] = np.repeat(np.asarray(inputs[column], dtype=float), 2)
    params["in_vivo"] = np.ones(2 * n)  # patients: immune effector cells present (ADCC)
    for drug, conc in exposure_nM.items():
        c = np.zeros(2 * n)
        c[1::2] = np.asarray(conc, dtype=float)
        params[drug_parameter(drug)] = c
    if n == 0:
        empty = np.zeros(0)
        return {f"{o}_{k}": empty for o in ("growth", "proliferation", "death") for k in ("untreated", "treated")} | {
            "status": np.zeros(0, np.int8), "message": np.zeros(0, object)}
    ds = hs.simulate_ensemble(
        compiled_model(), [0.0], params, preequilibrate={"cell_growth_switch": 0.0},
        outputs=list(_OUTPUTS), rtol=RTOL, atol=ATOL, steady_state_rtol=SS_RTOL, steady_state_atol=SS_ATOL,
        n_threads=n_threads,
    )
    status = ds["status"].values.reshape(n, 2)
    message = ds["message"].values.reshape(n, 2)
    out: dict[str, np.ndarray] = {}
    for o in _OUTPUTS:
        v = ds[o].values[:, 0].reshape(n, 2)
        key = o.split("_")[0]
        out[f"{key}_untreated"] = v[:, 0]
        out[f"{key}_treated"] = v[:, 1]
    failed = (status != 0).any(axis=1)
    out["status"] = np.where(failed, np.where(status[:, 1] != 0, status[:, 1], status[:, 0]), 0).astype(np.int8)
    out["message"] = np.where(failed, np.where(status[:, 1] != 0, message[:, 1], message[:, 0]), "").astype(object)
    return out


def warm() -> int:
    """Import and load everything a chunk needs (run on each Dask worker before timing); returns the pid."""
    from ..library import pk

    compiled_model()
    pk.PK_MODELS()
    return os.getpid()


def default_threads() -> int:
    """Threads for a direct (non-Dask) call: every core."""
    return os.cpu_count() or 1
