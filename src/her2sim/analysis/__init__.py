"""Analyses on the flagship model: dose response, synergy, resistance atlas, rescue search, regimens,
sensitivity (local, Morris, Sobol).

Results are :class:`xarray.Dataset` objects with named dimensions, units and provenance.
"""

from __future__ import annotations

from .atlas import atlas_table, exposure_table, plot_atlas, resistance_atlas
from .dose_response import (
    fit_dose_response,
    fit_log_logistic,
    fit_measured,
    gr_metrics,
    plot_dose_response,
    plot_gr,
    read_measured_csv,
    simulate_dose_response,
)
from .regimen import plot_regimen, simulate_regimen
from .rescue import rescue_search, rescue_table
from .sensitivity import (
    Readout,
    local_sensitivities,
    morris,
    plot_local,
    plot_morris,
    plot_ranking_heatmap,
    plot_sensitivity,
    plot_sobol,
    rank_drivers,
    run_sensitivity,
    sobol,
)
from .synergy import (
    plot_isobologram,
    plot_synergy_map,
    read_combination_csv,
    simulate_combination,
)

__all__ = [
    "Readout",
    "local_sensitivities",
    "morris",
    "sobol",
    "run_sensitivity",
    "rank_drivers",
    "plot_local",
    "plot_morris",
    "plot_ranking_heatmap",
    "plot_sensitivity",
    "plot_sobol",
    "atlas_table",
    "exposure_table",
    "fit_dose_response",
    "fit_log_logistic",
    "fit_measured",
    "gr_metrics",
    "plot_atlas",
    "plot_dose_response",
    "plot_gr",
    "plot_isobologram",
    "plot_regimen",
    "plot_synergy_map",
    "read_combination_csv",
    "read_measured_csv",
    "rescue_search",
    "rescue_table",
    "resistance_atlas",
    "simulate_combination",
    "simulate_dose_response",
    "simulate_regimen",
]
# The scoring function ``synergy`` is not re-exported: it would shadow the module
# ``her2sim.analysis.synergy``; call ``her2sim.analysis.synergy.synergy``.
