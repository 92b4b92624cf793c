"""Calibration: PEtab objectives with gradients, multi-start fitting, profiles, sensitivity."""

from .objective import PetabObjective

__all__ = ["PetabObjective"]
