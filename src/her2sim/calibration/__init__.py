"""Calibration: PEtab objectives with gradients, multi-start fitting, profiles, sensitivity."""

from .hierarchical import HierarchicalObjective, analytic_scalings
from .objective import PetabObjective

__all__ = ["PetabObjective", "HierarchicalObjective", "analytic_scalings"]

from .fit import MultistartResult, StartResult, load_multistart, multistart, plot_waterfall, write_parameter_table  # noqa: E402
from .profile import ProfileResult, load_profiles, plot_profiles, profile_from_fit, profile_likelihood  # noqa: E402

__all__ += [
    "multistart", "MultistartResult", "StartResult", "load_multistart", "plot_waterfall", "write_parameter_table",
    "profile_likelihood", "profile_from_fit", "ProfileResult", "load_profiles", "plot_profiles",
]

from .model_problem import (  # noqa: E402
    ConditionSpec,
    Estimate,
    ObservableSpec,
    PetabTables,
    measurement_design,
    petab_tables_for_model,
    synthetic_measurements,
    wald_intervals,
    write_petab_problem,
)

__all__ += [
    "Estimate", "ObservableSpec", "ConditionSpec", "PetabTables", "petab_tables_for_model", "write_petab_problem",
    "measurement_design", "synthetic_measurements", "wald_intervals",
]
