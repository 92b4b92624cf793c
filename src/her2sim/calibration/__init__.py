"""Calibration: PEtab objectives with gradients, multi-start fitting, profiles, sensitivity."""

from .objective import PetabObjective

__all__ = ["PetabObjective"]

from .fit import MultistartResult, StartResult, load_multistart, multistart, plot_waterfall, write_parameter_table  # noqa: E402
from .profile import ProfileResult, load_profiles, plot_profiles, profile_from_fit, profile_likelihood  # noqa: E402

__all__ += [
    "multistart", "MultistartResult", "StartResult", "load_multistart", "plot_waterfall", "write_parameter_table",
    "profile_likelihood", "profile_from_fit", "ProfileResult", "load_profiles", "plot_profiles",
]
