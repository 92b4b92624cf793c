"""Public test helpers: small model families with known behaviour (see :mod:`her2sim.testing.toy`)."""

from .toy import TOY_FAMILY, build_toy_model

__all__ = ["TOY_FAMILY", "build_toy_model"]
