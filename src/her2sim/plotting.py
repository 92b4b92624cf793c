"""All figures in one place: every ``plot_*`` function of the package, and the one lazy matplotlib import.

Every plot function takes a result Dataset (or table) and ``ax=None`` and returns matplotlib
objects; they live next to the analysis that produces their data and are listed here, so
``her2sim.plotting.plot_dose_response`` and friends are found in one module. matplotlib is an
optional dependency imported only when a figure is drawn (:func:`pyplot`).

Examples
--------
>>> import her2sim.plotting as hp
>>> "plot_morris" in hp.__all__
True
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "pyplot",
    "plot_dose_response", "plot_gr", "plot_synergy_map", "plot_isobologram", "plot_atlas", "plot_regimen",
    "plot_morris", "plot_sobol", "plot_local", "plot_sensitivity", "plot_ranking_heatmap",
    "plot_waterfall", "plot_profiles", "plot_network", "plot_ccle_fit",
]

_WHERE = {
    "plot_dose_response": "her2sim.analysis.dose_response",
    "plot_gr": "her2sim.analysis.dose_response",
    "plot_synergy_map": "her2sim.analysis.synergy",
    "plot_isobologram": "her2sim.analysis.synergy",
    "plot_atlas": "her2sim.analysis.atlas",
    "plot_regimen": "her2sim.analysis.regimen",
    "plot_morris": "her2sim.analysis.sensitivity",
    "plot_sobol": "her2sim.analysis.sensitivity",
    "plot_local": "her2sim.analysis.sensitivity",
    "plot_sensitivity": "her2sim.analysis.sensitivity",
    "plot_ranking_heatmap": "her2sim.analysis.sensitivity",
    "plot_waterfall": "her2sim.calibration.fit",
    "plot_profiles": "her2sim.calibration.profile",
    "plot_network": "her2sim.library.her2_logical",
    "plot_ccle_fit": "her2sim.calibration.ccle",
}


def pyplot() -> Any:
    """``matplotlib.pyplot`` with the non-interactive Agg backend (imported on first use).

    Raises
    ------
    ImportError
        matplotlib is not installed; the message says which extra installs it.
    """
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - exercised by the optional-dependency test
        raise ImportError("figures need matplotlib: pip install 'her2sim[plot]' (or matplotlib)") from exc
    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'her2sim.plotting' has no attribute {name!r}")
